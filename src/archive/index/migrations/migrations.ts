import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { ArchiveIndexError, toArchiveIndexError } from '../errors.js';
import { initial } from './001-initial.js';
import { worklist } from './002-worklist.js';
import { foldedNames } from './003-folded-names.js';
import type { IndexDialect, IndexMigration } from './migration.js';

/** Every schema upgrade, in order. Append new ones (`002-…`); never edit or reorder a released one. */
export const INDEX_MIGRATIONS: readonly IndexMigration[] = [initial, worklist, foldedNames];

/** kysely's provider over the static list (no folder scan: the bundle and `dist/` hold no migration files to find). */
export function indexMigrationProvider(dialect: IndexDialect, migrations: readonly IndexMigration[] = INDEX_MIGRATIONS): MigrationProvider {
  return {
    getMigrations: () => {
      const byName: Record<string, Migration> = {};
      for (const m of migrations) byName[m.name] = { up: (db) => m.up(db as Kysely<unknown>, dialect) };
      return Promise.resolve(byName);
    },
  };
}

/**
 * Brings the schema to the latest version and returns the names of the migrations it ran (none when already current).
 * A database written by a newer Portico (a migration this build does not know) is refused, not downgraded.
 */
export async function migrateIndex(db: Kysely<unknown>, dialect: IndexDialect): Promise<readonly string[]> {
  const migrator = new Migrator({ db, provider: indexMigrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw error instanceof ArchiveIndexError ? error : toArchiveIndexError(error, failed === undefined ? 'schema migration' : `schema migration ${failed}`, 'MIGRATION');
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
