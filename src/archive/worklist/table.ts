import type { Generated } from 'kysely';

/**
 * The kysely type of the `worklist` table, as migration `002-worklist` creates it (one row per Scheduled Procedure
 * Step item). DICOM strings are never NULL (empty when absent); multi-valued ones are `\`-joined. The archive index's
 * kysely instance gets it with `index.kysely.withTables<WorklistDatabase>()`.
 */
// Type aliases, not interfaces: kysely's table types must be assignable to Record<string, …>.
export type WorklistTable = {
  id: Generated<number>;
  accession_number: string;
  referring_physician_name: string;
  referring_physician_name_folded: Generated<string>;
  patient_name: string;
  patient_name_folded: Generated<string>;
  patient_id: string;
  patient_birth_date: string;
  patient_sex: string;
  requesting_physician: string;
  requesting_physician_folded: Generated<string>;
  admission_id: string;
  requested_procedure_id: string;
  requested_procedure_priority: string;
  study_instance_uid: string;
  modality: string;
  scheduled_station_ae_title: string;
  sps_start_date: string;
  sps_start_time: string;
  scheduled_performing_physician_name: string;
  scheduled_performing_physician_name_folded: Generated<string>;
  sps_id: string;
  sps_status: string;
  /** The whole worklist item (with its one SPS item) as DICOM JSON text. */
  item_json: string;
  /** ISO 8601 time the entry was added. */
  created_at: string;
};

export type WorklistDatabase = {
  worklist: WorklistTable;
};
