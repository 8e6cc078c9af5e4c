/** AS (Age String, PS3.5 §6.2 Table 6.2-1): `nnnD`, `nnnW`, `nnnM` or `nnnY`, always 4 characters. */
import { DicomValueError } from '../core/errors.js';

/** Days, weeks, months or years. */
export type AgeUnit = 'D' | 'W' | 'M' | 'Y';

export interface Age {
  readonly value: number;
  readonly unit: AgeUnit;
}

const AS_RE = /^(\d{3})([DWMY])$/;

/** `'045Y'` → `{ value: 45, unit: 'Y' }`. Surrounding spaces are ignored; anything else invalid throws. */
export function parseAS(text: string): Age {
  const m = AS_RE.exec(text.trim());
  if (!m) throw new DicomValueError('AS', `Invalid AS value ${JSON.stringify(text)}: expected nnnD, nnnW, nnnM or nnnY`);
  return { value: Number(m[1]), unit: m[2] as AgeUnit };
}

export const isValidAS = (text: string): boolean => AS_RE.test(text.trim());

/** `{ value: 45, unit: 'Y' }` → `'045Y'`; the value must be an integer 0–999. */
export function formatAS(age: Age): string {
  const { value, unit } = age;
  if (!Number.isInteger(value) || value < 0 || value > 999 || !'DWMY'.includes(unit) || unit.length !== 1) {
    throw new DicomValueError('AS', `Cannot format age ${JSON.stringify(age)}: value must be 0–999 and unit D, W, M or Y`);
  }
  return `${String(value).padStart(3, '0')}${unit}`;
}
