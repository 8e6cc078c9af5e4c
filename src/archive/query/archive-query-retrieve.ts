/**
 * The archive as a Query/Retrieve provider (DCMTK's index database handle, Orthanc's ServerIndex lookups): C-FIND
 * keys become conditions (`src/matching`), those on indexed columns are translated to SQL by the shared matching
 * API and run on the index a page at a time; the others (counters, SOP Classes in Study, attributes only the files
 * hold, sequences) are matched in memory on each candidate, reading a stored file of the entity only when a
 * condition or a return key needs it. C-MOVE / C-GET unique keys select instance rows the same way.
 *
 * `countMatches` counts the rows the SQL part selects (a bound on the matches: conditions matched in memory can
 * only remove some), so a `maxMatches` limit never costs more than that many rows.
 */
import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import { type Logger, silentLogger } from '../../core/logging.js';
import type { Dataset } from '../../data/dataset.js';
import { type MatchCondition, matchConditions, type MatchOptions } from '../../matching/condition.js';
import { matchesDataset } from '../../matching/match.js';
import { conditionsToSql } from '../../matching/sql.js';
import { isMatchingKey, type QueryRequest, type QueryRetrieveLevel, type RetrieveRequest } from '../../services/query-retrieve/levels.js';
import type { QueryRetrieveProvider, RetrieveInstance } from '../../services/query-retrieve/scp-provider.js';
import { queryRetrieveScps, type QueryRetrieveScpOptions } from '../../services/query-retrieve/scp.js';
import type { ScpService } from '../../net/service.js';
import type { Archive } from '../archive.js';
import type { IndexDatabase } from '../index/schema.js';
import { conditionTags, Entity, type EntityContext } from './entity-attributes.js';
import { COLUMN_MAPS, columnKey, LEVEL_TABLE } from './index-attributes.js';
import { idIn, levelPage, matchingIds } from './level-sql.js';

/** Instance rows read per query when listing what a retrieve selects (the whole list is needed at once anyway). */
const RETRIEVE_PAGE_SIZE = 1000;

export interface ArchiveQueryOptions {
  /** How PN and date/time keys are matched (defaults of the matching API: PN case-insensitive). */
  readonly match?: MatchOptions;
  /** Rows read per query page (default 100). */
  readonly pageSize?: number;
  readonly logger?: Logger;
}

/** A level's conditions split: the SQL WHERE, and what is matched in memory (and whether that needs the file). */
interface Plan {
  readonly level: QueryRetrieveLevel;
  readonly where: RawBuilder<SqlBool> | undefined;
  readonly inMemory: readonly MatchCondition[];
  /** The options the conditions were made with, which the in-memory matching uses too. */
  readonly match: MatchOptions;
}

export class ArchiveQueryRetrieve implements QueryRetrieveProvider {
  readonly #context: EntityContext;
  readonly #match: MatchOptions;
  readonly #pageSize: number;

  constructor(
    readonly db: Kysely<IndexDatabase>,
    resolvePath: (relative: string) => string,
    options: ArchiveQueryOptions = {},
  ) {
    this.#context = { db, resolvePath, logger: options.logger ?? silentLogger };
    this.#match = options.match ?? {};
    this.#pageSize = Math.max(1, options.pageSize ?? 100);
  }

  /** The rows `countMatches` selected for a query, so that `find` reads them by id instead of matching again. */
  readonly #counted = new WeakMap<QueryRequest, readonly number[]>();

  async countMatches(query: QueryRequest, limit: number): Promise<number> {
    const plan = this.#plan(query.level, query.identifier, this.#matchOf(query));
    const ids = await matchingIds(this.db, plan.level, plan.where, limit);
    if (ids.length < limit) this.#counted.set(query, ids);
    return ids.length;
  }

  async *find(query: QueryRequest): AsyncGenerator<Dataset> {
    const plan = this.#plan(query.level, query.identifier, this.#matchOf(query));
    const ids = this.#counted.get(query);
    this.#counted.delete(query);
    // Counted just before (the --max-matches check): those rows, by primary key; the name scan is not run twice.
    // Those rows are fewer than the count's limit (--max-matches): read them in one query, not a page per 100.
    const rows = ids === undefined ? plan : { ...plan, where: idIn(plan.level, ids) };
    const pageSize = ids === undefined ? this.#pageSize : Math.max(this.#pageSize, ids.length);
    for await (const entity of this.#entities(rows, pageSize)) yield await entity.match(query.identifier);
  }

  async retrieveInstances(request: RetrieveRequest): Promise<readonly RetrieveInstance[]> {
    // The unique keys of the retrieve level and above, matched on instance rows (every one is an indexed column).
    const plan = this.#plan('IMAGE', request.identifier, this.#match);
    const out: RetrieveInstance[] = [];
    for await (const entity of this.#entities(plan, Math.max(this.#pageSize, RETRIEVE_PAGE_SIZE))) {
      const row = entity.row;
      out.push({
        sopInstanceUid: String(row[columnKey('instances', 'sop_instance_uid')]),
        sopClassUid: String(row[columnKey('instances', 'sop_class_uid')]),
        transferSyntaxUid: String(row[columnKey('instances', 'transfer_syntax_uid')]),
        path: this.#context.resolvePath(String(row[columnKey('instances', 'path')])),
      });
    }
    return out;
  }

  /**
   * The archive's matching options with the query's own over them: what its association negotiated (combined
   * date-time matching) holds for that query only.
   */
  #matchOf(query: QueryRequest): MatchOptions {
    return query.match === undefined ? this.#match : { ...this.#match, ...query.match };
  }

  /** Conditions of the keys that are matched (not Retrieve AE Title and the like); universal ones always match. */
  #plan(level: QueryRetrieveLevel, identifier: Dataset, match: MatchOptions): Plan {
    const conditions = matchConditions(identifier, match).filter((c) => c.kind !== 'universal' && conditionTags(c).every(isMatchingKey));
    const columns = COLUMN_MAPS[level];
    const inSql = conditions.filter((c) => c.kind !== 'sequence' && conditionTags(c).every((t) => columns.has(t)));
    const translated = conditionsToSql(inSql, columns, match);
    const inMemory = [...translated.residual, ...conditions.filter((c) => !inSql.includes(c))];
    return { level, where: translated.where, inMemory, match };
  }

  /** The rows that match, a page at a time, each checked against the in-memory conditions. */
  async *#entities(plan: Plan, pageSize = this.#pageSize): AsyncGenerator<Entity> {
    let after = 0;
    for (;;) {
      const rows = await levelPage(this.db, plan.level, plan.where, after, pageSize);
      for (const row of rows) {
        const entity = new Entity(this.#context, plan.level, row);
        if (plan.inMemory.length === 0 || matchesDataset(plan.inMemory, await entity.candidate(plan.inMemory), plan.match)) yield entity;
      }
      if (rows.length < pageSize) return;
      after = Number(rows[rows.length - 1]![columnKey(LEVEL_TABLE[plan.level], 'id')]);
    }
  }
}

/** The archive's index and files as a Query/Retrieve provider (the index must be one kysely reads: SQLite now). */
export function archiveQueryRetrieve(archive: Archive, options: ArchiveQueryOptions = {}): ArchiveQueryRetrieve {
  const db = (archive.index as { readonly kysely?: Kysely<IndexDatabase> }).kysely;
  if (db === undefined) throw new TypeError('the archive index offers no kysely connection to query');
  return new ArchiveQueryRetrieve(db, (relative) => archive.files.absolute(relative), options);
}

/**
 * The Q/R FIND, MOVE and GET services on an archive, for `portico serve`: `queryRetrieveScps` with the archive as
 * the provider. Serve them beside the Storage SCP (C-GET requestors propose the storage SOP classes it accepts).
 */
export function archiveQueryRetrieveScps(options: Omit<QueryRetrieveScpOptions, 'archive'> & { readonly archive: Archive; readonly match?: MatchOptions }): ScpService[] {
  return queryRetrieveScps({ ...options, archive: archiveQueryRetrieve(options.archive, { logger: options.logger, match: options.match }) });
}
