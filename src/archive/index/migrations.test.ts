import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteConnection } from './better-sqlite3.js';
import { openSqliteIndex } from './database.js';
import { ArchiveIndexError } from './errors.js';
import { INDEX_MIGRATIONS } from './migrations/migrations.js';
import type { InstanceRecord } from './types.js';

const record: InstanceRecord = {
  sopInstanceUid: '1.2.3.4.1',
  sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
  instanceNumber: '1',
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  path: 'store/ab/1.2.3/1.2.3.4/1.2.3.4.1.dcm',
  size: 1234,
  receivedAt: '2024-05-01T10:00:00.000Z',
  callingAeTitle: 'MODALITY',
  specificCharacterSet: 'ISO_IR 192',
  patientId: 'P1',
  issuerOfPatientId: '',
  patientName: 'Doe^Jane',
  patientBirthDate: '19700101',
  patientSex: 'F',
  studyInstanceUid: '1.2.3',
  studyDate: '20240501',
  studyTime: '100000',
  accessionNumber: 'A1',
  studyId: 'S1',
  studyDescription: 'Chest',
  referringPhysicianName: 'House^Gregory',
  seriesInstanceUid: '1.2.3.4',
  modality: 'CT',
  seriesNumber: '1',
  seriesDescription: 'Axial',
  bodyPartExamined: 'CHEST',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portico-index-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The schema as SQLite reports it: table and index names with their SQL. */
function schemaOf(path: string): { name: string; type: string }[] {
  const raw = openSqliteConnection(path, { readonly: true });
  try {
    return raw.prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { name: string; type: string }[];
  } finally {
    raw.close();
  }
}

describe('index migrations', () => {
  it('create the four tables, their query indexes and the migration record', async () => {
    const path = join(dir, 'index.sqlite');
    const index = await openSqliteIndex(path);
    await index.close();
    const schema = schemaOf(path);
    const tables = schema.filter((s) => s.type === 'table').map((s) => s.name);
    expect(tables).toEqual(expect.arrayContaining(['patients', 'studies', 'series', 'instances', 'kysely_migration']));
    const indexes = schema.filter((s) => s.type === 'index').map((s) => s.name);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'patients_patient_name_idx',
        'studies_patient_pk_idx',
        'studies_study_date_idx',
        'studies_accession_number_idx',
        'series_study_pk_idx',
        'instances_series_pk_idx',
      ]),
    );
  });

  it('give every Study Root study-level key of the seeds a column', async () => {
    const index = await openSqliteIndex(':memory:');
    const columns = async (table: string) =>
      (await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(index.kysely)).rows.map((r) => r.name);
    // Ez Dicom Converter §4.1.2.3.3 and DICOM Izer Table 4.2.2.6.5.3-2 (Specific Character Set is per instance).
    expect(await columns('patients')).toEqual(
      expect.arrayContaining(['patient_id', 'issuer_of_patient_id', 'patient_name', 'patient_birth_date', 'patient_sex']),
    );
    expect(await columns('studies')).toEqual(
      expect.arrayContaining([
        'study_instance_uid',
        'study_date',
        'study_time',
        'accession_number',
        'study_id',
        'study_description',
        'referring_physician_name',
        'modalities_in_study',
        'body_part_examined',
        'number_of_series',
        'number_of_instances',
        'size',
        'updated_at',
      ]),
    );
    expect(await columns('instances')).toEqual(expect.arrayContaining(['specific_character_set', 'sop_class_uid', 'path']));
    await index.close();
  });

  it('are run once: reopening a file database runs none and keeps its rows', async () => {
    const path = join(dir, 'index.sqlite');
    const first = await openSqliteIndex(path);
    await first.indexInstance(record, 'keep-first');
    await first.close();
    const before = schemaOf(path);

    const second = await openSqliteIndex(path);
    const applied = await second.kysely.selectFrom('kysely_migration' as never).selectAll().execute();
    expect(applied.map((r) => (r as { name: string }).name)).toEqual(INDEX_MIGRATIONS.map((m) => m.name));
    expect(await second.findInstance(record.sopInstanceUid)).toEqual(record);
    await second.close();
    expect(schemaOf(path)).toEqual(before);
  });

  it('set WAL, synchronous=FULL and foreign keys on a file database', async () => {
    const index = await openSqliteIndex(join(dir, 'index.sqlite'));
    const pragma = async (name: string) => Object.values((await sql.raw(`PRAGMA ${name}`).execute(index.kysely)).rows[0] as object)[0] as unknown;
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2);
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('busy_timeout')).toBe(5000);
    await index.close();
  });

  it('refuse a database written by a newer version (a migration this build does not know)', async () => {
    const path = join(dir, 'index.sqlite');
    await (await openSqliteIndex(path)).close();
    const raw = openSqliteConnection(path);
    raw.prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)').run('999-from-the-future', new Date().toISOString());
    raw.close();
    const error = await openSqliteIndex(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveIndexError);
    expect((error as ArchiveIndexError).code).toBe('ERR_INDEX_MIGRATION');
  });

  it('report a file that cannot be opened as ERR_INDEX_OPEN', async () => {
    const error = await openSqliteIndex(join(dir, 'missing-folder', 'index.sqlite')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveIndexError);
    expect((error as ArchiveIndexError).code).toBe('ERR_INDEX_OPEN');
  });
});
