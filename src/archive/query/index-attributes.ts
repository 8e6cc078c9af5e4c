/**
 * What the index knows of each Query/Retrieve level: the table of the level and the parent tables joined to it, the
 * attributes kept as columns (matched in SQL through the shared ColumnMap, returned from the row), and the ones the
 * index computes (the Number of … Related … counts, Modalities / SOP Classes in Study, Instance Availability), which
 * are matched in memory. Everything else comes from a stored file of the entity.
 */
import { type Tag } from '../../data/tag.js';
import { tagForKeyword } from '../../dictionary/attributes.js';
import type { ColumnMap, ColumnSpec } from '../../matching/sql.js';
import type { QueryRetrieveLevel } from '../../services/query-retrieve/levels.js';

export type EntityTable = 'patients' | 'studies' | 'series' | 'instances';

/** The level's own table. */
export const LEVEL_TABLE: Readonly<Record<QueryRetrieveLevel, EntityTable>> = Object.freeze({
  PATIENT: 'patients',
  STUDY: 'studies',
  SERIES: 'series',
  IMAGE: 'instances',
});

/** The tables a level's query reads: its own, then its parents up to the patient. */
export const LEVEL_TABLES: Readonly<Record<QueryRetrieveLevel, readonly EntityTable[]>> = Object.freeze({
  PATIENT: ['patients'],
  STUDY: ['studies', 'patients'],
  SERIES: ['series', 'studies', 'patients'],
  IMAGE: ['instances', 'series', 'studies', 'patients'],
});

/** The columns read from each table (the index's DICOM strings and counters; see index/schema.ts). */
export const TABLE_COLUMNS: Readonly<Record<EntityTable, readonly string[]>> = Object.freeze({
  patients: ['id', 'patient_id', 'issuer_of_patient_id', 'patient_name', 'patient_birth_date', 'patient_sex', 'number_of_studies', 'number_of_series', 'number_of_instances'],
  studies: [
    'id', 'study_instance_uid', 'study_date', 'study_time', 'accession_number', 'study_id', 'study_description', 'referring_physician_name',
    'modalities_in_study', 'body_part_examined', 'number_of_series', 'number_of_instances',
  ],
  series: ['id', 'series_instance_uid', 'modality', 'series_number', 'series_description', 'body_part_examined', 'number_of_instances'],
  instances: ['id', 'sop_instance_uid', 'sop_class_uid', 'instance_number', 'transfer_syntax_uid', 'path'],
});

/** One attribute the index holds: where, whether `\`-joined, and whether SQL may match it (counters are numbers). */
interface IndexedAttribute {
  readonly tag: Tag;
  readonly table: EntityTable;
  readonly column: string;
  readonly multiValued?: boolean;
  /** A PN column's folded copy in the same table (migration 003), for case-insensitive matching. */
  readonly folded?: string;
  /** A counter: returned from the row, matched in memory (its SQL type is not a DICOM string). */
  readonly count?: boolean;
  /** Only at these levels (Body Part Examined: the study's list at STUDY level, the series' value below). */
  readonly levels?: readonly QueryRetrieveLevel[];
}

const tag = (keyword: string): Tag => {
  const t = tagForKeyword(keyword);
  if (t === undefined) throw new Error(`the dictionary has no ${keyword}`);
  return t;
};

const attribute = (keyword: string, table: EntityTable, column: string, extra: Partial<IndexedAttribute> = {}): IndexedAttribute => ({ tag: tag(keyword), table, column, ...extra });

const INDEXED: readonly IndexedAttribute[] = [
  attribute('PatientID', 'patients', 'patient_id'),
  attribute('IssuerOfPatientID', 'patients', 'issuer_of_patient_id'),
  attribute('PatientName', 'patients', 'patient_name', { folded: 'patient_name_folded' }),
  attribute('PatientBirthDate', 'patients', 'patient_birth_date'),
  attribute('PatientSex', 'patients', 'patient_sex'),
  attribute('NumberOfPatientRelatedStudies', 'patients', 'number_of_studies', { count: true }),
  attribute('NumberOfPatientRelatedSeries', 'patients', 'number_of_series', { count: true }),
  attribute('NumberOfPatientRelatedInstances', 'patients', 'number_of_instances', { count: true }),
  attribute('StudyInstanceUID', 'studies', 'study_instance_uid'),
  attribute('StudyDate', 'studies', 'study_date'),
  attribute('StudyTime', 'studies', 'study_time'),
  attribute('AccessionNumber', 'studies', 'accession_number'),
  attribute('StudyID', 'studies', 'study_id'),
  attribute('StudyDescription', 'studies', 'study_description'),
  attribute('ReferringPhysicianName', 'studies', 'referring_physician_name', { folded: 'referring_physician_name_folded' }),
  attribute('ModalitiesInStudy', 'studies', 'modalities_in_study', { multiValued: true }),
  attribute('BodyPartExamined', 'studies', 'body_part_examined', { multiValued: true, levels: ['PATIENT', 'STUDY'] }),
  attribute('NumberOfStudyRelatedSeries', 'studies', 'number_of_series', { count: true }),
  attribute('NumberOfStudyRelatedInstances', 'studies', 'number_of_instances', { count: true }),
  attribute('SeriesInstanceUID', 'series', 'series_instance_uid'),
  attribute('Modality', 'series', 'modality'),
  attribute('SeriesNumber', 'series', 'series_number'),
  attribute('SeriesDescription', 'series', 'series_description'),
  attribute('BodyPartExamined', 'series', 'body_part_examined', { levels: ['SERIES', 'IMAGE'] }),
  attribute('NumberOfSeriesRelatedInstances', 'series', 'number_of_instances', { count: true }),
  attribute('SOPInstanceUID', 'instances', 'sop_instance_uid'),
  attribute('SOPClassUID', 'instances', 'sop_class_uid'),
  attribute('InstanceNumber', 'instances', 'instance_number'),
];

export const SOP_CLASSES_IN_STUDY: Tag = tag('SOPClassesInStudy');
export const INSTANCE_AVAILABILITY: Tag = tag('InstanceAvailability');

/** A row as read: `<table>.<column>` → value (strings for DICOM values, numbers for ids and counters). */
export type IndexRow = Readonly<Record<string, string | number | null>>;

/** The alias a column is selected under, and read from a row by. */
export const columnKey = (table: EntityTable, column: string): string => `${table}.${column}`;

function attributesAt(level: QueryRetrieveLevel): ReadonlyMap<Tag, IndexedAttribute> {
  const tables = LEVEL_TABLES[level];
  const out = new Map<Tag, IndexedAttribute>();
  for (const a of INDEXED) if (tables.includes(a.table) && (a.levels === undefined || a.levels.includes(level))) out.set(a.tag, a);
  return out;
}

const AT_LEVEL: Readonly<Record<QueryRetrieveLevel, ReadonlyMap<Tag, IndexedAttribute>>> = {
  PATIENT: attributesAt('PATIENT'),
  STUDY: attributesAt('STUDY'),
  SERIES: attributesAt('SERIES'),
  IMAGE: attributesAt('IMAGE'),
};

function columnMapAt(level: QueryRetrieveLevel): ColumnMap {
  const out = new Map<number, ColumnSpec>();
  for (const a of AT_LEVEL[level].values()) {
    if (a.count) continue;
    out.set(a.tag, {
      column: columnKey(a.table, a.column),
      ...(a.multiValued ? { multiValued: true } : {}),
      ...(a.folded ? { folded: columnKey(a.table, a.folded) } : {}),
    });
  }
  return out;
}

/** The shared matching API's column map of each level: the DICOM string columns of its tables. */
export const COLUMN_MAPS: Readonly<Record<QueryRetrieveLevel, ColumnMap>> = {
  PATIENT: columnMapAt('PATIENT'),
  STUDY: columnMapAt('STUDY'),
  SERIES: columnMapAt('SERIES'),
  IMAGE: columnMapAt('IMAGE'),
};

/** Does the index give this attribute at this level (from a row, or computed)? */
export function isIndexed(level: QueryRetrieveLevel, key: Tag): boolean {
  if (AT_LEVEL[level].has(key) || key === INSTANCE_AVAILABILITY) return true;
  return key === SOP_CLASSES_IN_STUDY && level !== 'PATIENT';
}

/**
 * The values of an attribute the row holds (`[]` when empty), or undefined when the row does not hold it. SOP
 * Classes in Study is not in the row: see `sopClassesInStudy`.
 */
export function rowValues(level: QueryRetrieveLevel, row: IndexRow, key: Tag): readonly string[] | undefined {
  if (key === INSTANCE_AVAILABILITY) return ['ONLINE'];
  const a = AT_LEVEL[level].get(key);
  if (a === undefined) return undefined;
  const value = row[columnKey(a.table, a.column)];
  if (value === null || value === undefined || value === '') return [];
  if (a.count) return [String(value)];
  const text = String(value);
  return a.multiValued ? text.split('\\').filter((v) => v !== '') : [text];
}

/** The id (primary key) of a table's row. */
export const rowId = (row: IndexRow, table: EntityTable): number => Number(row[columnKey(table, 'id')]);
