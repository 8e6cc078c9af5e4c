import { createRequire } from 'node:module';

/**
 * The part of better-sqlite3's API the index uses, typed here because the package ships no declarations (kysely does
 * the same in `sqlite-dialect-config.ts`). It is a superset of kysely's `SqliteDatabase`, so one connection serves both.
 */
export interface SqliteStatement {
  readonly reader: boolean;
  run(...parameters: unknown[]): { readonly changes: number; readonly lastInsertRowid: number | bigint };
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
  iterate(...parameters: unknown[]): IterableIterator<unknown>;
}

/** A function wrapped by `db.transaction()`: BEGIN … COMMIT, or SAVEPOINT … RELEASE when already in a transaction. */
export interface SqliteTransaction<A extends unknown[], R> {
  (...args: A): R;
  /** BEGIN IMMEDIATE: takes the write lock up front, so a second process waits (busy_timeout) instead of failing. */
  immediate(...args: A): R;
}

export interface SqliteConnection {
  readonly open: boolean;
  readonly inTransaction: boolean;
  readonly memory: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): SqliteConnection;
  pragma(source: string, options?: { readonly simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R>;
  close(): SqliteConnection;
}

export interface SqliteOpenOptions {
  readonly readonly?: boolean;
  readonly fileMustExist?: boolean;
  /** Milliseconds to wait for a lock held by another connection (sets busy_timeout). */
  readonly timeout?: number;
}

type SqliteConstructor = new (filename: string, options?: SqliteOpenOptions) => SqliteConnection;

const require = createRequire(import.meta.url);

/** Opens a better-sqlite3 connection (loaded lazily, so importing the index costs nothing until it is used). */
export function openSqliteConnection(filename: string, options?: SqliteOpenOptions): SqliteConnection {
  const BetterSqlite3 = require('better-sqlite3') as SqliteConstructor;
  return new BetterSqlite3(filename, options);
}
