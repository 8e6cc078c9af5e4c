import type { Generated } from 'kysely';

/**
 * The kysely table types of the index, as migration `001-initial` creates them. DICOM strings are never NULL (empty
 * when absent); `*_pk` columns are the foreign keys (`patient_id` is the DICOM Patient ID, not a key).
 */
export interface IndexDatabase {
  readonly patients: PatientsTable;
  readonly studies: StudiesTable;
  readonly series: SeriesTable;
  readonly instances: InstancesTable;
}

export interface PatientsTable {
  id: Generated<number>;
  patient_id: string;
  issuer_of_patient_id: string;
  patient_name: string;
  patient_birth_date: string;
  patient_sex: string;
  /** `foldCase(patient_name)`, for case-insensitive matching (migration 003). */
  patient_name_folded: Generated<string>;
  number_of_studies: Generated<number>;
  number_of_series: Generated<number>;
  number_of_instances: Generated<number>;
  size: Generated<number>;
}

export interface StudiesTable {
  id: Generated<number>;
  patient_pk: number;
  study_instance_uid: string;
  study_date: string;
  study_time: string;
  accession_number: string;
  study_id: string;
  study_description: string;
  referring_physician_name: string;
  /** `foldCase(referring_physician_name)` (migration 003). */
  referring_physician_name_folded: Generated<string>;
  /** Distinct Modality of its series, `\`-joined. */
  modalities_in_study: Generated<string>;
  /** Distinct Body Part Examined of its series, `\`-joined (a study-level C-FIND key in the Ez Dicom Converter seed). */
  body_part_examined: Generated<string>;
  number_of_series: Generated<number>;
  number_of_instances: Generated<number>;
  size: Generated<number>;
  /** ISO 8601 UTC. */
  created_at: string;
  /** ISO 8601 UTC: when an instance was last added or removed. */
  updated_at: string;
}

export interface SeriesTable {
  id: Generated<number>;
  study_pk: number;
  series_instance_uid: string;
  modality: string;
  series_number: string;
  series_description: string;
  body_part_examined: string;
  number_of_instances: Generated<number>;
  size: Generated<number>;
}

export interface InstancesTable {
  id: Generated<number>;
  series_pk: number;
  sop_instance_uid: string;
  sop_class_uid: string;
  instance_number: string;
  transfer_syntax_uid: string;
  path: string;
  size: number;
  received_at: string;
  calling_ae_title: string;
  specific_character_set: string;
}
