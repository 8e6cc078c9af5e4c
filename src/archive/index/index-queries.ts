import type { Kysely } from 'kysely';
import type { IndexDatabase } from './schema.js';
import type { InstanceRecord, PatientSummary, SeriesSummary, StudySummary } from './types.js';

/**
 * The read side of the index, in kysely only (no dialect-specific SQL), so the PostgreSQL index can share it.
 * Results are ordered deterministically: patients by name, studies by date and time, series and instances in the order
 * they were first indexed.
 */

function instanceQuery(db: Kysely<IndexDatabase>) {
  return db
    .selectFrom('instances as i')
    .innerJoin('series as se', 'se.id', 'i.series_pk')
    .innerJoin('studies as st', 'st.id', 'se.study_pk')
    .innerJoin('patients as p', 'p.id', 'st.patient_pk')
    .select([
      'i.sop_instance_uid as sopInstanceUid',
      'i.sop_class_uid as sopClassUid',
      'i.instance_number as instanceNumber',
      'i.transfer_syntax_uid as transferSyntaxUid',
      'i.path as path',
      'i.size as size',
      'i.received_at as receivedAt',
      'i.calling_ae_title as callingAeTitle',
      'i.specific_character_set as specificCharacterSet',
      'p.patient_id as patientId',
      'p.issuer_of_patient_id as issuerOfPatientId',
      'p.patient_name as patientName',
      'p.patient_birth_date as patientBirthDate',
      'p.patient_sex as patientSex',
      'st.study_instance_uid as studyInstanceUid',
      'st.study_date as studyDate',
      'st.study_time as studyTime',
      'st.accession_number as accessionNumber',
      'st.study_id as studyId',
      'st.study_description as studyDescription',
      'st.referring_physician_name as referringPhysicianName',
      'se.series_instance_uid as seriesInstanceUid',
      'se.modality as modality',
      'se.series_number as seriesNumber',
      'se.series_description as seriesDescription',
      'se.body_part_examined as bodyPartExamined',
    ]);
}

/**
 * The instance with its patient, study and series attributes as the index holds them now (demographics follow the
 * latest instance; study and series attributes are the first non-empty values).
 */
export async function findInstance(db: Kysely<IndexDatabase>, sopInstanceUid: string): Promise<InstanceRecord | undefined> {
  return instanceQuery(db).where('i.sop_instance_uid', '=', sopInstanceUid).executeTakeFirst();
}

export async function listInstances(db: Kysely<IndexDatabase>, seriesInstanceUid: string): Promise<InstanceRecord[]> {
  return instanceQuery(db).where('se.series_instance_uid', '=', seriesInstanceUid).orderBy('i.id').execute();
}

export async function listPatients(db: Kysely<IndexDatabase>): Promise<PatientSummary[]> {
  return db
    .selectFrom('patients')
    .select(['patient_id as patientId', 'patient_name as patientName', 'number_of_studies as studies', 'number_of_instances as instances'])
    .orderBy('patient_name')
    .orderBy('patient_id')
    .orderBy('id')
    .execute();
}

export async function listStudies(db: Kysely<IndexDatabase>, filter?: { readonly patientId?: string }): Promise<StudySummary[]> {
  let query = db
    .selectFrom('studies as st')
    .innerJoin('patients as p', 'p.id', 'st.patient_pk')
    .select([
      'st.study_instance_uid as studyInstanceUid',
      'p.patient_id as patientId',
      'p.patient_name as patientName',
      'st.study_date as studyDate',
      'st.accession_number as accessionNumber',
      'st.study_description as studyDescription',
      'st.modalities_in_study as modalitiesInStudy',
      'st.number_of_series as series',
      'st.number_of_instances as instances',
      'st.size as size',
    ]);
  if (filter?.patientId !== undefined) query = query.where('p.patient_id', '=', filter.patientId);
  return query.orderBy('st.study_date').orderBy('st.study_time').orderBy('st.id').execute();
}

export async function listSeries(db: Kysely<IndexDatabase>, studyInstanceUid: string): Promise<SeriesSummary[]> {
  return db
    .selectFrom('series as se')
    .innerJoin('studies as st', 'st.id', 'se.study_pk')
    .select([
      'se.series_instance_uid as seriesInstanceUid',
      'st.study_instance_uid as studyInstanceUid',
      'se.modality as modality',
      'se.series_number as seriesNumber',
      'se.series_description as seriesDescription',
      'se.number_of_instances as instances',
      'se.size as size',
    ])
    .where('st.study_instance_uid', '=', studyInstanceUid)
    .orderBy('se.id')
    .execute();
}

export async function allPaths(db: Kysely<IndexDatabase>): Promise<string[]> {
  const rows = await db.selectFrom('instances').select('path').orderBy('id').execute();
  return rows.map((r) => r.path);
}

export interface IndexCounts {
  readonly patients: number;
  readonly studies: number;
  readonly series: number;
  readonly instances: number;
  readonly size: number;
}

/** Counted from the rows themselves (not the maintained counters), so it doubles as a check of them. */
export async function counts(db: Kysely<IndexDatabase>): Promise<IndexCounts> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('patients').select((e) => e.fn.countAll<number>().as('n')).as('patients'),
      eb.selectFrom('studies').select((e) => e.fn.countAll<number>().as('n')).as('studies'),
      eb.selectFrom('series').select((e) => e.fn.countAll<number>().as('n')).as('series'),
      eb.selectFrom('instances').select((e) => e.fn.countAll<number>().as('n')).as('instances'),
      eb.selectFrom('instances').select((e) => e.fn.coalesce(e.fn.sum<number>('size'), e.lit(0)).as('n')).as('size'),
    ])
    .executeTakeFirstOrThrow();
  // PostgreSQL returns count/sum as strings (bigint): normalize for both.
  return {
    patients: Number(row.patients),
    studies: Number(row.studies),
    series: Number(row.series),
    instances: Number(row.instances),
    size: Number(row.size),
  };
}
