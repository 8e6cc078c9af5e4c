/**
 * In-memory evaluation of matching conditions against candidate datasets or attribute values (PS3.4 C.2.2.2).
 *
 * A multi-valued candidate attribute (`CT\MR` in Modalities in Study) matches when any one of its values matches.
 * An absent or empty attribute matches Universal Matching only. Candidate values are compared without their
 * padding, as the dataset decoder gives them (text.ts).
 */
import type { Dataset } from '../data/dataset.js';
import { defaultVr } from '../dictionary/attributes.js';
import { type MatchCondition, MatchingError, type MatchOptions } from './condition.js';
import { personNameTest } from './person-name.js';
import { type DateTimeVr, inSpan, keySpan, type NormalizedRange, storedDate, storedTime, storedValue } from './range.js';
import { trimPadding } from './text.js';
import { compileWildcard, matchesWildcard } from './wildcard.js';

type DateTimeRange = Extract<MatchCondition, { kind: 'date-time-range' }>;

/** Does the candidate match every condition? (universal always matches; multi-valued attributes match if any value does) */
export function matchesDataset(conditions: readonly MatchCondition[], candidate: Dataset, options: MatchOptions = {}): boolean {
  return conditions.every((condition) => {
    switch (condition.kind) {
      case 'universal':
        return true;
      case 'sequence':
        return candidate.items(condition.tag).some((item) => matchesDataset(condition.item, item, options));
      case 'date-time-range':
        return matchesDateTime(condition, candidate.string(condition.dateTag), candidate.string(condition.timeTag));
      default:
        return matchesValues(condition, candidate.strings(condition.tag), options);
    }
  });
}

/**
 * One non-sequence condition against an attribute's string values (empty/undefined = attribute absent or empty:
 * matches only universal). A date-time-range condition takes `[date, time]`, as matchesDateTime does.
 */
export function matchesValues(condition: MatchCondition, values: readonly string[] | undefined, options: MatchOptions = {}): boolean {
  if (condition.kind === 'universal') return true;
  if (condition.kind === 'sequence') throw new MatchingError(condition.tag, 'a sequence condition is matched with matchesDataset');
  if (condition.kind === 'date-time-range') return matchesDateTime(condition, values?.[0], values?.[1]);
  if (values === undefined || values.length === 0) return false;
  const test = compiled(condition, options.caseInsensitivePersonName !== false);
  const vr = 'vr' in condition ? condition.vr : defaultVr(condition.tag);
  return values.some((raw) => {
    const value = trimPadding(vr, raw);
    return value !== '' && test(value);
  });
}

/**
 * Combined date-time matching (PS3.4 C.2.2.2.5.4): the stored date and time, concatenated, in the condition's
 * range. A stored date without a time is taken at the start of that day; no (or a malformed) date never matches.
 */
export function matchesDateTime(condition: DateTimeRange, date: string | undefined, time: string | undefined): boolean {
  const day = storedDate(trimPadding('DA', date ?? ''));
  if (day === undefined) return false;
  const clock = trimPadding('TM', time ?? '');
  const at = clock === '' ? '000000.000000' : storedTime(clock);
  return at !== undefined && inSpan({ from: condition.from, to: condition.to }, day + at);
}

type ValueTest = (value: string) => boolean;
type Testable = Exclude<MatchCondition, { kind: 'universal' | 'sequence' | 'date-time-range' }>;

/** Compiled tests, per condition object and case mode: a C-FIND over many candidates parses each key once. */
const cache = new WeakMap<MatchCondition, [ValueTest | undefined, ValueTest | undefined]>();

function compiled(condition: Testable, caseInsensitive: boolean): ValueTest {
  let entry = cache.get(condition);
  if (entry === undefined) cache.set(condition, (entry = [undefined, undefined]));
  const slot = caseInsensitive ? 0 : 1;
  return (entry[slot] ??= compile(condition, caseInsensitive));
}

function compile(condition: Testable, caseInsensitive: boolean): ValueTest {
  switch (condition.kind) {
    case 'uid-list': {
      const set = new Set(condition.values);
      return (value) => set.has(value);
    }
    case 'range':
      return spanTest(condition.vr, conditionSpan(condition));
    case 'single':
      if (isDateTimeVr(condition.vr)) return spanTest(condition.vr, conditionSpan(condition));
      if (condition.vr === 'PN') return personNameTest(condition.value, false, caseInsensitive);
      return (value) => value === condition.value;
    case 'wildcard': {
      if (condition.vr === 'PN') return personNameTest(condition.pattern, true, caseInsensitive);
      const pattern = compileWildcard(condition.pattern);
      return (value) => matchesWildcard(pattern, value);
    }
  }
}

export const isDateTimeVr = (vr: string): vr is DateTimeVr => vr === 'DA' || vr === 'TM' || vr === 'DT';

/**
 * The normalized span of a DA/TM/DT condition: a range's `from` at its first moment and `to` at its last, a single
 * value from its first to its last moment. Throws MatchingError for a value that is not of the VR (a condition
 * built by hand; matchConditions never makes one).
 */
export function conditionSpan(condition: Extract<MatchCondition, { kind: 'range' | 'single' }>): NormalizedRange {
  const vr = condition.vr;
  if (!isDateTimeVr(vr)) throw new MatchingError(condition.tag, `${vr} values have no span`);
  try {
    if (condition.kind === 'single') return keySpan(vr, condition.value);
    return {
      from: condition.from === undefined ? undefined : keySpan(vr, condition.from).from,
      to: condition.to === undefined ? undefined : keySpan(vr, condition.to).to,
    };
  } catch (error) {
    throw new MatchingError(condition.tag, error instanceof Error ? error.message : String(error), { cause: error });
  }
}

const spanTest = (vr: DateTimeVr, span: NormalizedRange): ValueTest => (value) => inSpan(span, storedValue(vr, value));
