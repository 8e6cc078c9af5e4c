import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { Dataset } from '../../data/dataset.js';
import { fromDicomJson, toDicomJson } from '../../encoding/dicom-json.js';
import { tagForKeyword } from '../../dictionary/attributes.js';
import type { MatchCondition, MatchOptions } from '../../matching/condition.js';
import { matchesDataset } from '../../matching/match.js';
import { conditionsToSql } from '../../matching/sql.js';
import type { WorklistFindOptions } from '../../services/worklist/source.js';
import type { SqliteArchiveIndex } from '../index/sqlite-index.js';
import { rowOf, SCHEDULED_PROCEDURE_STEP_SEQUENCE, SPS_ITEM_COLUMNS, WORKLIST_COLUMNS } from './columns.js';
import { WorklistError } from './errors.js';
import type { WorklistDatabase } from './table.js';
import type { WorklistEntry, WorklistFilter, WorklistRemoval, WorklistStore } from './types.js';
import { type NormalizeOptions, normalizeWorklistItem } from './validate.js';

/** Rows read per step when conditions are checked in memory (so memory stays bounded whatever the worklist's size). */
const SCAN_BATCH = 256;
/** Ids per `IN (…)` list. */
const ID_BATCH = 200;

interface Translation {
  readonly wheres: readonly RawBuilder<SqlBool>[];
  readonly residual: readonly MatchCondition[];
}

/**
 * The worklist in the archive's SQLite database (table `worklist`, migration 002): one row per Scheduled Procedure
 * Step, the matching keys as columns and the item as DICOM JSON. A query is translated to SQL over the columns (the
 * Scheduled Procedure Step Sequence's item keys over the row's SPS columns, since a row holds one item); what has no
 * column is checked in memory on the stored items, a batch of rows at a time.
 */
export class SqliteWorklistStore implements WorklistStore {
  readonly #db: Kysely<WorklistDatabase>;
  readonly #normalize: NormalizeOptions;

  constructor(db: Kysely<WorklistDatabase>, options: NormalizeOptions = {}) {
    this.#db = db;
    this.#normalize = options;
  }

  /** The worklist of an open archive index (same database, same connection). */
  static of(index: SqliteArchiveIndex, options: NormalizeOptions = {}): SqliteWorklistStore {
    // kysely's database type is invariant: the index's tables and ours, seen as ours alone.
    return new SqliteWorklistStore(index.kysely.withTables<WorklistDatabase>() as unknown as Kysely<WorklistDatabase>, options);
  }

  async add(items: readonly Dataset[], options: { readonly labels?: readonly string[] } = {}): Promise<WorklistEntry[]> {
    const prepared = items.flatMap((input, i) => {
      const where = options.labels?.[i] ?? `entry ${i + 1}`;
      try {
        return normalizeWorklistItem(input, this.#normalize).map((item) => ({ where, item }));
      } catch (error) {
        throw error instanceof WorklistError ? error.at(where) : error;
      }
    });
    if (prepared.length === 0) return [];
    const createdAt = new Date().toISOString();
    return this.#db.transaction().execute(async (trx) => {
      const added: WorklistEntry[] = [];
      for (const { where, item } of prepared) {
        const row = rowOf(item, JSON.stringify(toDicomJson(item)), createdAt);
        try {
          const { id } = await trx.insertInto('worklist').values(row).returning('id').executeTakeFirstOrThrow();
          added.push({ id: Number(id), item, createdAt });
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          throw new WorklistError(
            'CONFLICT',
            `${where}: the worklist already has Scheduled Procedure Step ${row.sps_id} of study ${row.study_instance_uid}`,
            where,
            undefined,
            { cause: error },
          );
        }
      }
      return added;
    });
  }

  async findMatches(conditions: readonly MatchCondition[], options: WorklistFindOptions): Promise<readonly number[]> {
    const limit = Math.max(0, Math.floor(options.limit));
    if (limit === 0) return [];
    const { wheres, residual } = translate(conditions, options.match);
    if (residual.length === 0) {
      const rows = await this.#select(wheres).select('id').orderBy('sps_start_date').orderBy('sps_start_time').orderBy('id').limit(limit).execute();
      return rows.map((r) => Number(r.id));
    }
    // Some conditions have no column: scan the rows the SQL part selects, in id order, a batch at a time.
    const found: { id: number; date: string; time: string }[] = [];
    let last = 0;
    scan: for (;;) {
      if (options.signal?.aborted) break;
      const rows = await this.#select(wheres)
        .select(['id', 'item_json', 'sps_start_date', 'sps_start_time'])
        .where('id', '>', last)
        .orderBy('id')
        .limit(SCAN_BATCH)
        .execute();
      for (const row of rows) {
        last = Number(row.id);
        if (!matchesDataset(residual, parseItem(row.item_json, last), options.match)) continue;
        found.push({ id: last, date: row.sps_start_date, time: row.sps_start_time });
        if (found.length >= limit) break scan;
      }
      if (rows.length < SCAN_BATCH) break;
    }
    found.sort((a, b) => cmp(a.date, b.date) || cmp(a.time, b.time) || a.id - b.id);
    return found.map((f) => f.id);
  }

  async *items(ids: readonly number[]): AsyncIterable<Dataset> {
    for (let i = 0; i < ids.length; i += ID_BATCH) {
      const chunk = ids.slice(i, i + ID_BATCH);
      const rows = await this.#db.selectFrom('worklist').select(['id', 'item_json']).where('id', 'in', chunk).execute();
      const byId = new Map(rows.map((r) => [Number(r.id), r.item_json]));
      for (const id of chunk) {
        const json = byId.get(id);
        if (json !== undefined) yield parseItem(json, id);
      }
    }
  }

  async entries(ids: readonly number[]): Promise<WorklistEntry[]> {
    const found: (WorklistEntry & { readonly date: string; readonly time: string })[] = [];
    for (let i = 0; i < ids.length; i += ID_BATCH) {
      const rows = await this.#db
        .selectFrom('worklist')
        .select(['id', 'item_json', 'created_at', 'sps_start_date', 'sps_start_time'])
        .where('id', 'in', ids.slice(i, i + ID_BATCH))
        .execute();
      for (const r of rows) {
        const id = Number(r.id);
        found.push({ id, item: parseItem(r.item_json, id), createdAt: r.created_at, date: r.sps_start_date, time: r.sps_start_time });
      }
    }
    found.sort((a, b) => cmp(a.date, b.date) || cmp(a.time, b.time) || a.id - b.id);
    return found.map(({ id, item, createdAt }) => ({ id, item, createdAt }));
  }

  async list(filter: WorklistFilter = {}): Promise<WorklistEntry[]> {
    const ids = await this.findMatches(filterConditions(filter), { limit: filter.limit ?? Number.MAX_SAFE_INTEGER });
    return this.entries(ids);
  }

  async remove(removal: WorklistRemoval): Promise<number> {
    let total = 0;
    if ('before' in removal) {
      const result = await this.#db.deleteFrom('worklist').where('sps_start_date', '!=', '').where('sps_start_date', '<', removal.before).executeTakeFirst();
      return Number(result.numDeletedRows);
    }
    const [column, values] = 'ids' in removal ? (['id', removal.ids] as const) : (['accession_number', removal.accessionNumbers] as const);
    await this.#db.transaction().execute(async (trx) => {
      for (let i = 0; i < values.length; i += ID_BATCH) {
        const chunk = values.slice(i, i + ID_BATCH) as (string | number)[];
        const result = await trx.deleteFrom('worklist').where(column, 'in', chunk as never[]).executeTakeFirst();
        total += Number(result.numDeletedRows);
      }
    });
    return total;
  }

  async count(): Promise<number> {
    const row = await this.#db.selectFrom('worklist').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  #select(wheres: readonly RawBuilder<SqlBool>[]) {
    let query = this.#db.selectFrom('worklist');
    for (const where of wheres) query = query.where(where);
    return query;
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * SQL for what has a column: the top-level keys over the row, and the keys of the Scheduled Procedure Step
 * Sequence's item over the row's SPS columns (each row holds one SPS item, so matching the sequence is matching
 * them). The rest is checked in memory: top-level residue as is, SPS residue as a sequence condition.
 */
function translate(conditions: readonly MatchCondition[], match: MatchOptions | undefined): Translation {
  const top: MatchCondition[] = [];
  const spsItem: MatchCondition[] = [];
  let otherSps = false;
  for (const c of conditions) {
    if (c.kind === 'sequence' && c.tag === SCHEDULED_PROCEDURE_STEP_SEQUENCE && !otherSps) {
      spsItem.push(...c.item);
      otherSps = true;
    } else {
      top.push(c);
    }
  }
  const a = conditionsToSql(top, WORKLIST_COLUMNS, match);
  const b = conditionsToSql(spsItem, SPS_ITEM_COLUMNS, match);
  const wheres = [a.where, b.where].filter((w): w is RawBuilder<SqlBool> => w !== undefined);
  const residual: MatchCondition[] = [...a.residual];
  if (b.residual.length > 0) residual.push({ kind: 'sequence', tag: SCHEDULED_PROCEDURE_STEP_SEQUENCE, item: b.residual });
  return { wheres, residual };
}

const START_DATE = tagForKeyword('ScheduledProcedureStepStartDate')!;
const MODALITY = tagForKeyword('Modality')!;
const STATION = tagForKeyword('ScheduledStationAETitle')!;

/** `list`'s filter as matching conditions on the SPS item. */
function filterConditions(filter: WorklistFilter): MatchCondition[] {
  const item: MatchCondition[] = [];
  if (filter.date !== undefined) {
    const [from, to] = filter.date.includes('-') ? filter.date.split('-', 2) : [filter.date, filter.date];
    item.push({ kind: 'range', tag: START_DATE, vr: 'DA', ...(from ? { from } : {}), ...(to ? { to } : {}) });
  }
  if (filter.modality !== undefined) item.push({ kind: 'single', tag: MODALITY, vr: 'CS', value: filter.modality });
  if (filter.stationAeTitle !== undefined) item.push({ kind: 'single', tag: STATION, vr: 'AE', value: filter.stationAeTitle });
  return item.length === 0 ? [] : [{ kind: 'sequence', tag: SCHEDULED_PROCEDURE_STEP_SEQUENCE, item }];
}

function parseItem(json: string, id: number): Dataset {
  try {
    return fromDicomJson(JSON.parse(json));
  } catch (error) {
    throw new WorklistError('CORRUPT', `worklist entry ${id}: the stored item cannot be read: ${(error as Error).message}`, undefined, undefined, { cause: error });
  }
}

/** SQLite `SQLITE_CONSTRAINT_UNIQUE` / `…_PRIMARYKEY`, PostgreSQL 23505. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
