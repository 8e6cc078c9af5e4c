/**
 * The Query/Retrieve information models an SCP serves (PS3.4 C.6.1 Patient Root, C.6.2 Study Root): their levels,
 * the unique key of each level, the keys each level's table lists, and the checks made on a request Identifier
 * before anything is matched:
 *
 * - Query/Retrieve Level (0008,0052) is present and one of the model's levels (else A900);
 * - hierarchical (baseline) method, C.4.1.2.2.1 / C.4.2.2.1 / C.4.3.2.1: a single value (no list, no wild card)
 *   in the unique key of every level above the Query/Retrieve Level (else A900); the relational method
 *   (C.4.1.2.2.2, C.4.2.2.2, C.4.3.2.2) drops that requirement;
 * - C-MOVE / C-GET: the unique key of the level itself, one value at PATIENT level and one UID or a list of UIDs
 *   below it (else A900).
 *
 * Keys the tables list only for levels *below* the Query/Retrieve Level are neither matched nor returned: the
 * match is then answered with FF01 (optional keys not supported). Keys of the level and the levels above are
 * matched (also non-unique ones above the level, which a strict baseline SCU would not send), and any attribute the
 * tables do not list is taken at any level, as the "all other attributes of the level" rows allow.
 */
import { DicomError } from '../../core/errors.js';
import { Dataset } from '../../data/dataset.js';
import { formatTag, type Tag } from '../../data/tag.js';
import { tagForKeyword } from '../../dictionary/attributes.js';
import type { MatchOptions } from '../../matching/condition.js';
import { QueryRetrieveStatus } from './status.js';
import {
  PatientRootQueryRetrieveInformationModelFind,
  PatientRootQueryRetrieveInformationModelGet,
  PatientRootQueryRetrieveInformationModelMove,
  StudyRootQueryRetrieveInformationModelFind,
  StudyRootQueryRetrieveInformationModelGet,
  StudyRootQueryRetrieveInformationModelMove,
} from './uids.js';

export type QueryRetrieveLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';
export type InformationModel = 'PATIENT_ROOT' | 'STUDY_ROOT';
export type QueryRetrieveOperation = 'FIND' | 'MOVE' | 'GET';

const tag = (keyword: string): Tag => {
  const t = tagForKeyword(keyword);
  if (t === undefined) throw new Error(`the dictionary has no ${keyword}`);
  return t;
};

export const QUERY_RETRIEVE_LEVEL: Tag = tag('QueryRetrieveLevel');
export const SPECIFIC_CHARACTER_SET: Tag = tag('SpecificCharacterSet');
export const RETRIEVE_AE_TITLE: Tag = tag('RetrieveAETitle');
export const FAILED_SOP_INSTANCE_UID_LIST: Tag = tag('FailedSOPInstanceUIDList');

/** The unique key of each level (C.6.1.1, C.6.2.1): Patient ID, Study / Series / SOP Instance UID. */
export const UNIQUE_KEY: Readonly<Record<QueryRetrieveLevel, Tag>> = Object.freeze({
  PATIENT: tag('PatientID'),
  STUDY: tag('StudyInstanceUID'),
  SERIES: tag('SeriesInstanceUID'),
  IMAGE: tag('SOPInstanceUID'),
});

/** The levels of each model, top down (C.6.1.1.1, C.6.2.1.1). */
export const MODEL_LEVELS: Readonly<Record<InformationModel, readonly QueryRetrieveLevel[]>> = Object.freeze({
  PATIENT_ROOT: Object.freeze(['PATIENT', 'STUDY', 'SERIES', 'IMAGE'] as const),
  STUDY_ROOT: Object.freeze(['STUDY', 'SERIES', 'IMAGE'] as const),
});

const SOP_CLASSES: readonly (readonly [string, InformationModel, QueryRetrieveOperation])[] = [
  [PatientRootQueryRetrieveInformationModelFind, 'PATIENT_ROOT', 'FIND'],
  [PatientRootQueryRetrieveInformationModelMove, 'PATIENT_ROOT', 'MOVE'],
  [PatientRootQueryRetrieveInformationModelGet, 'PATIENT_ROOT', 'GET'],
  [StudyRootQueryRetrieveInformationModelFind, 'STUDY_ROOT', 'FIND'],
  [StudyRootQueryRetrieveInformationModelMove, 'STUDY_ROOT', 'MOVE'],
  [StudyRootQueryRetrieveInformationModelGet, 'STUDY_ROOT', 'GET'],
];

/** The SOP class of a model's FIND, MOVE or GET. */
export function sopClassOf(model: InformationModel, operation: QueryRetrieveOperation): string {
  return SOP_CLASSES.find(([, m, o]) => m === model && o === operation)![0];
}

/** The model and operation of a Query/Retrieve SOP class UID (undefined for any other UID). */
export function modelOfSopClass(uid: string): { readonly model: InformationModel; readonly operation: QueryRetrieveOperation } | undefined {
  const entry = SOP_CLASSES.find(([u]) => u === uid);
  return entry && { model: entry[1], operation: entry[2] };
}

/** The levels above `level` in the model, top down. */
export function levelsAbove(model: InformationModel, level: QueryRetrieveLevel): readonly QueryRetrieveLevel[] {
  const levels = MODEL_LEVELS[model];
  return levels.slice(0, levels.indexOf(level));
}

// -- The key tables -------------------------------------------------------------------------------------------------

/** Patient level keys (C.6.1.1.2, Table C.6-1), which Study Root puts at the STUDY level (C.6.2.1.2, Table C.6-5). */
const PATIENT_KEYS = [
  'PatientName', 'PatientID', 'IssuerOfPatientID', 'IssuerOfPatientIDQualifiersSequence', 'ReferencedPatientSequence',
  'PatientBirthDate', 'PatientBirthTime', 'PatientSex', 'OtherPatientIDsSequence', 'OtherPatientNames', 'EthnicGroup',
  'PatientComments', 'NumberOfPatientRelatedStudies', 'NumberOfPatientRelatedSeries', 'NumberOfPatientRelatedInstances',
];
/** Study level keys (C.6.1.1.3, Table C.6-2). */
const STUDY_KEYS = [
  'StudyDate', 'StudyTime', 'AccessionNumber', 'IssuerOfAccessionNumberSequence', 'StudyID', 'StudyInstanceUID',
  'ReferringPhysicianName', 'StudyDescription', 'ProcedureCodeSequence', 'NameOfPhysiciansReadingStudy',
  'AdmittingDiagnosesDescription', 'ReferencedStudySequence', 'PatientAge', 'PatientSize', 'PatientWeight', 'Occupation',
  'AdditionalPatientHistory', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances', 'ModalitiesInStudy',
  'SOPClassesInStudy', 'AnatomicRegionsInStudyCodeSequence',
];
/** Series level keys (C.6.1.1.4, Table C.6-3). */
const SERIES_KEYS = ['Modality', 'SeriesNumber', 'SeriesInstanceUID', 'NumberOfSeriesRelatedInstances'];
/** Composite object instance level keys (C.6.1.1.5, Table C.6-4). */
const IMAGE_KEYS = [
  'InstanceNumber', 'SOPInstanceUID', 'SOPClassUID', 'AlternateRepresentationSequence', 'RelatedGeneralSOPClassUID',
  'ConceptNameCodeSequence', 'ContentTemplateSequence', 'ContainerIdentifier', 'SpecimenDescriptionSequence',
];

const toTags = (keywords: readonly string[]): ReadonlySet<Tag> => new Set(keywords.map(tag));
const TABLES: Readonly<Record<QueryRetrieveLevel, ReadonlySet<Tag>>> = {
  PATIENT: toTags(PATIENT_KEYS),
  STUDY: toTags(STUDY_KEYS),
  SERIES: toTags(SERIES_KEYS),
  IMAGE: toTags(IMAGE_KEYS),
};

/**
 * The level whose key table lists a tag in a model (Study Root has no PATIENT level: its patient keys are STUDY
 * keys), or undefined for an attribute no table lists.
 */
export function levelOfKey(model: InformationModel, key: Tag): QueryRetrieveLevel | undefined {
  for (const level of ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'] as const) {
    if (!TABLES[level].has(key)) continue;
    return level === 'PATIENT' && model === 'STUDY_ROOT' ? 'STUDY' : level;
  }
  return undefined;
}

/** Attributes that describe the request, not an entity: never matched (C.2.2.2, C.4.1.1.3). */
const NOT_KEYS: ReadonlySet<Tag> = new Set([SPECIFIC_CHARACTER_SET, QUERY_RETRIEVE_LEVEL, RETRIEVE_AE_TITLE, tag('QueryRetrieveView'), tag('InstanceAvailability')]);

/** Is the attribute a key that can be matched (not Specific Character Set, Query/Retrieve Level, a group length ...)? */
export const isMatchingKey = (key: Tag): boolean => !NOT_KEYS.has(key) && (key & 0xffff) !== 0;

// -- Checking a request ---------------------------------------------------------------------------------------------

/** A request Identifier the SCP refuses: the status to answer with, the Error Comment and the offending tags. */
export class QueryIdentifierError extends DicomError {
  constructor(
    readonly status: number,
    message: string,
    readonly offendingElements: readonly Tag[] = [],
  ) {
    super('ERR_QUERY_IDENTIFIER', message);
  }
}

/** A C-FIND as the provider gets it, checked. */
export interface QueryRequest {
  readonly model: InformationModel;
  readonly level: QueryRetrieveLevel;
  /** The Identifier without the keys of lower levels (and without Query/Retrieve Level). */
  readonly identifier: Dataset;
  /** Keys of lower levels: not matched, returned empty, and the reason for FF01. */
  readonly unsupportedKeys: readonly Tag[];
  readonly relational: boolean;
  /**
   * How this query's keys are matched, over the provider's own options: what the association negotiated
   * (combined date-time matching, PS3.4 C.5.1.1). Absent: the provider's options alone.
   */
  readonly match?: MatchOptions;
}

/** A C-MOVE or C-GET as the provider gets it: the unique keys that select the instances. */
export interface RetrieveRequest {
  readonly model: InformationModel;
  readonly level: QueryRetrieveLevel;
  /** Only the unique keys given for the level and the levels above (and Specific Character Set). */
  readonly identifier: Dataset;
}

export interface CheckOptions {
  /** Relational queries / retrieves (C.4.1.2.2.2, C.4.2.2.2): unique keys of the levels above may be absent. */
  readonly relational?: boolean;
  /** C-FIND: the query's matching options (`QueryRequest.match`). */
  readonly match?: MatchOptions;
}

const isWildcard = (value: string): boolean => value.includes('*') || value.includes('?');

/** The Query/Retrieve Level of the Identifier, checked against the model. */
export function levelOf(identifier: Dataset, model: InformationModel): QueryRetrieveLevel {
  const values = identifier.strings(QUERY_RETRIEVE_LEVEL).map((v) => v.trim());
  const levels = MODEL_LEVELS[model];
  const name = model === 'PATIENT_ROOT' ? 'Patient Root' : 'Study Root';
  if (values.length === 0 || values[0] === '') {
    throw new QueryIdentifierError(QueryRetrieveStatus.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS, 'Query/Retrieve Level (0008,0052) is missing', [QUERY_RETRIEVE_LEVEL]);
  }
  const level = values[0]!.toUpperCase();
  if (values.length > 1 || !(levels as readonly string[]).includes(level)) {
    throw new QueryIdentifierError(
      QueryRetrieveStatus.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS,
      `Query/Retrieve Level '${short(values.join('\\'))}' is not ${levels.join(', ')} (${name})`,
      [QUERY_RETRIEVE_LEVEL],
    );
  }
  return level as QueryRetrieveLevel;
}

/** The unique key of an upper level must hold one value, without wild cards (hierarchical method). */
function checkSingleUniqueKey(identifier: Dataset, level: QueryRetrieveLevel, below: QueryRetrieveLevel, optional: boolean): void {
  const key = UNIQUE_KEY[level];
  const values = identifier.strings(key);
  const what = `${keyName(key)} ${formatTag(key)}`;
  if (values.length === 0 || values.every((v) => v.trim() === '')) {
    if (optional) return;
    throw new QueryIdentifierError(
      QueryRetrieveStatus.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS,
      `${what} missing (hierarchical ${below})`,
      [key],
    );
  }
  if (values.length > 1 || isWildcard(values[0]!)) {
    if (optional) return;
    throw new QueryIdentifierError(
      QueryRetrieveStatus.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS,
      `${what}: one value, no list or wildcard`,
      [key],
    );
  }
}

/** Checks a C-FIND Identifier against the model (see the file comment). Throws QueryIdentifierError. */
export function checkFindIdentifier(identifier: Dataset, model: InformationModel, options: CheckOptions = {}): QueryRequest {
  const level = levelOf(identifier, model);
  const relational = options.relational === true;
  for (const above of levelsAbove(model, level)) checkSingleUniqueKey(identifier, above, level, relational);
  const levels = MODEL_LEVELS[model];
  const depth = levels.indexOf(level);
  const kept = new Dataset();
  const unsupportedKeys: Tag[] = [];
  for (const element of identifier) {
    if (element.tag === QUERY_RETRIEVE_LEVEL) continue;
    const home = levelOfKey(model, element.tag);
    if (home !== undefined && levels.indexOf(home) > depth) unsupportedKeys.push(element.tag);
    else kept.add(element);
  }
  return { model, level, identifier: kept, unsupportedKeys, relational, ...(options.match ? { match: options.match } : {}) };
}

/**
 * Checks a C-MOVE / C-GET Identifier (C.4.2.2.1, C.4.3.2.1): the level's unique key with one value at PATIENT
 * level and one or more UIDs below; hierarchical: one value in the unique key of each level above. Other keys are
 * not used. Throws QueryIdentifierError.
 */
export function checkRetrieveIdentifier(identifier: Dataset, model: InformationModel, options: CheckOptions = {}): RetrieveRequest {
  const level = levelOf(identifier, model);
  for (const above of levelsAbove(model, level)) checkSingleUniqueKey(identifier, above, level, options.relational === true);
  const key = UNIQUE_KEY[level];
  const values = identifier.strings(key).map((v) => v.trim());
  const what = `${keyName(key)} ${formatTag(key)}`;
  if (values.length === 0 || values.some((v) => v === '')) {
    throw new QueryIdentifierError(QueryRetrieveStatus.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS, `${level} retrieve needs ${what}`, [key]);
  }
  if (values.some(isWildcard) || (level === 'PATIENT' && values.length > 1)) {
    const allowed = level === 'PATIENT' ? 'one value, no list or wildcard' : 'UIDs, no wildcard';
    throw new QueryIdentifierError(QueryRetrieveStatus.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS, `${what}: ${allowed}`, [key]);
  }
  const selected = new Dataset();
  const charset = identifier.get(SPECIFIC_CHARACTER_SET);
  if (charset) selected.add(charset);
  for (const l of [...levelsAbove(model, level), level]) {
    const element = identifier.get(UNIQUE_KEY[l]);
    if (element && element.strings.some((v) => v.trim() !== '')) selected.add(element);
  }
  return { model, level, identifier: selected };
}

const KEY_NAMES = new Map<Tag, string>([
  [UNIQUE_KEY.PATIENT, 'Patient ID'],
  [UNIQUE_KEY.STUDY, 'Study Instance UID'],
  [UNIQUE_KEY.SERIES, 'Series Instance UID'],
  [UNIQUE_KEY.IMAGE, 'SOP Instance UID'],
]);
const keyName = (key: Tag): string => KEY_NAMES.get(key) ?? formatTag(key);
const short = (text: string): string => (text.length > 16 ? `${text.slice(0, 16)}...` : text);
