/**
 * The keys of a C-FIND identifier as matching conditions (PS3.4 C.2.2.2): one per key, typed by the kind of
 * matching the standard assigns to its value and VR. `match.ts` evaluates them in memory, `sql.ts` in SQL.
 *
 * How a key value is read:
 * - zero length (or only padding, or only `*`, or `*`-only in a list) → Universal Matching (C.2.2.2.3/C.2.2.2.4);
 * - UI: one UID → Single Value; several (`\`-separated) → List of UID Matching (C.2.2.2.2); `*`/`?` → error;
 * - DA, TM, DT: a `-` makes it Range Matching (C.2.2.2.5), else Single Value Matching of the span the value names
 *   (see range.ts); malformed dates and times, lists and wild cards → error;
 * - AE CS LO LT PN SH ST UC UR UT with `*` or `?` → Wild Card Matching (C.2.2.2.4); other VRs with `*`/`?` → error;
 * - anything else → Single Value Matching (C.2.2.2.1); a `-` in a LO is just a character;
 * - several values of a VR other than UI (`CT\MR` in Modalities in Study) → a value list, matched as List of UID
 *   Matching is (any stored value equal to any key value, case-sensitive), as most archives do; lists of PN,
 *   dates/times, or with wild cards are refused;
 * - SQ → Sequence Matching (C.2.2.2.6) of its single item, recursively; no item or an item with only universal
 *   keys → universal;
 * - binary VRs (OB, OW, UN, …) are never matched (universal: the key is only returned).
 * Not matched at all (no condition): Specific Character Set (it only says how the identifier is encoded; `Dataset`
 * has already decoded every value with it, so an ISO 2022 IR 87 query meets ISO_IR 192 data as Unicode text),
 * Query/Retrieve Level, Query/Retrieve View, Timezone Offset From UTC (it qualifies the times; see range.ts),
 * group lengths and private creator reservations.
 */
import { DicomError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { formatDA, formatDT, formatTM } from '../data/date-time.js';
import type { Element } from '../data/element.js';
import { formatTag, isPrivateCreator, SPECIFIC_CHARACTER_SET, type Tag } from '../data/tag.js';
import { VR_INFO } from '../data/vr.js';
import { keywordOf, lookupTag, tagForKeyword } from '../dictionary/attributes.js';
import { boundText, type DateTimeVr, parseKeyRange, parseKeyValue } from './range.js';
import { codePoints, hasWildcard, isAllStars, trimPadding } from './text.js';

export type MatchCondition =
  | { readonly kind: 'universal'; readonly tag: number }
  | { readonly kind: 'single'; readonly tag: number; readonly vr: string; readonly value: string }
  | { readonly kind: 'wildcard'; readonly tag: number; readonly vr: string; readonly pattern: string }
  | { readonly kind: 'range'; readonly tag: number; readonly vr: 'DA' | 'TM' | 'DT'; readonly from?: string; readonly to?: string }
  | { readonly kind: 'date-time-range'; readonly dateTag: number; readonly timeTag: number; readonly from?: string; readonly to?: string }
  | { readonly kind: 'uid-list'; readonly tag: number; readonly values: readonly string[] }
  | { readonly kind: 'sequence'; readonly tag: number; readonly item: readonly MatchCondition[] };

export interface MatchOptions {
  /**
   * PN values match case-insensitively (default true, as most PACS do): every Unicode letter, folded with `foldCase`
   * (text.ts) the same way in memory and in SQL, so `MÜLLER` finds `Müller`.
   */
  readonly caseInsensitivePersonName?: boolean;
  /**
   * Combine Date/Time pairs (StudyDate+StudyTime, SeriesDate+SeriesTime, ScheduledProcedureStepStartDate+Time, ...)
   * into one date-time-range condition when the query gives both as ranges of the same form (default false; C-FIND
   * "combined date time matching" extended negotiation, PS3.4 C.2.2.2.5.4).
   */
  readonly combineDateTime?: boolean;
}

/** A key value that cannot be matched (a bad range, a bad date, a wild card where none is allowed). */
export class MatchingError extends DicomError {
  constructor(
    readonly tag: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super('ERR_MATCHING', `${describeTag(tag)}: ${message}`, options);
  }
}

const describeTag = (tag: Tag): string => {
  const keyword = keywordOf(tag);
  return keyword === '' ? formatTag(tag) : `${keyword} ${formatTag(tag)}`;
};

/** VRs that take Wild Card Matching (PS3.4 C.2.2.2.4). */
const WILDCARD_VRS: ReadonlySet<string> = new Set(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);
const DATE_TIME_VRS: ReadonlySet<string> = new Set(['DA', 'TM', 'DT']);
/**
 * The longest wild card pattern accepted, in characters. SQLite refuses GLOB patterns over 50,000 bytes, and one
 * pattern character can take 4 bytes in SQL; no DICOM string a C-FIND matches comes near this.
 */
export const MAX_WILDCARD_LENGTH = 8192;

let notMatched: ReadonlySet<Tag> | undefined;
const notMatchedTags = (): ReadonlySet<Tag> =>
  (notMatched ??= new Set([
    SPECIFIC_CHARACTER_SET,
    tagForKeyword('QueryRetrieveLevel')!,
    tagForKeyword('QueryRetrieveView')!,
    tagForKeyword('TimezoneOffsetFromUTC')!,
  ]));

/**
 * One condition per key in the identifier (Specific Character Set, Query/Retrieve Level and group lengths
 * excluded), in tag order. Values are the decoded strings. Throws MatchingError (with the offending tag) for a
 * malformed key value.
 */
export function matchConditions(identifier: Dataset, options: MatchOptions = {}): MatchCondition[] {
  const skip = notMatchedTags();
  const out: MatchCondition[] = [];
  for (const element of identifier) {
    const tag = element.tag;
    if ((tag & 0xffff) === 0 || skip.has(tag) || isPrivateCreator(tag)) continue;
    out.push(conditionFor(element, options));
  }
  return options.combineDateTime === true ? combineDateTime(out) : out;
}

function conditionFor(element: Element, options: MatchOptions): MatchCondition {
  const { tag, vr } = element;
  const universal: MatchCondition = { kind: 'universal', tag };
  if (vr === 'SQ') return sequenceCondition(element, options);
  if (VR_INFO[vr].kind === 'binary') return universal;
  let values: string[];
  try {
    values = element.strings.map((v) => trimPadding(vr, v)).filter((v) => v !== '');
  } catch (error) {
    throw new MatchingError(tag, 'the value cannot be decoded', { cause: error });
  }
  if (values.length === 0 || values.some(isAllStars)) return universal;
  if (values.some((v) => v.includes('\0'))) throw new MatchingError(tag, 'a key value cannot contain NUL');
  const wild = values.some(hasWildcard);
  if (DATE_TIME_VRS.has(vr)) return dateTimeCondition(tag, vr as DateTimeVr, values, wild);
  if (wild && !WILDCARD_VRS.has(vr)) throw new MatchingError(tag, `wild cards (* and ?) are not allowed in a ${vr} key`);
  if (values.length > 1) {
    if (wild) throw new MatchingError(tag, 'a list of values cannot contain wild cards');
    if (vr === 'PN') throw new MatchingError(tag, 'a list of person names cannot be matched');
    return { kind: 'uid-list', tag, values };
  }
  const value = values[0]!;
  if (vr === 'PN') {
    const groups = value.split('=');
    if (groups.length > 3) throw new MatchingError(tag, 'a person name has at most three component groups');
    if (groups.every((g) => g === '' || isAllStars(g))) return universal;
  }
  if (!wild) return { kind: 'single', tag, vr, value };
  if (codePoints(value).length > MAX_WILDCARD_LENGTH) {
    throw new MatchingError(tag, `a wild card pattern is limited to ${MAX_WILDCARD_LENGTH} characters`);
  }
  return { kind: 'wildcard', tag, vr, pattern: value };
}

function dateTimeCondition(tag: Tag, vr: DateTimeVr, values: readonly string[], wild: boolean): MatchCondition {
  if (values.length > 1) throw new MatchingError(tag, `a ${vr} key holds one value or one range`);
  if (wild) throw new MatchingError(tag, `wild cards (* and ?) are not allowed in a ${vr} key`);
  let parsed: ReturnType<typeof parseKeyRange>;
  try {
    parsed = parseKeyRange(vr, values[0]!);
  } catch (error) {
    throw new MatchingError(tag, error instanceof Error ? error.message : String(error), { cause: error });
  }
  const format = vr === 'DA' ? formatDA : vr === 'TM' ? formatTM : formatDT;
  const text = (parts: unknown): string | undefined => (parts === undefined ? undefined : format(parts as never));
  const { from, to } = parsed.range;
  if (parsed.single) return { kind: 'single', tag, vr, value: text(from)! };
  return { kind: 'range', tag, vr, ...(from && { from: text(from) }), ...(to && { to: text(to) }) };
}

function sequenceCondition(element: Element, options: MatchOptions): MatchCondition {
  const items = element.items;
  if (items.length === 0) return { kind: 'universal', tag: element.tag };
  if (items.length > 1) throw new MatchingError(element.tag, 'a sequence key holds exactly one item');
  const item = matchConditions(items[0]!, options);
  if (item.every((c) => c.kind === 'universal')) return { kind: 'universal', tag: element.tag };
  return { kind: 'sequence', tag: element.tag, item };
}

/** The TM attribute that pairs with a DA attribute (`StudyDate` → `StudyTime`), from the dictionary. */
export function timeTagOf(dateTag: Tag): Tag | undefined {
  const keyword = keywordOf(dateTag);
  if (!keyword.endsWith('Date')) return undefined;
  const timeTag = tagForKeyword(`${keyword.slice(0, -4)}Time`);
  return timeTag !== undefined && lookupTag(timeTag)?.vrs.includes('TM') === true ? timeTag : undefined;
}

/**
 * PS3.4 C.2.2.2.5.4: a DA range and its TM range of the same form (`A-B`, `A-` or `-B`) become one range over the
 * concatenated date and time, `YYYYMMDDHHMMSS.FFFFFF` at each end; other pairs are matched separately.
 */
function combineDateTime(conditions: MatchCondition[]): MatchCondition[] {
  const byTag = new Map<Tag, MatchCondition>();
  for (const c of conditions) if (c.kind === 'range') byTag.set(c.tag, c);
  const consumed = new Set<Tag>();
  const out: MatchCondition[] = [];
  for (const c of conditions) {
    if (c.kind === 'range' && c.vr === 'DA') {
      const timeTag = timeTagOf(c.tag);
      const time = timeTag === undefined ? undefined : byTag.get(timeTag);
      if (time?.kind === 'range' && time.vr === 'TM' && sameForm(c, time)) {
        consumed.add(time.tag);
        out.push(combined(c, time));
        continue;
      }
    }
    out.push(c);
  }
  return out.filter((c) => !(c.kind === 'range' && consumed.has(c.tag)));
}

type RangeCondition = Extract<MatchCondition, { kind: 'range' }>;

const sameForm = (a: RangeCondition, b: RangeCondition): boolean =>
  (a.from === undefined) === (b.from === undefined) && (a.to === undefined) === (b.to === undefined);

function combined(date: RangeCondition, time: RangeCondition): MatchCondition {
  const at = (d: string, t: string, upper: boolean): string =>
    boundText('DA', parseKeyValue('DA', d), upper) + boundText('TM', parseKeyValue('TM', t), upper);
  return {
    kind: 'date-time-range',
    dateTag: date.tag,
    timeTag: time.tag,
    ...(date.from !== undefined && { from: at(date.from, time.from!, false) }),
    ...(date.to !== undefined && { to: at(date.to, time.to!, true) }),
  };
}
