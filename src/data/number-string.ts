/**
 * IS (Integer String) and DS (Decimal String) values (PS3.5 §6.2, Table 6.2-1).
 *
 * Both may be padded with leading and trailing spaces; embedded spaces are not allowed. The byte limits
 * (12 for IS, 16 for DS) apply to the value as given, padding included.
 */
import { DicomValueError } from '../core/errors.js';

const IS_MAX_LENGTH = 12;
const DS_MAX_LENGTH = 16;
const IS_MIN = -(2 ** 31);
const IS_MAX = 2 ** 31 - 1;

const IS_RE = /^ *[+-]?\d+ *$/;
/** Fixed point (`-1.5`, `2.`, `.5`) or ANSI X3.9 floating point (`1e-10`, `-2.5E+3`). */
const DS_RE = /^ *[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)? *$/;

function problemIS(text: string): string | undefined {
  if (text.length > IS_MAX_LENGTH) return `longer than ${IS_MAX_LENGTH} bytes`;
  if (!IS_RE.test(text)) return 'not an integer (digits with an optional leading sign)';
  const n = Number(text);
  if (n < IS_MIN || n > IS_MAX) return 'outside -2^31…2^31-1';
  return undefined;
}

function problemDS(text: string): string | undefined {
  if (text.length > DS_MAX_LENGTH) return `longer than ${DS_MAX_LENGTH} bytes`;
  if (!DS_RE.test(text)) return 'not a fixed or floating point number';
  if (!Number.isFinite(Number(text))) return 'out of the range of a double';
  return undefined;
}

const invalid = (vr: 'IS' | 'DS', text: string, why: string): never => {
  throw new DicomValueError(vr, `Invalid ${vr} value ${JSON.stringify(text)}: ${why}`);
};

export const isValidIS = (text: string): boolean => problemIS(text) === undefined;
export const isValidDS = (text: string): boolean => problemDS(text) === undefined;

/** An IS value as a number; throws `DicomValueError` when it is not a valid IS. `-0` reads as 0. */
export function parseIS(text: string): number {
  const why = problemIS(text);
  if (why !== undefined) invalid('IS', text, why);
  return Number(text) + 0;
}

/** A DS value as a number; throws `DicomValueError` when it is not a valid DS. `-0` stays -0. */
export function parseDS(text: string): number {
  const why = problemDS(text);
  if (why !== undefined) invalid('DS', text, why);
  return Number(text);
}

/** An integer in -2^31…2^31-1 as an IS (`-0` gives `0`). */
export function formatIS(n: number): string {
  if (!Number.isInteger(n) || n < IS_MIN || n > IS_MAX) invalid('IS', String(n), 'not an integer in -2^31…2^31-1');
  return String(n + 0);
}

/**
 * The shortest DS text of at most 16 characters that reads back as close to `n` as possible: the exact
 * shortest form when it fits, else the best of the fixed and exponent forms at every precision (rounded and
 * truncated, so that values near the double limits stay finite). `-0` gives `-0`. Throws for NaN and ±Infinity.
 */
export function formatDS(n: number): string {
  if (!Number.isFinite(n)) invalid('DS', String(n), 'not a finite number');
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const exact = String(n).replace('e+', 'e');
  if (exact.length <= DS_MAX_LENGTH) return exact;
  let best = '';
  let bestError = Number.POSITIVE_INFINITY;
  for (const candidate of candidates(n)) {
    if (candidate.length > DS_MAX_LENGTH) continue;
    const error = Math.abs(Number(candidate) - n);
    if (error < bestError || (error === bestError && candidate.length < best.length)) {
      best = candidate;
      bestError = error;
    }
  }
  return best;
}

/** Fixed and exponent renderings of |n| with 1–17 significant digits, each rounded and truncated. */
function* candidates(n: number): Generator<string> {
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const [fullMantissa, fullExp] = abs.toExponential(16).split('e') as [string, string];
  const allDigits = fullMantissa.replace('.', '');
  for (let p = 1; p <= 17; p++) {
    const [mantissa, exp] = abs.toExponential(p - 1).split('e') as [string, string];
    for (const [digits, e] of [
      [mantissa.replace('.', ''), Number(exp)],
      [allDigits.slice(0, p), Number(fullExp)],
    ] as const) {
      yield sign + fixed(digits, e);
      yield `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${e}`;
    }
  }
}

/** Significant `digits` with decimal exponent `e` in fixed notation: (`123`, 1) → `12.3`; (`5`, -3) → `0.005`. */
function fixed(digits: string, e: number): string {
  if (e < 0) return `0.${'0'.repeat(-e - 1)}${digits}`;
  if (digits.length <= e + 1) return digits + '0'.repeat(e + 1 - digits.length);
  return `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
}
