/**
 * Query keys on the command line (`portico find -k`, `portico worklist -k`), compatible with DCMTK findscu's `-k`:
 *
 *   -k PatientName=DOE^J*          a matching key (keyword, or tag as gggg,eeee / (gggg,eeee) / ggggeeee)
 *   -k 0010,0030=19700101-19801231 range matching on a date
 *   -k StudyInstanceUID=1.2.3\1.2.4 a list of UIDs (backslash-separated values)
 *   -k PatientBirthDate            a return key: sent empty (universal matching), its value comes back
 *   -k ScheduledProcedureStepSequence[0].Modality=CT    a key in the sequence's item (findscu's path syntax)
 *   -k ScheduledProcedureStepSequence/Modality=CT       the same (Portico's `/` form)
 *   -k ReferencedStudySequence     an empty sequence: universal sequence matching
 *
 * The value is everything after the first `=` (a PN may hold `=` between its component groups). Values are checked
 * for their VR before anything is sent: lengths, dates, times and ranges (PS3.4 C.2.2.2.5), UIDs (no wild cards),
 * numbers, no control characters. A query sequence holds one item (PS3.4 C.2.2.2.6), so the only index is [0].
 */
import { DicomError } from '../core/errors.js';
import { Dataset } from '../data/dataset.js';
import { formatDA, formatDT, formatTM, parseDateRange, parseDateTimeRange, parseTimeRange, type Range } from '../data/date-time.js';
import { validatePersonName } from '../data/person-name.js';
import { formatTag, isPrivateTag, type Tag } from '../data/tag.js';
import { isValidUid } from '../data/uid.js';
import { VR_INFO, type VR } from '../data/vr.js';
import { keywordOf, lookupTag, parseTagKey } from '../dictionary/attributes.js';

/** A `-k` argument that cannot be used, with what is wrong. */
export class QueryKeyError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_QUERY_KEY', message, options);
  }
}

/** One parsed `-k`: the tags from the top (sequences first), and the value (undefined: a return key). */
export interface QueryKey {
  readonly text: string;
  readonly path: readonly Tag[];
  readonly vr: VR;
  readonly value: string | undefined;
}

/** The longest value accepted for any key: a query is not a place for megabytes. */
export const MAX_KEY_VALUE = 1024;
/** Sequences nest this deep at most in a query key. */
const MAX_PATH = 4;

const WILDCARD_VRS: ReadonlySet<VR> = new Set<VR>(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);
const NUMBER_VRS: ReadonlySet<VR> = new Set<VR>(['US', 'SS', 'UL', 'SL', 'FL', 'FD']);

/** Parses one element of a path: a keyword or tag, and an optional `[n]`. */
function parseStep(text: string, whole: string): { readonly tag: Tag; readonly index: number | undefined } {
  const m = /^(.+?)(?:\[(\d{1,3})\])?$/.exec(text.trim());
  if (!m) throw new QueryKeyError(`'${whole}': empty key`);
  let tag: Tag;
  try {
    tag = parseTagKey(m[1]!);
  } catch (error) {
    throw new QueryKeyError(`'${whole}': ${(error as Error).message}`, { cause: error });
  }
  return { tag, index: m[2] === undefined ? undefined : Number(m[2]) };
}

/** Splits `A[0].B/C` into path elements (a `.` separates only after `]`, so `(0010,0010)` stays whole). */
function splitPath(key: string): string[] {
  return key.split(/\/|(?<=\])\./);
}

/** Parses `Key[=Value]`. Throws QueryKeyError saying what is wrong. */
export function parseQueryKey(text: string): QueryKey {
  const eq = text.indexOf('=');
  const keyText = (eq < 0 ? text : text.slice(0, eq)).trim();
  const value = eq < 0 ? undefined : text.slice(eq + 1);
  if (keyText === '') throw new QueryKeyError(`'${short(text)}': no key before '='; write Key=Value, e.g. PatientName=DOE*`);
  const steps = splitPath(keyText).map((s) => parseStep(s, keyText));
  if (steps.length > MAX_PATH) throw new QueryKeyError(`'${keyText}': sequences nest at most ${MAX_PATH - 1} deep in a query`);
  const path: Tag[] = [];
  let vr = 'UN' as VR;
  for (const [i, step] of steps.entries()) {
    const entry = lookupTag(step.tag);
    if (entry === undefined || isPrivateTag(step.tag)) {
      throw new QueryKeyError(`'${keyText}': ${formatTag(step.tag)} is not in the data dictionary, so its VR is unknown; use a standard attribute`);
    }
    vr = entry.vrs[0] ?? 'UN';
    const last = i === steps.length - 1;
    if (!last && vr !== 'SQ') throw new QueryKeyError(`'${keyText}': ${name(step.tag)} is not a sequence, so nothing can be inside it`);
    if (step.index !== undefined) {
      if (vr !== 'SQ') throw new QueryKeyError(`'${keyText}': [${step.index}] after ${name(step.tag)}, which is not a sequence`);
      if (step.index !== 0) throw new QueryKeyError(`'${keyText}': a query sequence holds one item, so the only index is [0]`);
    }
    path.push(step.tag);
  }
  if (vr === 'SQ' && value !== undefined && value !== '') {
    throw new QueryKeyError(`'${keyText}': ${name(path[path.length - 1]!)} is a sequence: give keys inside it (${keyText}[0].Keyword=Value), not a value`);
  }
  if (value !== undefined && value !== '') checkValue(keyText, path[path.length - 1]!, vr, value);
  return { text, path, vr, value };
}

const name = (tag: Tag): string => `${keywordOf(tag) || 'the attribute'} ${formatTag(tag)}`;
const short = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** Checks a key's value for its VR (PS3.5 §6.2; PS3.4 C.2.2.2 matching forms). Throws QueryKeyError. */
export function checkValue(keyText: string, tag: Tag, vr: VR, value: string): void {
  const what = `'${keyText}'`;
  const info = VR_INFO[vr];
  if (value.length > MAX_KEY_VALUE) throw new QueryKeyError(`${what}: the value is ${value.length} characters; a query key holds at most ${MAX_KEY_VALUE}`);
   
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new QueryKeyError(`${what}: the value contains a control character`);
  if (info.kind === 'binary' || info.kind === 'tag' || info.kind === 'sequence') {
    throw new QueryKeyError(`${what}: ${name(tag)} has VR ${vr}, which cannot be a matching key`);
  }
  const values = info.multiValued ? value.split('\\') : [value];
  if (!WILDCARD_VRS.has(vr) && /[*?]/.test(value)) {
    throw new QueryKeyError(`${what}: wild cards (* ?) are not allowed for VR ${vr} (PS3.4 C.2.2.2.4); leave the value empty to match anything`);
  }
  for (const v of values) {
    const chars = [...v].length;
    if (vr === 'PN') {
      const problems = validatePersonName(v);
      if (problems.length > 0) throw new QueryKeyError(`${what}: not a person name: ${problems.join(', ')}`);
    } else if (info.maxLength > 0 && chars > info.maxLength && vr !== 'DA' && vr !== 'TM' && vr !== 'DT') {
      throw new QueryKeyError(`${what}: '${short(v)}' is ${chars} characters; VR ${vr} allows at most ${info.maxLength}`);
    }
    checkOneValue(what, vr, v);
  }
}

function checkOneValue(what: string, vr: VR, v: string): void {
  switch (vr) {
    case 'DA':
      return checkRange(what, v, 'date', () => parseDateRange(v), formatDA, 'YYYYMMDD, YYYYMMDD-YYYYMMDD, -YYYYMMDD or YYYYMMDD-');
    case 'TM':
      return checkRange(what, v, 'time', () => parseTimeRange(v), formatTM, 'HHMMSS or HHMMSS-HHMMSS');
    case 'DT':
      return checkRange(what, v, 'date-time', () => parseDateTimeRange(v), formatDT, 'YYYYMMDDHHMMSS or a range of them');
    case 'UI':
      if (!isValidUid(v)) throw new QueryKeyError(`${what}: '${short(v)}' is not a UID (digits and dots, at most 64 characters)`);
      return;
    case 'IS':
      if (!/^\s*[+-]?\d{1,12}\s*$/.test(v)) throw new QueryKeyError(`${what}: '${short(v)}' is not an integer string`);
      return;
    case 'DS':
      if (!/^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) throw new QueryKeyError(`${what}: '${short(v)}' is not a decimal string`);
      return;
    default:
      if (NUMBER_VRS.has(vr) && !Number.isFinite(Number(v.trim()))) throw new QueryKeyError(`${what}: '${short(v)}' is not a number`);
  }
}

/** A single value or a range: each bound must parse, and the range must not end before it starts. */
function checkRange<T>(what: string, v: string, kind: string, parse: () => Range<T>, format: (p: T) => string, forms: string): void {
  let range: Range<T>;
  try {
    range = parse();
  } catch (error) {
    throw new QueryKeyError(`${what}: '${short(v)}' is not a ${kind} or ${kind} range (${forms})`, { cause: error });
  }
  if (range.from !== undefined && range.to !== undefined && v.includes('-')) {
    const [from, to] = [format(range.from), format(range.to)];
    if (from.length === to.length && from > to) throw new QueryKeyError(`${what}: the range '${v}' ends before it starts`);
  }
}

/** Sets one parsed key in `dataset`, creating the sequence items on its path (item 0 of each). */
export function setQueryKey(dataset: Dataset, key: QueryKey): void {
  let target = dataset;
  for (const tag of key.path.slice(0, -1)) {
    let items = target.items(tag);
    if (items.length === 0) {
      target.set(tag, [new Dataset()]);
      items = target.items(tag);
    }
    target = items[0]!;
  }
  const tag = key.path[key.path.length - 1]!;
  if (key.vr === 'SQ') {
    if (!target.has(tag)) target.set(tag, []);
    return;
  }
  const value = key.value === undefined || key.value === '' ? null : key.value;
  if (value !== null && NUMBER_VRS.has(key.vr)) target.set(tag, value.split('\\').map((v) => Number(v.trim())));
  else target.set(tag, value);
}

/** The keys as a dataset, in order (a later key replaces an earlier one for the same attribute). */
export function queryKeysDataset(keys: readonly QueryKey[]): Dataset {
  const dataset = new Dataset();
  for (const key of keys) setQueryKey(dataset, key);
  return dataset;
}

/**
 * A key whose value can differ from match to match: a return key, a wild card, a list, a range, a sequence. A
 * single-value matching key is the same in every match, so it needs no column of its own.
 */
export function varies(key: QueryKey): boolean {
  if (key.path.length > 1 || key.value === undefined || key.value === '') return true;
  if (/[*?\\]/.test(key.value)) return true;
  return (key.vr === 'DA' || key.vr === 'TM' || key.vr === 'DT') && key.value.includes('-');
}

/** The top-level attributes of the keys whose values vary (for the columns of the output), each once. */
export const topLevelTags = (keys: readonly QueryKey[]): Tag[] => [...new Set(keys.filter(varies).map((k) => k.path[0]!))];
