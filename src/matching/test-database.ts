/**
 * An in-memory SQLite table of candidate datasets for the matching tests: one row per candidate, one column per
 * indexed key holding the decoded values `\`-joined ('' when absent), as an archive index stores them.
 * (Test support: imported only by tests.)
 */
import { createRequire } from 'node:module';
import { Kysely, type RawBuilder, type SqlBool, SqliteDialect, sql } from 'kysely';
import type { Dataset } from '../data/dataset.js';
import { tagForKeyword } from '../dictionary/attributes.js';
import type { MatchOptions } from './condition.js';
import { matchConditions } from './condition.js';
import { matchesDataset } from './match.js';
import { type ColumnMap, conditionsToSql } from './sql.js';
import { foldCase } from './text.js';

/** keyword → [column, multi-valued] */
const INDEXED: readonly (readonly [string, string, boolean])[] = [
  ['PatientName', 'patient_name', false],
  ['PatientID', 'patient_id', false],
  ['StudyDate', 'study_date', false],
  ['StudyTime', 'study_time', false],
  ['AccessionNumber', 'accession_number', false],
  ['ModalitiesInStudy', 'modalities_in_study', true],
  ['StudyInstanceUID', 'study_instance_uid', false],
  ['StudyDescription', 'study_description', false],
  ['InstanceNumber', 'instance_number', false],
  ['AcquisitionDateTime', 'acquisition_date_time', false],
  ['OtherPatientNames', 'other_patient_names', true],
  ['SOPClassesInStudy', 'sop_classes_in_study', true],
  ['PatientComments', 'patient_comments', false],
];

/** PN columns also have a folded copy (`<column>_folded`), as an archive index keeps for case-insensitive matching. */
const PERSON_NAMES = new Set(['PatientName', 'OtherPatientNames']);

export const COLUMNS: ColumnMap = new Map(
  INDEXED.map(([keyword, column, multiValued]) => [
    tagForKeyword(keyword)!,
    { column: `candidates.${column}`, multiValued, ...(PERSON_NAMES.has(keyword) ? { folded: `candidates.${column}_folded` } : {}) },
  ]),
);

const FOLDED = INDEXED.filter(([keyword]) => PERSON_NAMES.has(keyword));

interface Connection {
  prepare(sql: string): { run(...parameters: unknown[]): unknown };
  exec(sql: string): unknown;
  close(): unknown;
}

export class CandidateTable {
  readonly #raw: Connection;
  readonly db: Kysely<unknown>;
  #rows = new Map<string, Dataset>();

  constructor() {
    const BetterSqlite3 = createRequire(import.meta.url)('better-sqlite3') as new (name: string) => Connection;
    this.#raw = new BetterSqlite3(':memory:');
    const columns = [...INDEXED.map(([, c]) => c), ...FOLDED.map(([, c]) => `${c}_folded`)];
    this.#raw.exec(`CREATE TABLE candidates (id TEXT PRIMARY KEY, ${columns.map((c) => `${c} TEXT NOT NULL`).join(', ')})`);
    this.db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: this.#raw as never }) });
  }

  /** Replaces the rows with these candidates. */
  load(corpus: Readonly<Record<string, Dataset>>): void {
    this.#raw.exec('DELETE FROM candidates');
    const insert = this.#raw.prepare(`INSERT INTO candidates VALUES (?, ${[...INDEXED, ...FOLDED].map(() => '?').join(', ')})`);
    for (const [id, ds] of Object.entries(corpus)) {
      const values = INDEXED.map(([keyword]) => ds.strings(keyword).join('\\'));
      insert.run(id, ...values, ...FOLDED.map(([keyword]) => foldCase(ds.strings(keyword).join('\\'))));
    }
    this.#rows = new Map(Object.entries(corpus));
  }

  /** The ids of the rows the WHERE clause selects, sorted. */
  async select(where: RawBuilder<SqlBool> | undefined): Promise<string[]> {
    const result = await sql<{ id: string }>`SELECT id FROM candidates WHERE ${where ?? sql`1 = 1`} ORDER BY id`.execute(this.db);
    return result.rows.map((r) => r.id);
  }

  /** The ids SQL selects for the query, with the residual conditions checked in memory on those candidates. */
  async matching(query: Dataset, options: MatchOptions = {}): Promise<string[]> {
    const { where, residual } = conditionsToSql(matchConditions(query, options), COLUMNS, options);
    return (await this.select(where)).filter((id) => matchesDataset(residual, this.#rows.get(id)!, options));
  }

  async tableCount(): Promise<number> {
    const result = await sql<{ n: number }>`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'candidates'`.execute(this.db);
    return result.rows[0]!.n;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** The ids of the candidates the query matches in memory, sorted. */
export function matchingInMemory(corpus: Readonly<Record<string, Dataset>>, query: Dataset, options: MatchOptions = {}): string[] {
  const conditions = matchConditions(query, options);
  return Object.keys(corpus)
    .filter((id) => matchesDataset(conditions, corpus[id]!, options))
    .sort();
}
