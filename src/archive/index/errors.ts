import { DicomError } from '../../core/errors.js';

/** Why the archive index refused or failed an operation. */
export type ArchiveIndexErrorReason =
  /** The database file could not be opened or configured. */
  | 'OPEN'
  /** A schema migration failed (the database is left at the version before it). */
  | 'MIGRATION'
  /** A record the index cannot hold (empty UID, negative size, a field that is not a string). */
  | 'INVALID_RECORD'
  /** A record that contradicts the index (its Series Instance UID is already indexed under another study). */
  | 'CONFLICT'
  /** SQLite reported an error (disk full, I/O error, busy past the timeout); `sqliteCode` says which. */
  | 'DATABASE'
  /** The index was closed. */
  | 'CLOSED';

/** An archive index failure, with the stable code `ERR_INDEX_<reason>`. */
export class ArchiveIndexError extends DicomError {
  /** The SQLite result code name (`SQLITE_BUSY`, `SQLITE_FULL`, …) when SQLite raised the error. */
  readonly sqliteCode: string | undefined;

  constructor(
    readonly reason: ArchiveIndexErrorReason,
    message: string,
    options?: ErrorOptions & { readonly sqliteCode?: string },
  ) {
    super(`ERR_INDEX_${reason}`, message, options);
    this.sqliteCode = options?.sqliteCode;
  }
}

/** Wraps anything thrown by the database layer; an ArchiveIndexError passes through unchanged. */
export function toArchiveIndexError(error: unknown, what: string, reason: ArchiveIndexErrorReason = 'DATABASE'): ArchiveIndexError {
  if (error instanceof ArchiveIndexError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return new ArchiveIndexError(reason, `${what}: ${message}`, { cause: error, sqliteCode: code });
}
