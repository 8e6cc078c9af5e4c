/**
 * Modality Worklist SCU (PS3.4 Annex K, Modality Worklist Information Model - FIND): `worklist()` sends a C-FIND
 * for scheduled procedure steps and yields the worklist items, each decoded with its own Specific Character Set.
 *
 * Status handling is DICOM Camera's Table 3-15: pending items (FF00, FF01) are collected; A700, A900, Cxxx and any
 * other status that is not Success fail the query (`FindFailedError`) and the association is aborted (A-ABORT).
 * A timeout aborts it too (Table 3-16). Each item is conformed to the request (`conformToRequest`): requested keys
 * the SCP did not return are there with no value, attributes not asked for are dropped. `worklistIdentifier()` builds the identifier DICOM Camera and DICOM Izer
 * send: every return key of Table 3-17 and Table 4.2.2.6.4.3-2, matching on the Scheduled Procedure Step Start
 * Date (today by default), Modality and Scheduled Station AE Title.
 */
import { Dataset } from '../../data/dataset.js';
import { dateToDA, formatDA, parseDateRange } from '../../data/date-time.js';
import { SPECIFIC_CHARACTER_SET } from '../../data/tag.js';
import { tagForKeyword } from '../../dictionary/attributes.js';
import { Association } from '../../net/acse/association.js';
import type { Peer } from '../../net/ae.js';
import { FindQueryError } from '../query-retrieve/scu-find-errors.js';
import { cFind, checkFindOptions, type FindStream } from '../query-retrieve/scu-find-stream.js';
import { onPeer, type PeerConnection } from '../query-retrieve/scu-find.js';
import { WORKLIST_STATUS } from './status.js';
import { ModalityWorklistInformationModelFind } from './uids.js';

export { FindFailedError, FindNotAcceptedError, FindQueryError, FindResponseError } from '../query-retrieve/scu-find-errors.js';
export type { FindStream, FindSummary } from '../query-retrieve/scu-find-stream.js';
export type { PeerConnection } from '../query-retrieve/scu-find.js';

/** A Modality Worklist C-FIND. */
export interface WorklistQuery {
  /** Matching and return keys (see `worklistIdentifier`). Not changed. */
  readonly identifier: Dataset;
  /** Aborting it sends C-CANCEL; the iteration then ends cleanly after the final response. */
  readonly signal?: AbortSignal;
  /** At most this many items: then C-CANCEL. */
  readonly limit?: number;
  /** C-FIND priority (default MEDIUM). */
  readonly priority?: number;
  /** How long to wait for the final response after C-CANCEL (default 10 s); then the association is aborted. */
  readonly cancelTimeoutMs?: number;
}

/**
 * Worklist C-FIND on `target`: an association, or a peer (an association opened with `connection` proposing the
 * Modality Worklist Information Model - FIND in Explicit and Implicit VR Little Endian, released at the end).
 */
export function worklist(target: Association | Peer, query: WorklistQuery, connection: PeerConnection = {}): FindStream {
  checkFindOptions(query);
  const identifier = query.identifier.clone();
  const run = (association: Association): FindStream =>
    cFind(association, {
      sopClassUid: ModalityWorklistInformationModelFind,
      identifier,
      transform: (item) => conformToRequest(item, identifier),
      statuses: WORKLIST_STATUS,
      operation: 'worklist C-FIND',
      signal: query.signal,
      limit: query.limit,
      priority: query.priority,
      cancelTimeoutMs: query.cancelTimeoutMs,
      abortOnFailure: true,
    });
  return target instanceof Association ? run(target) : onPeer(target, ModalityWorklistInformationModelFind, connection, run);
}

/**
 * A worklist item as DICOM Camera takes it (Table 3-17 notes): every requested return key is there — with no value
 * when the SCP did not return it — and attributes that were not asked for are dropped (Specific Character Set is
 * kept). A sequence asked for with one item has each returned item conformed to that item; one asked for empty
 * (universal sequence matching) is taken as returned.
 */
export function conformToRequest(item: Dataset, request: Dataset): Dataset {
  const out = new Dataset();
  const charset = item.get(SPECIFIC_CHARACTER_SET);
  if (charset) out.add(charset);
  for (const key of request) {
    if (key.tag === SPECIFIC_CHARACTER_SET) continue;
    const got = item.get(key.tag);
    if (key.vr !== 'SQ') {
      if (got && got.vr !== 'SQ') out.add(got);
      else out.set(key.tag, null, key.vr);
      continue;
    }
    const template = key.items[0];
    if (got === undefined || got.vr !== 'SQ') out.set(key.tag, [], 'SQ');
    else if (template === undefined) out.add(got);
    else out.set(key.tag, got.items.map((i) => conformToRequest(i, template)), 'SQ');
  }
  return out;
}

// -- The identifier ----------------------------------------------------------------------------------------------------

/**
 * Return keys inside the Scheduled Procedure Step Sequence (0040,0100): DICOM Izer Table 4.2.2.6.4.3-2 and DICOM
 * Camera Table 3-17.
 */
export const WORKLIST_STEP_KEYS: readonly string[] = [
  'ScheduledStationAETitle', 'ScheduledProcedureStepStartDate', 'ScheduledProcedureStepStartTime',
  'ScheduledProcedureStepEndDate', 'ScheduledProcedureStepEndTime', 'Modality', 'ScheduledPerformingPhysicianName',
  'ScheduledProcedureStepDescription', 'ScheduledStationName', 'ScheduledProcedureStepLocation', 'PreMedication',
  'ScheduledProcedureStepID', 'ScheduledProcedureStepStatus', 'CommentsOnTheScheduledProcedureStep', 'RequestedContrastAgent',
];

/** Top-level return keys: Requested Procedure, Imaging Service Request, Visit, Patient (the same two tables). */
export const WORKLIST_KEYS: readonly string[] = [
  // Requested Procedure
  'RequestedProcedureID', 'RequestedProcedureDescription', 'StudyInstanceUID', 'ReasonForTheRequestedProcedure',
  'RequestedProcedurePriority', 'PatientTransportArrangements', 'NamesOfIntendedRecipientsOfResults', 'RequestedProcedureComments',
  // Imaging Service Request
  'AccessionNumber', 'RequestingPhysician', 'ReferringPhysicianName', 'RequestingService', 'StudyDescription',
  'ReasonForTheImagingServiceRequest', 'ImagingServiceRequestComments', 'PlacerOrderNumberImagingServiceRequest',
  // Visit Identification and Status
  'AdmissionID', 'IssuerOfAdmissionID', 'CurrentPatientLocation',
  // Patient Identification, Demographic and Medical
  'PatientName', 'PatientID', 'PatientBirthDate', 'PatientBirthTime', 'PatientSex', 'PatientSize', 'PatientWeight',
  'ConfidentialityConstraintOnPatientDataDescription', 'EthnicGroup', 'PatientComments', 'PatientState', 'MedicalAlerts',
  'Allergies', 'SpecialNeeds', 'AdditionalPatientHistory', 'LastMenstrualDate',
];

const SCHEDULED_PROCEDURE_STEP_SEQUENCE = tagForKeyword('ScheduledProcedureStepSequence')!;

export interface WorklistKeys {
  /**
   * Scheduled Procedure Step Start Date: `today` (the default), `YYYYMMDD`, or a range `YYYYMMDD-YYYYMMDD`
   * (either end may be left open); `any` for no date matching.
   */
  readonly date?: string;
  /** Modality (e.g. XL for DICOM Camera, OT), single value matching. */
  readonly modality?: string;
  /** Scheduled Station AE Title, single value matching. */
  readonly stationAeTitle?: string;
  /**
   * More keys, which replace the defaults; the elements of a Scheduled Procedure Step Sequence item are merged into
   * the default item.
   */
  readonly keys?: Dataset;
  /** What `today` is (default: now, local time). */
  readonly now?: Date;
}

/**
 * `today` → the local date; `YYYYMMDD` and ranges checked (PS3.4 C.2.2.2.5) and returned as given; `any` → ''.
 * Throws FindQueryError for anything else, and for a range that ends before it starts.
 */
export function worklistDate(text: string, now: Date = new Date()): string {
  const t = text.trim();
  if (t.toLowerCase() === 'today') return dateToDA(now);
  if (t.toLowerCase() === 'any' || t === '') return '';
  let from: string | undefined;
  let to: string | undefined;
  try {
    if (!/^[0-9.-]+$/.test(t)) throw new Error('expected digits');
    const range = parseDateRange(t);
    from = range.from && formatDA(range.from);
    to = range.to && formatDA(range.to);
  } catch (error) {
    throw new FindQueryError(`'${text}' is not a date: write today, YYYYMMDD or YYYYMMDD-YYYYMMDD`, { cause: error });
  }
  if (from !== undefined && to !== undefined && from > to) throw new FindQueryError(`the date range '${text}' ends before it starts`);
  return t;
}

/**
 * The worklist identifier: every return key with an empty value, the Scheduled Procedure Step Sequence with one item
 * holding the step's keys, Start Date matching `date` (today by default), Modality and Scheduled Station AE Title
 * when given, then `keys`.
 */
export function worklistIdentifier(options: WorklistKeys = {}): Dataset {
  const step = new Dataset();
  for (const keyword of WORKLIST_STEP_KEYS) step.set(tagForKeyword(keyword)!, null);
  const date = worklistDate(options.date ?? 'today', options.now);
  step.set('ScheduledProcedureStepStartDate', date === '' ? null : date);
  if (options.modality !== undefined) step.set('Modality', options.modality);
  if (options.stationAeTitle !== undefined) step.set('ScheduledStationAETitle', options.stationAeTitle);
  const identifier = new Dataset();
  // Specific Character Set as a return key (DICOM Camera's Table 3-17): the SCP says how each item is encoded.
  identifier.set('SpecificCharacterSet', null);
  for (const keyword of WORKLIST_KEYS) identifier.set(tagForKeyword(keyword)!, null);
  for (const e of options.keys ?? []) {
    if (e.tag === SCHEDULED_PROCEDURE_STEP_SEQUENCE && e.items.length === 1) for (const inner of e.items[0]!) step.add(inner);
    else identifier.add(e);
  }
  if (!identifier.has(SCHEDULED_PROCEDURE_STEP_SEQUENCE)) identifier.set(SCHEDULED_PROCEDURE_STEP_SEQUENCE, [step]);
  return identifier;
}
