/**
 * Range Matching of DA, TM and DT (PS3.4 C.2.2.2.5) and Single Value Matching of the same VRs.
 *
 * Every value is brought to one fixed-width text whose string order is time order:
 *   DA `YYYYMMDD`, TM `HHMMSS.FFFFFF`, DT `YYYYMMDDHHMMSS.FFFFFF` (and DA + TM concatenated for combined
 *   date-time matching, C.2.2.2.5.4).
 * - A key value stands for the whole span its precision names: as a lower bound it starts at the first moment
 *   (`07` → `070000.000000`), as an upper bound it ends at the last (`07` → `075960.999999`, second 60 being the
 *   leap second TM allows). A single value (no `-`) is the range from its first to its last moment, so TM `07`
 *   matches any time in the 7 o'clock hour and DA `20240101` matches that date only.
 * - A stored value is compared by its first moment (`0730` → `073000.000000`).
 * - DT: a UTC offset (`&ZZXX`) is taken as given: it is set aside and the wall-clock digits are compared, in the
 *   key and in stored values alike (Portico does not convert between offsets; C.2.2.2.5.3 d asks for it, and the
 *   archive stores no offsets of its own). A TM key never has an offset.
 * - A range whose start is after its end (`20240101-20230101`, or a TM range crossing midnight, which the
 *   standard does not support) is empty: it matches nothing. It is not an error.
 * - Stored values that do not have the shape of their VR (`2024.01.01`, `2024-01-01`, `7:30`, garbage) match no
 *   range and no single value. The shape is checked, not the calendar (`20241399` has the shape of a DA): the SQL
 *   translation checks exactly the same thing (see sql-values.ts), so both always agree.
 */
import {
  type DateParts,
  type DateTimeParts,
  type Fraction,
  parseDA,
  parseDateRange,
  parseDateTimeRange,
  parseDT,
  parseTimeRange,
  parseTM,
  type Range,
  type TimeParts,
} from '../data/date-time.js';

export type DateTimeVr = 'DA' | 'TM' | 'DT';

/** A normalized span: both ends inclusive, in the fixed-width text of the VR; undefined = open. */
export interface NormalizedRange {
  readonly from: string | undefined;
  readonly to: string | undefined;
}

const d2 = (n: number): string => String(n).padStart(2, '0');
const d4 = (n: number): string => String(n).padStart(4, '0');

function fractionText(f: Fraction | undefined, upper: boolean): string {
  if (f === undefined) return upper ? '999999' : '000000';
  const given = String(f.microseconds).padStart(6, '0').slice(0, f.digits);
  return given.padEnd(6, upper ? '9' : '0');
}

const dateText = (p: DateParts, upper: boolean): string =>
  d4(p.year) + d2(p.month ?? (upper ? 12 : 1)) + d2(p.day ?? (upper ? 31 : 1));

function timeText(p: Partial<TimeParts>, upper: boolean): string {
  const hours = p.hours ?? (upper ? 23 : 0);
  const minutes = p.minutes ?? (upper ? 59 : 0);
  const seconds = p.seconds ?? (upper ? 60 : 0);
  return `${d2(hours)}${d2(minutes)}${d2(seconds)}.${fractionText(p.fraction, upper)}`;
}

/** The fixed-width text of a parsed key value, at the start (`upper` false) or end of the span it names. */
export function boundText(vr: DateTimeVr, parts: DateParts | TimeParts | DateTimeParts, upper: boolean): string {
  switch (vr) {
    case 'DA':
      return dateText(parts as DateParts, upper);
    case 'TM':
      return timeText(parts as TimeParts, upper);
    case 'DT': {
      // Missing components are open, from the month down: `2024` ends at 20241231235960.999999.
      const p = parts as DateTimeParts;
      return dateText(p, upper) + timeText(p, upper);
    }
  }
}

/** Parses one key value (no range) of the VR strictly; throws DicomValueError. */
export function parseKeyValue(vr: DateTimeVr, text: string): DateParts | TimeParts | DateTimeParts {
  switch (vr) {
    case 'DA':
      return parseDA(text);
    case 'TM':
      return parseTM(text);
    case 'DT':
      return parseDT(text);
  }
}

/**
 * A key of the VR as a range: `A-B`, `A-`, `-B`, or a single value `A` (`single` true). DT: a `-` directly after
 * the digits and followed by four digits is a negative UTC offset (see `parseDateTimeRange`). Throws
 * DicomValueError for anything else: `-`, `2024-01-01`, `20241301`, a second `-`.
 */
export function parseKeyRange(vr: DateTimeVr, text: string): { readonly range: Range<DateParts | TimeParts | DateTimeParts>; readonly single: boolean } {
  if (vr === 'DT') {
    try {
      return { range: rangeOfOne(parseDT(text)), single: true };
    } catch {
      return { range: parseDateTimeRange(text), single: false };
    }
  }
  if (!text.includes('-')) return { range: rangeOfOne(parseKeyValue(vr, text)), single: true };
  const range = vr === 'DA' ? parseDateRange(text) : parseTimeRange(text);
  return { range, single: false };
}

const rangeOfOne = <T>(value: T): Range<T> => ({ from: value, to: value });

/** The normalized span of a parsed key range. */
export function normalizeRange(vr: DateTimeVr, range: Range<DateParts | TimeParts | DateTimeParts>): NormalizedRange {
  return {
    from: range.from === undefined ? undefined : boundText(vr, range.from, false),
    to: range.to === undefined ? undefined : boundText(vr, range.to, true),
  };
}

/** The normalized span of a key text (a single value or a range); throws DicomValueError when malformed. */
export function keySpan(vr: DateTimeVr, text: string): NormalizedRange {
  return normalizeRange(vr, parseKeyRange(vr, text).range);
}

// ---------------------------------------------------------------- stored values

const DA_SHAPE = /^[0-9]{8}$/;
const TM_SHAPE = /^[0-9]{2}(?:[0-9]{2}(?:[0-9]{2}(?:\.[0-9]{1,6})?)?)?$/;
const DT_SHAPE = /^([0-9]{4}(?:[0-9]{2}){0,5})(?:\.([0-9]{1,6}))?(?:[+-][0-9]{4})?$/;
const DT_PAD = '00000101000000';

/** A stored DA as `YYYYMMDD`, or undefined when it does not have the shape of a DA. */
export function storedDate(value: string): string | undefined {
  return DA_SHAPE.test(value) ? value : undefined;
}

/** A stored TM as `HHMMSS.FFFFFF` (its first moment), or undefined when it does not have the shape of a TM. */
export function storedTime(value: string): string | undefined {
  if (!TM_SHAPE.test(value)) return undefined;
  const main = value.slice(0, 6).padEnd(6, '0');
  const fraction = value.length > 7 ? value.slice(7).padEnd(6, '0') : '000000';
  return `${main}.${fraction}`;
}

/**
 * A stored DT as `YYYYMMDDHHMMSS.FFFFFF` (its first moment, UTC offset set aside), or undefined when it does not
 * have the shape of a DT. A fraction is only allowed after the seconds.
 */
export function storedDateTime(value: string): string | undefined {
  const m = DT_SHAPE.exec(value);
  if (!m) return undefined;
  const digits = m[1]!;
  if (m[2] !== undefined && digits.length !== 14) return undefined;
  return `${digits}${DT_PAD.slice(digits.length)}.${(m[2] ?? '').padEnd(6, '0')}`;
}

/** A stored value of the VR in its fixed-width text, or undefined when it has not the shape of the VR. */
export function storedValue(vr: DateTimeVr, value: string): string | undefined {
  return vr === 'DA' ? storedDate(value) : vr === 'TM' ? storedTime(value) : storedDateTime(value);
}

/** Does a normalized stored value fall in the span (both ends inclusive)? */
export function inSpan(span: NormalizedRange, normalized: string | undefined): boolean {
  if (normalized === undefined) return false;
  return (span.from === undefined || normalized >= span.from) && (span.to === undefined || normalized <= span.to);
}
