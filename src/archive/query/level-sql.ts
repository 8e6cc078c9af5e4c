/**
 * The SQL of a Query/Retrieve level over the index (portable: SQLite now, PostgreSQL later): the level's table
 * joined to its parents, the WHERE of the shared matching API, read a page at a time in primary-key order (keyset
 * pagination: each page is a short query, so a slow reader never holds the connection that ingest writes through,
 * and nothing is loaded whole), a count that stops at a limit, and the per-entity look-ups (a stored file of the
 * entity, the SOP classes of a study).
 */
import { type Kysely, type RawBuilder, sql, type SqlBool } from 'kysely';
import type { IndexDatabase } from '../index/schema.js';
import type { QueryRetrieveLevel } from '../../services/query-retrieve/levels.js';
import { columnKey, type EntityTable, type IndexRow, LEVEL_TABLE, LEVEL_TABLES, TABLE_COLUMNS } from './index-attributes.js';

/** Parent links: the table, its foreign key column and the parent table. */
const PARENT: Readonly<Partial<Record<EntityTable, readonly [string, EntityTable]>>> = {
  instances: ['series_pk', 'series'],
  series: ['study_pk', 'studies'],
  studies: ['patient_pk', 'patients'],
};

/** `studies INNER JOIN patients ON patients.id = studies.patient_pk` and so on up to the patient. */
function fromClause(level: QueryRetrieveLevel): RawBuilder<unknown> {
  const tables = LEVEL_TABLES[level];
  const parts: RawBuilder<unknown>[] = [sql.table(tables[0]!)];
  for (let i = 1; i < tables.length; i++) {
    const [fk] = PARENT[tables[i - 1]!]!;
    parts.push(sql`INNER JOIN ${sql.table(tables[i]!)} ON ${sql.ref(`${tables[i]}.id`)} = ${sql.ref(`${tables[i - 1]}.${fk}`)}`);
  }
  return sql.join(parts, sql` `);
}

function selectList(level: QueryRetrieveLevel): RawBuilder<unknown> {
  const columns = LEVEL_TABLES[level].flatMap((t) => TABLE_COLUMNS[t].map((c) => sql`${sql.ref(`${t}.${c}`)} AS ${sql.id(columnKey(t, c))}`));
  return sql.join(columns);
}

const TRUE = sql<SqlBool>`1 = 1`;

/** One page of a level's rows matching `where`, after primary key `after`, in primary key order. */
export async function levelPage(db: Kysely<IndexDatabase>, level: QueryRetrieveLevel, where: RawBuilder<SqlBool> | undefined, after: number, pageSize: number): Promise<IndexRow[]> {
  const pk = sql.ref(`${LEVEL_TABLE[level]}.id`);
  const result = await sql<IndexRow>`SELECT ${selectList(level)} FROM ${fromClause(level)} WHERE (${where ?? TRUE}) AND ${pk} > ${after} ORDER BY ${pk} LIMIT ${pageSize}`.execute(db);
  return result.rows;
}

/**
 * The ids of a level's rows that match `where`, no more than `limit` of them, sorted. Which rows a limit cuts off is
 * left to the database: a caller either gets every match (fewer than `limit`) or only needs to know there are that
 * many. Without an ORDER BY on the level's key SQLite may start from the table the conditions narrow (a patient name
 * scans the patients, then finds their studies by index) instead of walking the level's table in key order; for a
 * PatientName wildcard at the study level that is a third less work.
 */
export async function matchingIds(db: Kysely<IndexDatabase>, level: QueryRetrieveLevel, where: RawBuilder<SqlBool> | undefined, limit: number): Promise<number[]> {
  const result = await matchingIdsQuery(level, where, limit).execute(db);
  return result.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** The SELECT of `matchingIds` (exported for the test that reads its query plan). */
export function matchingIdsQuery(level: QueryRetrieveLevel, where: RawBuilder<SqlBool> | undefined, limit: number): RawBuilder<{ id: number }> {
  const bounded = Math.max(0, Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER));
  return sql<{ id: number }>`SELECT ${sql.ref(`${LEVEL_TABLE[level]}.id`)} AS id FROM ${fromClause(level)} WHERE (${where ?? TRUE}) LIMIT ${bounded}`;
}

/** A condition selecting a level's rows by id (ids matched earlier: no second scan). */
export function idIn(level: QueryRetrieveLevel, ids: readonly number[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(`${LEVEL_TABLE[level]}.id`)} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}

/** The path (relative to the data folder) of the first stored instance of an entity of a level. */
export async function firstInstancePath(db: Kysely<IndexDatabase>, level: QueryRetrieveLevel, row: IndexRow): Promise<string | undefined> {
  if (level === 'IMAGE') return String(row[columnKey('instances', 'path')]);
  const id = Number(row[columnKey(LEVEL_TABLE[level], 'id')]);
  const tables = LEVEL_TABLES.IMAGE.slice(0, LEVEL_TABLES.IMAGE.indexOf(LEVEL_TABLE[level]));
  // instances → series → studies: join up to the level's child table, then filter on its foreign key.
  const joins: RawBuilder<unknown>[] = [sql.table('instances')];
  for (let i = 1; i < tables.length; i++) {
    const [fk] = PARENT[tables[i - 1]!]!;
    joins.push(sql`INNER JOIN ${sql.table(tables[i]!)} ON ${sql.ref(`${tables[i]}.id`)} = ${sql.ref(`${tables[i - 1]}.${fk}`)}`);
  }
  const child = tables[tables.length - 1]!;
  const [fk] = PARENT[child]!;
  const result = await sql<{ path: string }>`SELECT ${sql.ref('instances.path')} AS path FROM ${sql.join(joins, sql` `)} WHERE ${sql.ref(`${child}.${fk}`)} = ${id} ORDER BY ${sql.ref('instances.id')} LIMIT 1`.execute(db);
  return result.rows[0]?.path;
}

/** The distinct SOP Class UIDs of a study's instances (SOP Classes in Study, 0008,0062). */
export async function sopClassesOfStudy(db: Kysely<IndexDatabase>, studyId: number): Promise<string[]> {
  const result = await sql<{ uid: string }>`SELECT DISTINCT ${sql.ref('instances.sop_class_uid')} AS uid FROM instances INNER JOIN series ON ${sql.ref('series.id')} = ${sql.ref('instances.series_pk')} WHERE ${sql.ref('series.study_pk')} = ${studyId} ORDER BY 1`.execute(db);
  return result.rows.map((r) => r.uid).filter((u) => u !== '');
}
