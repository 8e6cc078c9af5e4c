import type { Kysely } from 'kysely';
import { counter, dicomString, type IndexDialect, type IndexMigration, keyType, primaryKey } from './migration.js';

/**
 * The four-level hierarchy (patient → study → series → instance) with the Study Root C-FIND keys of the seeds as
 * columns (Ez Dicom Converter §4.1.2.3.3, DICOM Izer Table 4.2.2.6.5.3-2): every study-level key has a column, including
 * Study Time, Referring Physician's Name and Body Part Examined (kept per series and, `\`-joined, per study, like
 * Modalities in Study). Counts and sizes are kept on each level so the Number of … Related … keys cost nothing.
 * Portable types only (text, integer, bigint), so the same upgrade runs on PostgreSQL.
 */
async function up(db: Kysely<unknown>, dialect: IndexDialect): Promise<void> {
  const key = keyType(dialect);

  await db.schema
    .createTable('patients')
    .addColumn('id', key, primaryKey(dialect))
    .addColumn('patient_id', 'text', dicomString)
    .addColumn('issuer_of_patient_id', 'text', dicomString)
    .addColumn('patient_name', 'text', dicomString)
    .addColumn('patient_birth_date', 'text', dicomString)
    .addColumn('patient_sex', 'text', dicomString)
    .addColumn('number_of_studies', 'integer', counter)
    .addColumn('number_of_series', 'integer', counter)
    .addColumn('number_of_instances', 'integer', counter)
    .addColumn('size', 'bigint', counter)
    .addUniqueConstraint('patients_patient_id_issuer_key', ['patient_id', 'issuer_of_patient_id'])
    .execute();
  await db.schema.createIndex('patients_patient_name_idx').on('patients').column('patient_name').execute();

  await db.schema
    .createTable('studies')
    .addColumn('id', key, primaryKey(dialect))
    .addColumn('patient_pk', key, (c) => c.notNull().references('patients.id'))
    .addColumn('study_instance_uid', 'text', (c) => c.notNull().unique())
    .addColumn('study_date', 'text', dicomString)
    .addColumn('study_time', 'text', dicomString)
    .addColumn('accession_number', 'text', dicomString)
    .addColumn('study_id', 'text', dicomString)
    .addColumn('study_description', 'text', dicomString)
    .addColumn('referring_physician_name', 'text', dicomString)
    .addColumn('modalities_in_study', 'text', dicomString)
    .addColumn('body_part_examined', 'text', dicomString)
    .addColumn('number_of_series', 'integer', counter)
    .addColumn('number_of_instances', 'integer', counter)
    .addColumn('size', 'bigint', counter)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('studies_patient_pk_idx').on('studies').column('patient_pk').execute();
  await db.schema.createIndex('studies_study_date_idx').on('studies').columns(['study_date', 'study_time']).execute();
  await db.schema.createIndex('studies_accession_number_idx').on('studies').column('accession_number').execute();

  await db.schema
    .createTable('series')
    .addColumn('id', key, primaryKey(dialect))
    .addColumn('study_pk', key, (c) => c.notNull().references('studies.id'))
    .addColumn('series_instance_uid', 'text', (c) => c.notNull().unique())
    .addColumn('modality', 'text', dicomString)
    .addColumn('series_number', 'text', dicomString)
    .addColumn('series_description', 'text', dicomString)
    .addColumn('body_part_examined', 'text', dicomString)
    .addColumn('number_of_instances', 'integer', counter)
    .addColumn('size', 'bigint', counter)
    .execute();
  await db.schema.createIndex('series_study_pk_idx').on('series').column('study_pk').execute();

  await db.schema
    .createTable('instances')
    .addColumn('id', key, primaryKey(dialect))
    .addColumn('series_pk', key, (c) => c.notNull().references('series.id'))
    .addColumn('sop_instance_uid', 'text', (c) => c.notNull().unique())
    .addColumn('sop_class_uid', 'text', dicomString)
    .addColumn('instance_number', 'text', dicomString)
    .addColumn('transfer_syntax_uid', 'text', dicomString)
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', counter)
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('calling_ae_title', 'text', dicomString)
    .addColumn('specific_character_set', 'text', dicomString)
    .execute();
  await db.schema.createIndex('instances_series_pk_idx').on('instances').column('series_pk').execute();
}

export const initial: IndexMigration = { name: '001-initial', up };
