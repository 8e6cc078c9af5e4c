import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteConnection } from '../better-sqlite3.js';
import { openSqliteIndex } from '../database.js';
import { INDEX_MIGRATIONS } from './migrations.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portico-migration-002-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('migrations 002-worklist and 003-folded-names', () => {
  it('comes after 001-initial', () => {
    expect(INDEX_MIGRATIONS.map((m) => m.name).slice(0, 2)).toEqual(['001-initial', '002-worklist']);
  });

  it('creates the worklist table with a column per matching key of the echoes server, and its query indexes', async () => {
    const path = join(dir, 'index.sqlite');
    await (await openSqliteIndex(path)).close();
    const raw = openSqliteConnection(path, { readonly: true });
    try {
      const columns = (raw.prepare("SELECT name FROM pragma_table_info('worklist')").all() as { name: string }[]).map((c) => c.name);
      // Migration 003 appends the folded copies of the PN columns.
      expect(columns.slice(0, 21)).toEqual([
        'id', 'accession_number', 'referring_physician_name', 'patient_name', 'patient_id', 'patient_birth_date', 'patient_sex',
        'requesting_physician', 'admission_id', 'requested_procedure_id', 'requested_procedure_priority', 'study_instance_uid',
        'modality', 'scheduled_station_ae_title', 'sps_start_date', 'sps_start_time', 'scheduled_performing_physician_name',
        'sps_id', 'sps_status', 'item_json', 'created_at',
      ]);
      const indexes = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'worklist'").all() as { name: string }[]).map((i) => i.name);
      expect(indexes).toEqual(expect.arrayContaining(['worklist_sps_start_idx', 'worklist_accession_number_idx', 'worklist_patient_id_idx', 'worklist_patient_name_idx']));
      const plan = raw.prepare("EXPLAIN QUERY PLAN SELECT id FROM worklist WHERE sps_start_date = '20240501' AND modality = 'XC' AND scheduled_station_ae_title = 'CAM1'").all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX worklist_sps_start_idx/);
    } finally {
      raw.close();
    }
  });

  it('upgrades a database that has only 001-initial, keeping its rows and folding their names', async () => {
    const path = join(dir, 'index.sqlite');
    // A database from before this migration: open once, then drop the worklist table and its migration record.
    await (await openSqliteIndex(path)).close();
    const old = openSqliteConnection(path);
    old.exec("DROP TABLE worklist; DELETE FROM kysely_migration WHERE name IN ('002-worklist', '003-folded-names')");
    old.exec('ALTER TABLE patients DROP COLUMN patient_name_folded; ALTER TABLE studies DROP COLUMN referring_physician_name_folded');
    old.exec("INSERT INTO patients (patient_id, patient_name) VALUES ('P1', 'MÜLLER^Jürgen')");
    old.close();
    await (await openSqliteIndex(path)).close();
    const check = openSqliteConnection(path, { readonly: true });
    try {
      expect(check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'worklist'").get()).toEqual({ n: 1 });
      // 003 fills the folded copy of the names already there.
      expect(check.prepare('SELECT patient_name, patient_name_folded FROM patients').get()).toEqual({ patient_name: 'MÜLLER^Jürgen', patient_name_folded: 'müller^jürgen' });
      const worklistColumns = (check.prepare("SELECT name FROM pragma_table_info('worklist')").all() as { name: string }[]).map((c) => c.name);
      expect(worklistColumns).toEqual(expect.arrayContaining(['patient_name_folded', 'referring_physician_name_folded', 'requesting_physician_folded', 'scheduled_performing_physician_name_folded']));
    } finally {
      check.close();
    }
  });
});
