import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

/** The SQL dialects the index schema is written for: the same migrations run on both. */
export type IndexDialect = 'sqlite' | 'postgres';

/**
 * One numbered schema upgrade (Orthanc's upgrade scripts): forward only, never edited once released. `name` is what
 * the migration table records (`001-initial`), so it sorts in the order the upgrades must run.
 */
export interface IndexMigration {
  readonly name: string;
  up(db: Kysely<unknown>, dialect: IndexDialect): Promise<void>;
}

/** The type of a surrogate key and of the foreign keys that point at it. */
export function keyType(dialect: IndexDialect): 'integer' | 'bigint' {
  // SQLite: only `integer primary key` is the rowid; PostgreSQL: 64-bit, so an archive never runs out of ids.
  return dialect === 'sqlite' ? 'integer' : 'bigint';
}

/** A surrogate primary key whose values are never reused (AUTOINCREMENT / identity). */
export function primaryKey(dialect: IndexDialect): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return dialect === 'sqlite'
    ? (column) => column.primaryKey().autoIncrement()
    : (column) => column.primaryKey().generatedByDefaultAsIdentity();
}

/** A DICOM string: never NULL, empty when absent, so equality and unique constraints behave the same everywhere. */
export function dicomString(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder {
  return column.notNull().defaultTo('');
}

/** A counter or a byte size. */
export function counter(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder {
  return column.notNull().defaultTo(0);
}
