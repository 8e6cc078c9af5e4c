/**
 * The keys a Query/Retrieve C-FIND asks for by default, per information model and level (PS3.4 C.6.1.1, C.6.2.1):
 * the Required and Unique keys of the level, the optional keys the seeds query (Ez Dicom Converter's Study Root
 * table, DICOM Izer's Table 4.2.2.6.5.3-2) and the counts of PS3.4 Table C.3-1. Each is sent with a zero-length
 * value (universal matching: "return it"); the caller's own keys replace them.
 */
import { Dataset } from '../../data/dataset.js';
import { tagForKeyword } from '../../dictionary/attributes.js';
import { FindQueryError } from './scu-find-errors.js';

/** The Query/Retrieve information model: Patient Root or Study Root (PS3.4 C.6.1, C.6.2). */
export type QueryRoot = 'patient' | 'study';
/** Query/Retrieve Level (0008,0052) values (PS3.4 Tables C.6.1-1, C.6.2-1). */
export type QueryLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

export const QUERY_LEVELS: readonly QueryLevel[] = ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'];

/** The levels of each model, top down. */
export const LEVELS_OF_ROOT: Readonly<Record<QueryRoot, readonly QueryLevel[]>> = {
  patient: ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'],
  study: ['STUDY', 'SERIES', 'IMAGE'],
};

/** The Unique Key of each level (PS3.4 C.6.1.1.2–C.6.1.1.5). */
export const UNIQUE_KEY_OF_LEVEL: Readonly<Record<QueryLevel, string>> = {
  PATIENT: 'PatientID',
  STUDY: 'StudyInstanceUID',
  SERIES: 'SeriesInstanceUID',
  IMAGE: 'SOPInstanceUID',
};

const PATIENT_KEYS = [
  'PatientName', 'PatientID', 'IssuerOfPatientID', 'PatientBirthDate', 'PatientSex',
  'NumberOfPatientRelatedStudies', 'NumberOfPatientRelatedSeries', 'NumberOfPatientRelatedInstances',
] as const;

/** Study level of the Study Root model: the study's keys and the patient's (Ez Dicom Converter, DICOM Izer). */
const STUDY_ROOT_STUDY_KEYS = [
  'PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex',
  'StudyDate', 'StudyTime', 'AccessionNumber', 'StudyID', 'StudyInstanceUID', 'StudyDescription',
  'ReferringPhysicianName', 'ModalitiesInStudy', 'BodyPartExamined',
  'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances',
] as const;

/** Study level of the Patient Root model: the patient's Unique Key, then the study's keys. */
const PATIENT_ROOT_STUDY_KEYS = [
  'PatientID',
  'StudyDate', 'StudyTime', 'AccessionNumber', 'StudyID', 'StudyInstanceUID', 'StudyDescription',
  'ReferringPhysicianName', 'ModalitiesInStudy', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances',
] as const;

const SERIES_KEYS = [
  'SeriesInstanceUID', 'Modality', 'SeriesNumber', 'SeriesDescription', 'SeriesDate', 'SeriesTime', 'BodyPartExamined',
  'NumberOfSeriesRelatedInstances',
] as const;

const IMAGE_KEYS = ['SOPInstanceUID', 'SOPClassUID', 'InstanceNumber'] as const;

/** The default return keys, by model and level: the upper levels' Unique Keys first. */
export const DEFAULT_FIND_KEYS: Readonly<Record<QueryRoot, Readonly<Partial<Record<QueryLevel, readonly string[]>>>>> = {
  patient: {
    PATIENT: PATIENT_KEYS,
    STUDY: PATIENT_ROOT_STUDY_KEYS,
    SERIES: ['PatientID', 'StudyInstanceUID', ...SERIES_KEYS],
    IMAGE: ['PatientID', 'StudyInstanceUID', 'SeriesInstanceUID', ...IMAGE_KEYS],
  },
  study: {
    STUDY: STUDY_ROOT_STUDY_KEYS,
    SERIES: ['StudyInstanceUID', ...SERIES_KEYS],
    IMAGE: ['StudyInstanceUID', 'SeriesInstanceUID', ...IMAGE_KEYS],
  },
};

/** Throws FindQueryError unless the model has the level (Study Root has no PATIENT level). */
export function checkLevel(root: QueryRoot, level: QueryLevel): void {
  if (!LEVELS_OF_ROOT[root]?.includes(level)) {
    throw new FindQueryError(`the ${root === 'study' ? 'Study Root' : 'Patient Root'} model has no ${String(level)} level (it has ${LEVELS_OF_ROOT[root]?.join(', ') ?? 'none'})`);
  }
}

/**
 * An identifier for a level: Query/Retrieve Level, Specific Character Set and every default return key with an
 * empty value, then `keys` (the caller's matching and return keys, which replace the defaults element by element).
 */
export function findIdentifier(root: QueryRoot, level: QueryLevel, keys?: Dataset): Dataset {
  checkLevel(root, level);
  const identifier = new Dataset();
  // Specific Character Set as a return key (Ez Dicom Converter's table): the SCP says how its answers are encoded.
  identifier.set('SpecificCharacterSet', null);
  for (const keyword of DEFAULT_FIND_KEYS[root][level] ?? []) identifier.set(tagForKeyword(keyword)!, null);
  if (keys) for (const e of keys) identifier.add(e);
  identifier.set('QueryRetrieveLevel', level);
  return identifier;
}

/**
 * What a baseline hierarchical search (PS3.4 C.4.1.2.2.1) expects and the identifier lacks: a single value for the
 * Unique Key of each level above the query level. Peers with relational search (Orthanc) answer anyway; others
 * may refuse with A900 or return nothing. One sentence per missing key.
 */
export function hierarchyWarnings(root: QueryRoot, level: QueryLevel, identifier: Dataset): string[] {
  const levels = LEVELS_OF_ROOT[root];
  const above = levels.slice(0, Math.max(0, levels.indexOf(level)));
  const out: string[] = [];
  for (const upper of above) {
    const keyword = UNIQUE_KEY_OF_LEVEL[upper];
    const values = identifier.strings(keyword);
    if (values.length !== 1 || values[0] === '' || /[*?]/.test(values[0]!)) {
      out.push(`${level === 'IMAGE' ? 'an' : 'a'} ${level} query should name its ${upper.toLowerCase()} with one ${keyword} value (baseline hierarchical search); peers without relational search may refuse it or find nothing`);
    }
  }
  return out;
}
