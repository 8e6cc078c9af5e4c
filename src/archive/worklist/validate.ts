import { randomInt } from 'node:crypto';
import { DicomValueError } from '../../core/errors.js';
import { Dataset } from '../../data/dataset.js';
import { parseDA, parseDT, parseTM } from '../../data/date-time.js';
import type { Element } from '../../data/element.js';
import { validatePersonName } from '../../data/person-name.js';
import { formatTag, isGroupLength, SPECIFIC_CHARACTER_SET, type Tag, tagGroup } from '../../data/tag.js';
import { generateUid, isValidUid } from '../../data/uid.js';
import { VR_INFO } from '../../data/vr.js';
import { keywordOf, tagForKeyword } from '../../dictionary/attributes.js';
import { SCHEDULED_PROCEDURE_STEP_SEQUENCE } from './columns.js';
import { WorklistError } from './errors.js';

/**
 * The attributes of the Scheduled Procedure Step Sequence item (PS3.4 Table K.6-1, seed 003 Table 4.2.2.6.4.3-2,
 * seed 004 Table 3-17). Given at the top level of an entry (flat JSON, CSV columns), they are moved into its SPS item.
 */
export const SPS_ITEM_KEYWORDS: readonly string[] = [
  'Modality',
  'ScheduledStationAETitle',
  'ScheduledStationName',
  'ScheduledStationNameCodeSequence',
  'ScheduledStationClassCodeSequence',
  'ScheduledStationGeographicLocationCodeSequence',
  'ScheduledProcedureStepLocation',
  'ScheduledProcedureStepStartDate',
  'ScheduledProcedureStepStartTime',
  'ScheduledProcedureStepEndDate',
  'ScheduledProcedureStepEndTime',
  'ScheduledPerformingPhysicianName',
  'ScheduledPerformingPhysicianIdentificationSequence',
  'ScheduledProcedureStepDescription',
  'ScheduledProtocolCodeSequence',
  'ScheduledProcedureStepID',
  'ScheduledProcedureStepStatus',
  'ScheduledProcedureStepModificationDateTime',
  'CommentsOnTheScheduledProcedureStep',
  'PreMedication',
  'RequestedContrastAgent',
  'ScheduledSpecimenSequence',
];

const tagOf = (keyword: string): Tag => tagForKeyword(keyword)!;
export const SPS_ITEM_TAGS: ReadonlySet<Tag> = new Set(SPS_ITEM_KEYWORDS.map(tagOf));

const SPS = SCHEDULED_PROCEDURE_STEP_SEQUENCE;
const SPS_KEYWORD = 'ScheduledProcedureStepSequence';
const START_DATE = tagOf('ScheduledProcedureStepStartDate');
const SPS_ID = tagOf('ScheduledProcedureStepID');
const STUDY_UID = tagOf('StudyInstanceUID');
const REQUESTED_PROCEDURE_ID = tagOf('RequestedProcedureID');
const ACCESSION = tagOf('AccessionNumber');

/** No value of an entry may be longer than this, whatever its VR allows (UC, UT, UR). */
export const MAX_VALUE_CHARS = 65536;
/** Sequences nested deeper than this are refused. */
const MAX_DEPTH = 8;

export interface NormalizeOptions {
  /** Makes the IDs generated for a missing Scheduled Procedure Step ID or Requested Procedure ID (SH, ≤ 16 chars). */
  readonly newId?: () => string;
}

const fail = (field: string, message: string): never => {
  throw new WorklistError('INPUT', `${field}: ${message}`, undefined, field);
};

const nameOf = (tag: Tag): string => keywordOf(tag) || formatTag(tag);

/**
 * Checks one worklist entry and makes it the items the worklist stores, one per Scheduled Procedure Step:
 * attributes of the SPS item given at the top level are moved into it; Patient's Name, Patient ID and each SPS
 * Start Date are required; every value must be valid for its VR (dates, times, UIDs, code strings, lengths); a
 * missing Study Instance UID is generated (shared by the entry's SPS items), a missing Requested Procedure ID is the
 * Accession Number (or generated), a missing Scheduled Procedure Step ID is generated. Specific Character Set and
 * group lengths are dropped: values are Unicode text. Throws WorklistError (INPUT) naming the field.
 */
export function normalizeWorklistItem(input: Dataset, options: NormalizeOptions = {}): Dataset[] {
  const newId = options.newId ?? generateShortId;
  const item = new Dataset();
  for (const e of input) {
    if (isGroupLength(e.tag) || e.tag === SPECIFIC_CHARACTER_SET || tagGroup(e.tag) <= 0x0007) continue;
    item.add(e);
  }
  liftSpsAttributes(item);
  checkValues(item, '', 0);
  for (const keyword of ['PatientName', 'PatientID']) if (!item.string(keyword)) fail(keyword, 'required');
  const steps = item.items(SPS);
  if (steps.length === 0) fail(SPS_KEYWORD, 'no Scheduled Procedure Step (give at least ScheduledProcedureStepStartDate)');
  if (!item.string(STUDY_UID)) item.set(STUDY_UID, generateUid());
  if (!item.string(REQUESTED_PROCEDURE_ID)) item.set(REQUESTED_PROCEDURE_ID, item.string(ACCESSION) ?? newId());
  return steps.map((step, i) => {
    const where = steps.length > 1 ? `${SPS_KEYWORD}[${i + 1}]` : SPS_KEYWORD;
    if (!step.string(START_DATE)) fail(`${where}/ScheduledProcedureStepStartDate`, 'required');
    const sps = step.clone();
    if (!sps.string(SPS_ID)) sps.set(SPS_ID, newId());
    const one = item.clone();
    one.set(SPS, [sps]);
    return one;
  });
}

/**
 * Moves SPS item attributes found at the top level into the SPS item (created when there is none). With several SPS
 * items it is not clear which one they belong to, and an attribute given in both places is a contradiction: errors.
 */
function liftSpsAttributes(item: Dataset): void {
  const flat = item.tags().filter((t) => SPS_ITEM_TAGS.has(t));
  if (flat.length === 0) return;
  const existing = item.items(SPS);
  if (existing.length > 1) fail(nameOf(flat[0]!), `given at the top level, but ${SPS_KEYWORD} has ${existing.length} items: put it in each item`);
  const sps = existing[0]?.clone() ?? new Dataset();
  for (const tag of flat) {
    if (sps.has(tag)) fail(nameOf(tag), `given both at the top level and in ${SPS_KEYWORD}: use one or the other`);
    sps.add(item.get(tag)!);
    item.delete(tag);
  }
  item.set(SPS, [sps]);
}

const CS_RE = /^[A-Z0-9 _]*$/;
const IS_RE = /^ *[+-]?\d+ *$/;
const DS_RE = /^ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *$/;
const CONTROL = /[\0-\x1f\x7f]/;
const TEXT_CONTROL = /[\0-\x08\x0b\x0e-\x1f\x7f]/;

/** Every value valid for its VR; no binary values; bounded nesting. */
function checkValues(dataset: Dataset, path: string, depth: number): void {
  if (depth > MAX_DEPTH) fail(path.slice(0, -1), `sequences nested deeper than ${MAX_DEPTH} levels`);
  for (const e of dataset) {
    const field = `${path}${nameOf(e.tag)}`;
    const info = VR_INFO[e.vr];
    if (info.kind === 'sequence') {
      e.items.forEach((item, i) => checkValues(item, `${field}${e.items.length > 1 ? `[${i + 1}]` : ''}/`, depth + 1));
      continue;
    }
    if (info.kind === 'binary') fail(field, `${e.vr} values are not accepted in a worklist entry`);
    if (info.kind === 'string' || info.kind === 'text') checkStrings(e, field);
  }
}

function checkStrings(e: Element, field: string): void {
  const info = VR_INFO[e.vr];
  for (const value of e.strings) {
    if (value === '') continue;
    const chars = [...value].length;
    const max = info.maxLength > 0 ? info.maxLength : MAX_VALUE_CHARS;
    const shown = chars > 24 ? `${JSON.stringify([...value].slice(0, 24).join(''))}...` : JSON.stringify(value);
    if ((info.kind === 'text' ? TEXT_CONTROL : CONTROL).test(value)) fail(field, `${chars > 24 ? shown : JSON.stringify(value)} contains a control character`);
    // The VR's grammar first (a date written 1970-01-01 is a format mistake, not a length one), then the length.
    checkVr(e, value, field);
    if (chars > max) fail(field, `${shown} is ${chars} characters, longer than ${e.vr} allows (${max})`);
  }
}

function checkVr(e: Element, value: string, field: string): void {
  const bad = (why: string): never => fail(field, `${JSON.stringify(value)} is not ${why}`);
  try {
    switch (e.vr) {
      case 'DA':
        parseDA(value);
        if (!/^\d{8}$/.test(value.trim())) bad('a DA value (YYYYMMDD)');
        break;
      case 'TM':
        parseTM(value);
        // Stored times are compared as text: no ACR-NEMA `HH:MM` form.
        if (!/^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/.test(value.trim())) bad('a TM value (HHMMSS.FFFFFF)');
        break;
      case 'DT':
        parseDT(value);
        break;
      case 'UI':
        if (!isValidUid(value)) bad('a UID (digits and dots, at most 64 characters)');
        break;
      case 'CS':
        if (!CS_RE.test(value)) bad('a code string (upper-case letters, digits, space, underscore)');
        break;
      case 'IS':
        if (!IS_RE.test(value)) bad('an integer string');
        break;
      case 'DS':
        if (!DS_RE.test(value)) bad('a decimal string');
        break;
      case 'PN': {
        const problems = validatePersonName(value);
        if (problems.length > 0) bad(`a valid person name: ${problems.join(', ')}`);
        break;
      }
    }
  } catch (error) {
    if (error instanceof DicomValueError) fail(field, error.message);
    throw error;
  }
}

let counter = 0;

/** A short ID (SH, 14 characters): base-36 milliseconds, then a counter and randomness so that a batch gets distinct ones. */
export function generateShortId(): string {
  counter = (counter + 1) % 1296;
  const time = Date.now().toString(36).toUpperCase().padStart(9, '0').slice(-9);
  const tail = (counter * 1296 + randomInt(1296)).toString(36).toUpperCase().padStart(4, '0');
  return `W${time}${tail}`;
}
