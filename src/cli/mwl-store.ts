import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Archive } from '../archive/archive.js';
import { openSqliteIndex } from '../archive/index/database.js';
import { SqliteArchiveIndex } from '../archive/index/sqlite-index.js';
import { SqliteWorklistStore } from '../archive/worklist/sqlite-store.js';

/** The worklist of a data folder, open, and how to close it. */
export interface OpenWorklist {
  readonly store: SqliteWorklistStore;
  close(): Promise<void>;
}

/**
 * Opens the worklist in the database of a data folder (`portico serve --dir`), whether or not the server runs
 * (WAL and a busy timeout let both write). With `create`, a folder without an archive gets one (entries can be added
 * before the server first starts); without it, such a folder is an error (`portico mwl list` on a wrong --dir).
 */
export async function openWorklist(dir: string, create: boolean): Promise<OpenWorklist> {
  let index: SqliteArchiveIndex;
  if (create) {
    await mkdir(dir, { recursive: true });
    index = await openSqliteIndex(join(dir, 'index.sqlite'));
  } else {
    const opened = await Archive.openIndex(dir);
    if (!(opened instanceof SqliteArchiveIndex)) {
      await opened.close();
      throw new Error(`${dir}: the worklist needs the SQLite index`);
    }
    index = opened;
  }
  return { store: SqliteWorklistStore.of(index), close: () => index.close() };
}
