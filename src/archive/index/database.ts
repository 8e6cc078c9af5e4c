import { Kysely, SqliteDialect } from 'kysely';
import { openSqliteConnection, type SqliteConnection } from './better-sqlite3.js';
import { toArchiveIndexError } from './errors.js';
import { migrateIndex } from './migrations/migrations.js';
import type { IndexDatabase } from './schema.js';
import { SqliteArchiveIndex, type SqliteArchiveIndexOptions } from './sqlite-index.js';

export type { IndexDatabase, InstancesTable, PatientsTable, SeriesTable, StudiesTable } from './schema.js';

export interface SqliteIndexOptions extends SqliteArchiveIndexOptions {
  /** How long a write waits for a lock held by another process (`portico ls` beside `portico serve`). Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * `full` (default): a commit is on disk when it returns. `normal` (WAL): a commit survives a process crash but the
   * last ones may be lost with the machine's power; only for callers that can rebuild rows from durable files, as
   * the archive does after an unclean stop.
   */
  readonly synchronous?: 'full' | 'normal';
}

/**
 * Opens (creating if needed) the SQLite index at `path` (`':memory:'` for tests) and brings its schema up to date.
 *
 * Durability first: WAL with `synchronous=FULL`, so a commit is on disk when the write returns and a C-STORE success
 * can follow it; `foreign_keys=ON`; a busy timeout so another process waits its turn. All pending migrations run in
 * one BEGIN IMMEDIATE transaction: a crash or error leaves the schema as it was, and two processes opening a new file
 * at once do not both migrate.
 */
export async function openSqliteIndex(path: string, options: SqliteIndexOptions = {}): Promise<SqliteArchiveIndex> {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  let raw: SqliteConnection | undefined;
  try {
    raw = openSqliteConnection(path, { timeout: busyTimeoutMs });
    configure(raw, busyTimeoutMs, options.synchronous ?? 'full');
  } catch (error) {
    if (raw?.open === true) raw.close();
    throw toArchiveIndexError(error, `opening the archive index ${path}`, 'OPEN');
  }

  const kysely = new Kysely<IndexDatabase>({ dialect: new SqliteDialect({ database: raw }) });
  try {
    await migrate(raw, kysely);
  } catch (error) {
    await kysely.destroy();
    if (raw.open) raw.close();
    throw toArchiveIndexError(error, `migrating the archive index ${path}`, 'MIGRATION');
  }
  return new SqliteArchiveIndex(raw, kysely, options);
}

function configure(raw: SqliteConnection, busyTimeoutMs: number, synchronous: 'full' | 'normal'): void {
  // journal_mode answers 'memory' for ':memory:', 'wal' for a file (WAL persists in the file once set).
  raw.pragma('journal_mode = WAL');
  raw.pragma(synchronous === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  // Queries scan the patients and studies tables (name wild cards): keep them in SQLite's own cache (64 MiB, not the
  // 2 MiB default) and read the file through a memory map, instead of a pread per page per query.
  raw.pragma('cache_size = -65536');
  raw.pragma('mmap_size = 268435456');
  if (raw.pragma('foreign_keys', { simple: true }) !== 1) throw new Error('this SQLite build cannot enforce foreign keys');
}

async function migrate(raw: SqliteConnection, kysely: Kysely<IndexDatabase>): Promise<void> {
  // kysely runs SQLite migrations outside a transaction (its adapter reports no transactional DDL); SQLite does have
  // transactional DDL, so the whole upgrade, migration table included, goes into one transaction here.
  raw.exec('BEGIN IMMEDIATE');
  try {
    await migrateIndex(kysely as unknown as Kysely<unknown>, 'sqlite');
    raw.exec('COMMIT');
  } catch (error) {
    if (raw.inTransaction) raw.exec('ROLLBACK');
    throw error;
  }
}
