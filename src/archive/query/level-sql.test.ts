import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { matchConditions } from '../../matching/condition.js';
import { conditionsToSql } from '../../matching/sql.js';
import { openSqliteIndex } from '../index/database.js';
import type { SqliteArchiveIndex } from '../index/sqlite-index.js';
import { COLUMN_MAPS } from './index-attributes.js';
import { matchingIdsQuery } from './level-sql.js';

let index: SqliteArchiveIndex;

beforeAll(async () => {
  index = await openSqliteIndex(':memory:');
  // The statistics `PRAGMA optimize` leaves in an archive of 10,000 studies of 4,000 patients (the index runs it on
  // close), so that the planner chooses here what it chooses there.
  const db = index.kysely;
  await sql`ANALYZE`.execute(db);
  await sql`DELETE FROM sqlite_stat1`.execute(db);
  await sql`INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('studies', 'studies_patient_pk_idx', '10000 3'), ('studies', 'studies_accession_number_idx', '10000 1'),
    ('studies', 'studies_study_date_idx', '10000 5 1'), ('studies', 'sqlite_autoindex_studies_1', '10000 1'),
    ('patients', 'patients_patient_name_idx', '4000 2'), ('patients', 'sqlite_autoindex_patients_1', '4000 1 1')`.execute(db);
  await sql`ANALYZE sqlite_schema`.execute(db);
});

afterAll(async () => {
  await index.close();
});

/** The query plan SQLite chooses for the study-level id selection of one key. */
async function planOf(keyword: string, value: string): Promise<string[]> {
  const identifier = new Dataset();
  identifier.set(keyword, value);
  const { where } = conditionsToSql(matchConditions(identifier, {}), COLUMN_MAPS.STUDY, {});
  const rows = await sql<{ detail: string }>`EXPLAIN QUERY PLAN ${matchingIdsQuery('STUDY', where, 1000)}`.execute(index.kysely);
  return rows.rows.map((r) => r.detail);
}

describe('matchingIdsQuery: the id selection a C-FIND count runs', () => {
  it('starts from the patients for a PatientName wildcard (no scan of every study in key order)', async () => {
    const plan = await planOf('PatientName', 'SCH*');
    expect(plan[0]).toMatch(/^SCAN patients/);
    expect(plan.join(' | ')).toMatch(/SEARCH studies USING (COVERING )?INDEX studies_patient_pk_idx/);
  });

  it('still uses the study indexes for study keys', async () => {
    expect((await planOf('AccessionNumber', 'A123')).join(' | ')).toMatch(/studies_accession_number_idx/);
    expect((await planOf('StudyDate', '20240101-20240107')).join(' | ')).toMatch(/studies_study_date_idx/);
  });
});
