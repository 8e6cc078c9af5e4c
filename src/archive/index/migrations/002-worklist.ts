import type { Kysely } from 'kysely';
import { dicomString, type IndexDialect, type IndexMigration, keyType, primaryKey } from './migration.js';

/**
 * The Modality Worklist (PS3.4 Annex K): one row per Scheduled Procedure Step item. Every matching key of the echoes
 * server's MWL SCP (seed 002 §3.2) has a column, so the common queries run on indexes: Accession Number, Referring
 * Physician's Name, Patient's Name, Patient ID, Birth Date, Sex, Requesting Physician, Admission ID, Requested
 * Procedure ID and Priority, and from the Scheduled Procedure Step item Modality, Scheduled Station AE Title (values
 * `\`-joined), Start Date, Start Time and Scheduled Performing Physician's Name; plus SPS ID, Study Instance UID and
 * status. `item_json` holds the whole worklist item (one SPS item) as DICOM JSON, for the return keys.
 * Portable types only (text, integer, bigint), so the same upgrade runs on PostgreSQL.
 */
async function up(db: Kysely<unknown>, dialect: IndexDialect): Promise<void> {
  await db.schema
    .createTable('worklist')
    .addColumn('id', keyType(dialect), primaryKey(dialect))
    .addColumn('accession_number', 'text', dicomString)
    .addColumn('referring_physician_name', 'text', dicomString)
    .addColumn('patient_name', 'text', dicomString)
    .addColumn('patient_id', 'text', dicomString)
    .addColumn('patient_birth_date', 'text', dicomString)
    .addColumn('patient_sex', 'text', dicomString)
    .addColumn('requesting_physician', 'text', dicomString)
    .addColumn('admission_id', 'text', dicomString)
    .addColumn('requested_procedure_id', 'text', dicomString)
    .addColumn('requested_procedure_priority', 'text', dicomString)
    .addColumn('study_instance_uid', 'text', (c) => c.notNull())
    .addColumn('modality', 'text', dicomString)
    .addColumn('scheduled_station_ae_title', 'text', dicomString)
    .addColumn('sps_start_date', 'text', dicomString)
    .addColumn('sps_start_time', 'text', dicomString)
    .addColumn('scheduled_performing_physician_name', 'text', dicomString)
    .addColumn('sps_id', 'text', (c) => c.notNull())
    .addColumn('sps_status', 'text', dicomString)
    .addColumn('item_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('worklist_study_sps_key', ['study_instance_uid', 'sps_id'])
    .execute();
  // The modality's own query (seed 004 §3.2.2.3.1: today's date, its modality, its station AE title) and the date lists.
  await db.schema.createIndex('worklist_sps_start_idx').on('worklist').columns(['sps_start_date', 'modality', 'scheduled_station_ae_title']).execute();
  await db.schema.createIndex('worklist_accession_number_idx').on('worklist').column('accession_number').execute();
  await db.schema.createIndex('worklist_patient_id_idx').on('worklist').column('patient_id').execute();
  await db.schema.createIndex('worklist_patient_name_idx').on('worklist').column('patient_name').execute();
}

export const worklist: IndexMigration = { name: '002-worklist', up };
