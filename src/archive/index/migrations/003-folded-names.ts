import { type Kysely, sql } from 'kysely';
import { foldCase } from '../../../matching/text.js';
import { dicomString, type IndexDialect, type IndexMigration } from './migration.js';

/**
 * Person names matched case-insensitively (PS3.4 C.2.2.2.1 leaves PN case to the SCP; most PACS ignore it) need a
 * folded copy: SQL's lower() folds ASCII only, so `MÜLLER*` would miss `Müller`. Each PN column a C-FIND can match
 * gets `<column>_folded`, written with the index row from `foldCase` (the function the in-memory matcher uses), and
 * filled here for the rows already there.
 */
export const FOLDED_NAME_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  patients: ['patient_name'],
  studies: ['referring_physician_name'],
  worklist: ['referring_physician_name', 'patient_name', 'requesting_physician', 'scheduled_performing_physician_name'],
};

async function up(db: Kysely<unknown>, _dialect: IndexDialect): Promise<void> {
  for (const [table, columns] of Object.entries(FOLDED_NAME_COLUMNS)) {
    for (const column of columns) {
      await db.schema.alterTable(table).addColumn(`${column}_folded`, 'text', dicomString).execute();
      const rows = await sql<{ id: number; value: string }>`SELECT id, ${sql.ref(column)} AS value FROM ${sql.table(table)} WHERE ${sql.ref(column)} <> ''`.execute(db);
      for (const row of rows.rows) {
        await sql`UPDATE ${sql.table(table)} SET ${sql.ref(`${column}_folded`)} = ${foldCase(row.value)} WHERE id = ${row.id}`.execute(db);
      }
    }
  }
}

export const foldedNames: IndexMigration = { name: '003-folded-names', up };
