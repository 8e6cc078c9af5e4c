import type { SqliteConnection, SqliteStatement } from './better-sqlite3.js';

/**
 * The write path's SQL, prepared once per connection. Every value is a bound parameter; nothing from a record is ever
 * spliced into SQL text. Kept as plain SQL (not kysely) because indexing runs inside one synchronous better-sqlite3
 * transaction, where each microsecond counts and no `await` may split the work.
 */
export interface WriteStatements {
  readonly selectInstance: SqliteStatement;
  readonly selectStudy: SqliteStatement;
  readonly selectPatient: SqliteStatement;
  readonly selectSeries: SqliteStatement;
  readonly insertPatient: SqliteStatement;
  readonly insertStudy: SqliteStatement;
  readonly insertSeries: SqliteStatement;
  readonly insertInstance: SqliteStatement;
  readonly updatePatient: SqliteStatement;
  readonly updateStudy: SqliteStatement;
  readonly updateSeries: SqliteStatement;
  readonly seriesOfStudy: SqliteStatement;
  readonly setStudyAggregates: SqliteStatement;
  readonly addToSeries: SqliteStatement;
  readonly addToStudy: SqliteStatement;
  readonly addToPatient: SqliteStatement;
  readonly deleteInstance: SqliteStatement;
  readonly deleteSeries: SqliteStatement;
  readonly deleteStudy: SqliteStatement;
  readonly deletePatient: SqliteStatement;
}

export interface InstanceRow {
  readonly id: number;
  readonly series_pk: number;
  readonly path: string;
  readonly size: number;
}

export interface PatientRow {
  readonly id: number;
  readonly patient_name: string;
  readonly patient_birth_date: string;
  readonly patient_sex: string;
}

/** A study with the key and demographics of its patient. */
export interface StudyRow {
  readonly id: number;
  readonly patient_pk: number;
  readonly study_date: string;
  readonly study_time: string;
  readonly accession_number: string;
  readonly study_id: string;
  readonly study_description: string;
  readonly referring_physician_name: string;
  readonly patient_id: string;
  readonly issuer_of_patient_id: string;
  readonly patient_name: string;
  readonly patient_birth_date: string;
  readonly patient_sex: string;
}

export interface SeriesRow {
  readonly id: number;
  readonly study_pk: number;
  readonly modality: string;
  readonly series_number: string;
  readonly series_description: string;
  readonly body_part_examined: string;
}

export function prepareWriteStatements(db: SqliteConnection): WriteStatements {
  const p = (sql: string): SqliteStatement => db.prepare(sql);
  return {
    selectInstance: p('SELECT id, series_pk, path, size FROM instances WHERE sop_instance_uid = ?'),
    selectStudy: p(
      `SELECT s.id, s.patient_pk, s.study_date, s.study_time, s.accession_number, s.study_id, s.study_description,
              s.referring_physician_name, p.patient_id, p.issuer_of_patient_id, p.patient_name, p.patient_birth_date, p.patient_sex
         FROM studies s JOIN patients p ON p.id = s.patient_pk
        WHERE s.study_instance_uid = ?`,
    ),
    selectPatient: p(
      `SELECT id, patient_name, patient_birth_date, patient_sex FROM patients
        WHERE patient_id = ? AND issuer_of_patient_id = ?`,
    ),
    selectSeries: p(
      `SELECT id, study_pk, modality, series_number, series_description, body_part_examined FROM series
        WHERE series_instance_uid = ?`,
    ),
    insertPatient: p(
      `INSERT INTO patients (patient_id, issuer_of_patient_id, patient_name, patient_birth_date, patient_sex, patient_name_folded)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    insertStudy: p(
      `INSERT INTO studies (patient_pk, study_instance_uid, study_date, study_time, accession_number, study_id,
                            study_description, referring_physician_name, created_at, updated_at, referring_physician_name_folded)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertSeries: p(
      `INSERT INTO series (study_pk, series_instance_uid, modality, series_number, series_description, body_part_examined)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    insertInstance: p(
      `INSERT INTO instances (series_pk, sop_instance_uid, sop_class_uid, instance_number, transfer_syntax_uid, path, size,
                              received_at, calling_ae_title, specific_character_set)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updatePatient: p('UPDATE patients SET patient_name = ?, patient_birth_date = ?, patient_sex = ?, patient_name_folded = ? WHERE id = ?'),
    updateStudy: p(
      `UPDATE studies SET study_date = ?, study_time = ?, accession_number = ?, study_id = ?, study_description = ?,
                          referring_physician_name = ?, referring_physician_name_folded = ?
        WHERE id = ?`,
    ),
    updateSeries: p('UPDATE series SET modality = ?, series_number = ?, series_description = ?, body_part_examined = ? WHERE id = ?'),
    seriesOfStudy: p('SELECT modality, body_part_examined FROM series WHERE study_pk = ? ORDER BY id'),
    setStudyAggregates: p('UPDATE studies SET modalities_in_study = ?, body_part_examined = ? WHERE id = ?'),
    addToSeries: p(
      `UPDATE series SET number_of_instances = number_of_instances + ?, size = size + ? WHERE id = ?
       RETURNING number_of_instances, study_pk`,
    ),
    addToStudy: p(
      `UPDATE studies SET number_of_instances = number_of_instances + ?, size = size + ?,
                          number_of_series = number_of_series + ?, updated_at = ?
        WHERE id = ?
       RETURNING number_of_instances, patient_pk`,
    ),
    addToPatient: p(
      `UPDATE patients SET number_of_instances = number_of_instances + ?, size = size + ?,
                           number_of_series = number_of_series + ?, number_of_studies = number_of_studies + ?
        WHERE id = ?
       RETURNING number_of_studies`,
    ),
    deleteInstance: p('DELETE FROM instances WHERE id = ?'),
    deleteSeries: p('DELETE FROM series WHERE id = ?'),
    deleteStudy: p('DELETE FROM studies WHERE id = ?'),
    deletePatient: p('DELETE FROM patients WHERE id = ?'),
  };
}
