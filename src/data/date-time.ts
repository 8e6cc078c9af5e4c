/**
 * DA, TM and DT values (PS3.5 §6.2, Table 6.2-1) and their ranges (PS3.4 C.2.2.2.5).
 *
 * Values are parsed into partial structures: DT and TM may omit trailing components ("null components"),
 * which means the value is not precise to those components. Surrounding spaces and trailing NULs are ignored
 * on reading; anything else that breaks the grammar throws a `DicomValueError`.
 */
import { DicomValueError } from '../core/errors.js';

export interface DateParts {
  readonly year: number;
  readonly month?: number;
  readonly day?: number;
}

/** Fractional seconds: `microseconds` as an integer (0–999999) and how many digits the text carried (1–6). */
export interface Fraction {
  readonly microseconds: number;
  readonly digits: number;
}

export interface TimeParts {
  readonly hours: number;
  readonly minutes?: number;
  readonly seconds?: number;
  readonly fraction?: Fraction;
}

export interface DateTimeParts extends DateParts {
  readonly hours?: number;
  readonly minutes?: number;
  readonly seconds?: number;
  readonly fraction?: Fraction;
  /** The `&ZZXX` suffix in minutes east of UTC (-720 … +840). */
  readonly offsetMinutes?: number;
}

/** A range `A-B`, `A-` or `-B`; a single value `A` is returned as `{ from: A, to: A }`. */
export interface Range<T> {
  readonly from?: T;
  readonly to?: T;
}

type DtVr = 'DA' | 'TM' | 'DT';

const fail = (vr: DtVr, text: string, why: string): never => {
  throw new DicomValueError(vr, `Invalid ${vr} value ${JSON.stringify(text)}: ${why}`);
};

const strip = (text: string): string => text.replace(/^ +|[ \0]+$/g, '');
const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number): number => (m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

const fractionOf = (s: string | undefined): Fraction | undefined =>
  s === undefined ? undefined : { microseconds: Number(s.padEnd(6, '0')), digits: s.length };

/** Builds a parts object without `undefined` keys, so that results compare cleanly. */
function compact<T extends object>(parts: Record<string, unknown>): T {
  for (const key of Object.keys(parts)) if (parts[key] === undefined) delete parts[key];
  return parts as T;
}

function checkDate(vr: DtVr, text: string, year: number, month?: number, day?: number): void {
  if (month !== undefined && (month < 1 || month > 12)) fail(vr, text, `month ${month}`);
  if (day !== undefined && (day < 1 || day > daysIn(year, month!))) fail(vr, text, `day ${day}`);
}

function checkTime(vr: DtVr, text: string, hours?: number, minutes?: number, seconds?: number): void {
  if (hours !== undefined && hours > 23) fail(vr, text, `hours ${hours}`);
  if (minutes !== undefined && minutes > 59) fail(vr, text, `minutes ${minutes}`);
  // 60 is allowed for a leap second (PS3.5 Table 6.2-1, TM).
  if (seconds !== undefined && seconds > 60) fail(vr, text, `seconds ${seconds}`);
}

/** DA `YYYYMMDD`; also reads the ACR-NEMA form `YYYY.MM.DD`. Always returns year, month and day. */
export function parseDA(text: string): DateParts {
  const t = strip(text);
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(t) ?? /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(t);
  if (!m) return fail('DA', text, 'expected YYYYMMDD');
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  checkDate('DA', text, year, month, day);
  return { year, month, day };
}

/** TM `HH[MM[SS[.F{1,6}]]]`; also reads the ACR-NEMA form `HH:MM[:SS[.F{1,6}]]`. */
export function parseTM(text: string): TimeParts {
  const t = strip(text);
  const m =
    /^(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?$/.exec(t) ??
    /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(t);
  if (!m) return fail('TM', text, 'expected HHMMSS.FFFFFF with trailing components omitted');
  const [hours, minutes, seconds] = [Number(m[1]), num(m[2]), num(m[3])];
  checkTime('TM', text, hours, minutes, seconds);
  return compact<TimeParts>({ hours, minutes, seconds, fraction: fractionOf(m[4]) });
}

const DT_RE = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?)?)?)?(?:([+-])(\d{2})(\d{2}))?$/;

/** DT `YYYYMMDDHHMMSS.FFFFFF&ZZXX`: any trailing components may be omitted; the `&ZZXX` suffix is optional. */
export function parseDT(text: string): DateTimeParts {
  const m = DT_RE.exec(strip(text));
  if (!m) return fail('DT', text, 'expected YYYYMMDDHHMMSS.FFFFFF&ZZXX with trailing components omitted');
  const year = Number(m[1]);
  const [month, day, hours, minutes, seconds] = [m[2], m[3], m[4], m[5], m[6]].map(num);
  checkDate('DT', text, year, month, day);
  checkTime('DT', text, hours, minutes, seconds);
  let offsetMinutes: number | undefined;
  if (m[8] !== undefined) {
    const [oh, om] = [Number(m[9]), Number(m[10])];
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
    if (om > 59 || offsetMinutes < -720 || offsetMinutes > 840) fail('DT', text, 'UTC offset out of range -1200…+1400');
  }
  return compact<DateTimeParts>({ year, month, day, hours, minutes, seconds, fraction: fractionOf(m[7]), offsetMinutes });
}

function rangeOf<T>(vr: DtVr, text: string, sep: number, parse: (s: string) => T): Range<T> {
  const t = strip(text);
  if (sep < 0) {
    const value = parse(t);
    return { from: value, to: value };
  }
  const [a, b] = [t.slice(0, sep), t.slice(sep + 1)];
  if (a === '' && b === '') fail(vr, text, 'a range needs at least one bound');
  return compact<Range<T>>({ from: a === '' ? undefined : parse(a), to: b === '' ? undefined : parse(b) });
}

function singleDash(vr: DtVr, text: string): number {
  const t = strip(text);
  const i = t.indexOf('-');
  if (i >= 0 && t.indexOf('-', i + 1) >= 0) fail(vr, text, 'more than one "-"');
  return i;
}

/** DA range matching (PS3.4 C.2.2.2.5): `A-B`, `A-`, `-B` or a single `A`. */
export const parseDateRange = (text: string): Range<DateParts> => rangeOf('DA', text, singleDash('DA', text), parseDA);

/** TM range matching: `A-B`, `A-`, `-B` or a single `A`. */
export const parseTimeRange = (text: string): Range<TimeParts> => rangeOf('TM', text, singleDash('TM', text), parseTM);

/**
 * DT range matching: `A-B`, `A-`, `-B` or a single `A`, where A and B may carry a negative UTC offset.
 *
 * Rule: scanning left to right, a `-` is read as the UTC offset of the value before it when (1) it directly
 * follows a digit, (2) that value has no offset yet, (3) exactly four digits follow and then the end or
 * another `-`, and (4) those digits form a valid negative offset (00:00–12:00). The first `-` that is not
 * an offset separates the range. So `20240101-0500` is one value at UTC-5, `20240101-0500-20240102` runs
 * from `20240101-0500` to `20240102`, and `2024-2025` is a range (`-2025` is no valid offset).
 * A consequence: `1990-1100` reads as the year 1990 at UTC-11, not as a (backwards) range.
 */
export function parseDateTimeRange(text: string): Range<DateTimeParts> {
  const t = strip(text);
  let sep = -1;
  for (let i = t.indexOf('-'); i >= 0; i = t.indexOf('-', i + 1)) {
    if (!isOffsetDash(t, i)) {
      sep = i;
      break;
    }
  }
  return rangeOf('DT', t, sep, parseDT);
}

function isOffsetDash(t: string, i: number): boolean {
  if (i === 0 || !/\d/.test(t[i - 1]!) || /[+-]/.test(t.slice(0, i))) return false;
  const m = /^(\d{2})(\d{2})(?:-|$)/.exec(t.slice(i + 1));
  if (!m) return false;
  const [hh, mm] = [Number(m[1]), Number(m[2])];
  return mm <= 59 && hh * 60 + mm <= 720;
}

// ---------------------------------------------------------------- formatting

const pad = (vr: DtVr, name: string, n: number | undefined, width: number): string => {
  if (n === undefined) return '';
  if (!Number.isInteger(n) || n < 0 || String(n).length > width) fail(vr, String(n), `${name} must be a non-negative integer of at most ${width} digits`);
  return String(n).padStart(width, '0');
};

/** Appends components in order, refusing a component after an omitted one (a non-trailing null component). */
function join(vr: DtVr, pieces: readonly (readonly [string, string])[]): string {
  let out = '';
  let missing: string | undefined;
  for (const [name, text] of pieces) {
    if (text === '') missing ??= name;
    else if (missing !== undefined) fail(vr, out, `${name} given without ${missing}`);
    else out += text;
  }
  return out;
}

function fractionText(vr: DtVr, f: Fraction | undefined): string {
  if (f === undefined) return '';
  if (!Number.isInteger(f.digits) || f.digits < 1 || f.digits > 6) fail(vr, String(f.digits), 'fraction digits must be 1–6');
  if (!Number.isInteger(f.microseconds) || f.microseconds < 0 || f.microseconds > 999_999) {
    fail(vr, String(f.microseconds), 'microseconds must be an integer 0–999999');
  }
  return `.${String(f.microseconds).padStart(6, '0').slice(0, f.digits)}`;
}

const datePieces = (vr: DtVr, p: DateParts): [string, string][] => [
  ['year', pad(vr, 'year', p.year, 4)],
  ['month', pad(vr, 'month', p.month, 2)],
  ['day', pad(vr, 'day', p.day, 2)],
];

const timePieces = (vr: DtVr, p: Partial<TimeParts>): [string, string][] => [
  ['hours', pad(vr, 'hours', p.hours, 2)],
  ['minutes', pad(vr, 'minutes', p.minutes, 2)],
  ['seconds', pad(vr, 'seconds', p.seconds, 2)],
  ['fraction', fractionText(vr, p.fraction)],
];

/** `YYYYMMDD`, or `YYYY` / `YYYYMM` for a partial date (valid as the start of a DT, not as a DA). */
export function formatDA(parts: DateParts): string {
  const text = join('DA', datePieces('DA', parts));
  if (text.length === 8) parseDA(text);
  else checkDate('DA', text, parts.year, parts.month);
  return text;
}

/** `HH[MM[SS[.F…]]]`; the fraction keeps `fraction.digits` digits. */
export function formatTM(parts: TimeParts): string {
  const text = join('TM', timePieces('TM', parts));
  parseTM(text);
  return text;
}

/** `YYYY[MM[DD[HH[MM[SS[.F…]]]]]][&ZZXX]`. */
export function formatDT(parts: DateTimeParts): string {
  let text = join('DT', [...datePieces('DT', parts), ...timePieces('DT', parts)]);
  const off = parts.offsetMinutes;
  if (off !== undefined) {
    if (!Number.isInteger(off)) fail('DT', String(off), 'offsetMinutes must be an integer');
    const abs = Math.abs(off);
    text += `${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  }
  parseDT(text);
  return text;
}

// ---------------------------------------------------------------- JS values

/** Milliseconds since the epoch for a UTC wall time, correct for years below 100 too. */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

/** The wall-clock fields of `date` in local time, or in UTC when `utc` is set. */
function wallClock(vr: DtVr, date: Date, utc: boolean) {
  if (Number.isNaN(date.getTime())) fail(vr, String(date), 'not a valid Date');
  return utc
    ? { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hours: date.getUTCHours(),
        minutes: date.getUTCMinutes(), seconds: date.getUTCSeconds(), ms: date.getUTCMilliseconds() }
    : { year: date.getFullYear(), month: date.getMonth() + 1, day: date.getDate(), hours: date.getHours(),
        minutes: date.getMinutes(), seconds: date.getSeconds(), ms: date.getMilliseconds() };
}

/** The date at UTC midnight (a missing month or day counts as 1). */
export function daToDate(da: string | DateParts): Date {
  const p = typeof da === 'string' ? parseDA(da) : da;
  return new Date(utcMs(p.year, p.month ?? 1, p.day ?? 1, 0, 0, 0, 0));
}

/** The calendar date of `date` in local time, or in UTC with `{ utc: true }` (the inverse of `daToDate`). */
export function dateToDA(date: Date, options: { utc?: boolean } = {}): string {
  const { year, month, day } = wallClock('DA', date, options.utc === true);
  return formatDA({ year, month, day });
}

/** Seconds since midnight, including the fraction (a missing minute or second counts as 0). */
export function tmToSeconds(tm: string | TimeParts): number {
  const p = typeof tm === 'string' ? parseTM(tm) : tm;
  return p.hours * 3600 + (p.minutes ?? 0) * 60 + (p.seconds ?? 0) + (p.fraction?.microseconds ?? 0) / 1e6;
}

const fractionFromMs = (vr: DtVr, ms: number, digits: number): Fraction | undefined => {
  if (!Number.isInteger(digits) || digits < 0 || digits > 6) fail(vr, String(digits), 'fractionDigits must be 0–6');
  return digits === 0 ? undefined : { microseconds: ms * 1000, digits };
};

/** The time of day of `date` in local time (or UTC with `{ utc: true }`), to the second unless `fractionDigits` > 0. */
export function dateToTM(date: Date, options: { fractionDigits?: number; utc?: boolean } = {}): string {
  const { hours, minutes, seconds, ms } = wallClock('TM', date, options.utc === true);
  return formatTM({ hours, minutes, seconds, fraction: fractionFromMs('TM', ms, options.fractionDigits ?? 0) });
}

/**
 * The instant a DT denotes, taking missing components as their minimum (month/day 1, time 0). The value's own
 * offset wins; else `defaultOffsetMinutes` (e.g. from Timezone Offset From UTC); else the local time zone.
 * Microseconds are truncated to milliseconds.
 */
export function dtToDate(dt: string | DateTimeParts, defaultOffsetMinutes?: number): Date {
  const p = typeof dt === 'string' ? parseDT(dt) : dt;
  const fields = [p.month ?? 1, p.day ?? 1, p.hours ?? 0, p.minutes ?? 0, p.seconds ?? 0] as const;
  const ms = Math.floor((p.fraction?.microseconds ?? 0) / 1000);
  const offset = p.offsetMinutes ?? defaultOffsetMinutes;
  if (offset !== undefined) return new Date(utcMs(p.year, ...fields, ms) - offset * 60_000);
  const date = new Date(2000, 0, 1);
  date.setFullYear(p.year, fields[0] - 1, fields[1]);
  date.setHours(fields[2], fields[3], fields[4], ms);
  return date;
}

/**
 * `date` as a DT. Without `offsetMinutes` it is the local wall time with no suffix (as DA and TM are);
 * with it, the wall time at that offset followed by the `&ZZXX` suffix (`offsetMinutes: 0` gives `+0000`).
 */
export function dateToDT(date: Date, options: { offsetMinutes?: number; fractionDigits?: number } = {}): string {
  const off = options.offsetMinutes;
  const shifted = off === undefined ? date : new Date(date.getTime() + off * 60_000);
  const { ms, ...fields } = wallClock('DT', shifted, off !== undefined);
  return formatDT({ ...fields, fraction: fractionFromMs('DT', ms, options.fractionDigits ?? 0), offsetMinutes: off });
}
