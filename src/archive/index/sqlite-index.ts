import type { Kysely } from 'kysely';
import type { SqliteConnection, SqliteStatement } from './better-sqlite3.js';
import { ArchiveIndexError, toArchiveIndexError } from './errors.js';
import * as queries from './index-queries.js';
import { assertIndexableRecord } from './record-validation.js';
import type { IndexDatabase } from './schema.js';
import { type IndexAttempt, type PendingIndex, SqliteIndexWriter } from './sqlite-writer.js';
import type {
  ArchiveIndex,
  DuplicatePolicy,
  IndexResult,
  InstanceRecord,
  PatientSummary,
  SeriesSummary,
  StudySummary,
} from './types.js';

export interface SqliteArchiveIndexOptions {
  /**
   * Gather the `indexInstance` calls that arrive in the same turn of the event loop into one transaction, one fsync
   * (group commit). Each call still resolves only after the commit that holds it, and fails alone. Default true.
   */
  readonly groupCommit?: boolean;
  /** Most records in one group commit, so a burst never blocks the event loop for long. Default 256. */
  readonly maxBatch?: number;
}

interface QueuedIndex extends PendingIndex {
  readonly resolve: (result: IndexResult) => void;
  readonly reject: (error: unknown) => void;
}

const DEFAULT_MAX_BATCH = 256;

/**
 * The archive index on SQLite (one connection, WAL, synchronous=FULL): writes are synchronous better-sqlite3
 * transactions on prepared statements, reads are kysely queries. Every write holds kysely's connection lock, so it
 * never lands inside a transaction that someone else opened through `kysely`. Open it with `openSqliteIndex`.
 */
export class SqliteArchiveIndex implements ArchiveIndex {
  /** The kysely instance over the same connection, for the other archive stores that live in this database. */
  readonly kysely: Kysely<IndexDatabase>;
  readonly #raw: SqliteConnection;
  readonly #writer: SqliteIndexWriter;
  readonly #groupCommit: boolean;
  readonly #maxBatch: number;
  #queue: QueuedIndex[] = [];
  #scheduled = false;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing = false;
  #closed: Promise<void> | undefined;

  constructor(raw: SqliteConnection, kysely: Kysely<IndexDatabase>, options: SqliteArchiveIndexOptions = {}) {
    this.#raw = raw;
    this.kysely = kysely;
    this.#writer = new SqliteIndexWriter(raw);
    this.#groupCommit = options.groupCommit ?? true;
    this.#maxBatch = Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH);
  }

  indexInstance(record: InstanceRecord, duplicates: DuplicatePolicy): Promise<IndexResult> {
    try {
      this.#assertOpen();
      assertIndexableRecord(record);
      assertPolicy(duplicates);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<IndexResult>((resolve, reject) => {
      this.#queue.push({ record, duplicates, resolve, reject });
      if (this.#groupCommit) this.#schedule();
      else void this.#flush();
    });
  }

  /**
   * Indexes a batch in one transaction (one fsync): all records are indexed, or on the first error none is. Results are
   * in the order of `records`; a SOP Instance UID that appears twice is a duplicate of its first appearance.
   */
  async indexInstances(records: readonly InstanceRecord[], duplicates: DuplicatePolicy): Promise<IndexResult[]> {
    this.#assertOpen();
    assertPolicy(duplicates);
    for (const record of records) assertIndexableRecord(record);
    if (records.length === 0) return [];
    return this.#write(() => this.#writer.indexAll(records, duplicates, new Date().toISOString()), 'indexing a batch');
  }

  #hasInstance: SqliteStatement | undefined;

  hasInstance(sopInstanceUid: string): Promise<boolean> {
    // A prepared statement on the connection, not a kysely query: this runs before every C-STORE is filed.
    return this.#read(async () => {
      if (!this.#raw.open) throw new ArchiveIndexError('CLOSED', 'the archive index is closed');
      this.#hasInstance ??= this.#raw.prepare('SELECT 1 FROM instances WHERE sop_instance_uid = ?');
      return this.#hasInstance.get(sopInstanceUid) !== undefined;
    }, 'looking up an instance');
  }

  findInstance(sopInstanceUid: string): Promise<InstanceRecord | undefined> {
    return this.#read(() => queries.findInstance(this.kysely, sopInstanceUid), 'finding an instance');
  }

  listPatients(): Promise<PatientSummary[]> {
    return this.#read(() => queries.listPatients(this.kysely), 'listing patients');
  }

  listStudies(filter?: { readonly patientId?: string }): Promise<StudySummary[]> {
    return this.#read(() => queries.listStudies(this.kysely, filter), 'listing studies');
  }

  listSeries(studyInstanceUid: string): Promise<SeriesSummary[]> {
    return this.#read(() => queries.listSeries(this.kysely, studyInstanceUid), 'listing series');
  }

  listInstances(seriesInstanceUid: string): Promise<InstanceRecord[]> {
    return this.#read(() => queries.listInstances(this.kysely, seriesInstanceUid), 'listing instances');
  }

  allPaths(): Promise<string[]> {
    return this.#read(() => queries.allPaths(this.kysely), 'listing paths');
  }

  async removeInstances(sopInstanceUids: readonly string[]): Promise<void> {
    this.#assertOpen();
    if (sopInstanceUids.length === 0) return;
    await this.#write(() => this.#writer.remove(sopInstanceUids, new Date().toISOString()), 'removing instances');
  }

  counts(): Promise<queries.IndexCounts> {
    return this.#read(() => queries.counts(this.kysely), 'counting');
  }

  /** Commits what is queued, waits for running writes, then closes the connection. Safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    while (this.#queue.length > 0) await this.#flush();
    await Promise.allSettled([...this.#inFlight]);
    try {
      if (this.#raw.open) this.#raw.pragma('optimize');
    } catch {
      // Only statistics for the query planner; closing matters more.
    }
    await this.kysely.destroy();
    if (this.#raw.open) this.#raw.close();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  /** Commits up to maxBatch queued records in one transaction and settles their promises after the commit. */
  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0, this.#maxBatch);
    if (this.#queue.length > 0 && this.#groupCommit) this.#schedule();
    if (batch.length === 0) return;
    let attempts: IndexAttempt[];
    try {
      attempts = await this.#write(() => this.#writer.indexEach(batch, new Date().toISOString()), 'indexing');
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    attempts.forEach((attempt, i) => {
      const item = batch[i];
      if (attempt.ok) item.resolve(attempt.result);
      else item.reject(toArchiveIndexError(attempt.error, `indexing ${item.record.sopInstanceUid}`));
    });
  }

  /** Runs a synchronous write while holding kysely's single-connection lock; errors become ArchiveIndexError. */
  async #write<T>(fn: () => T, what: string): Promise<T> {
    const run = this.kysely.connection().execute(() => {
      if (!this.#raw.open) throw new ArchiveIndexError('CLOSED', 'the archive index is closed');
      return Promise.resolve(fn());
    });
    this.#inFlight.add(run);
    try {
      return await run;
    } catch (error) {
      throw toArchiveIndexError(error, what);
    } finally {
      this.#inFlight.delete(run);
    }
  }

  async #read<T>(fn: () => Promise<T>, what: string): Promise<T> {
    this.#assertOpen();
    const run = fn();
    this.#inFlight.add(run);
    try {
      return await run;
    } catch (error) {
      throw toArchiveIndexError(error, what);
    } finally {
      this.#inFlight.delete(run);
    }
  }

  #assertOpen(): void {
    if (this.#closing) throw new ArchiveIndexError('CLOSED', 'the archive index is closed');
  }
}

function assertPolicy(duplicates: DuplicatePolicy): void {
  if (duplicates !== 'keep-first' && duplicates !== 'overwrite') {
    throw new ArchiveIndexError('INVALID_RECORD', `unknown duplicate policy ${String(duplicates)}`);
  }
}
