import { access, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DicomError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logging.js';
import { readFile } from '../encoding/read.js';
import { TRANSFER_SYNTAXES } from '../encoding/transfer-syntax.js';
import { storageSopClasses } from '../dictionary/uids.js';
import { FileStore, fsyncDir } from './file-store.js';
import { openSqliteIndex } from './index/database.js';
import type { ArchiveIndex, DuplicatePolicy } from './index/types.js';
import { Ingest, instanceRecord } from './ingest.js';

export interface ArchiveOptions {
  readonly duplicates?: DuplicatePolicy;
  /** Free disk space to keep; below it storage answers A700 (default 512 MiB). */
  readonly reserveBytes?: number;
  readonly logger?: Logger;
}

/** The data folder: files, index, ingest. `portico serve`, `portico ls` and the later commands open it. */
export class Archive {
  private constructor(
    readonly dir: string,
    readonly files: FileStore,
    readonly index: ArchiveIndex,
    readonly ingest: Ingest,
    readonly recovered: { readonly indexed: number; readonly removed: number } | undefined,
  ) {}

  /**
   * Opens (creating) the data folder. `tmp/` is emptied. After an unclean stop (the `.running` marker is still
   * there), files in `store/` that the index lacks are indexed and rows whose files are gone are removed.
   */
  static async open(dir: string, options: ArchiveOptions = {}): Promise<Archive> {
    const logger = options.logger ?? silentLogger;
    const files = new FileStore(dir, options.reserveBytes);
    await files.init();
    // The files are the record: each is fsync'd into store/ before its C-STORE is answered, and after an unclean stop
    // every file the index lacks is indexed again. So the index commit need not wait for the disk (WAL, NORMAL: safe
    // against a process crash; after a power loss the reconcile below restores any row that was lost).
    const index = await openSqliteIndex(join(dir, 'index.sqlite'), { synchronous: 'normal' });
    const ingest = new Ingest(files, index, { duplicates: options.duplicates, logger });
    const marker = join(dir, '.running');
    const unclean = await access(marker).then(
      () => true,
      () => false,
    );
    const recovered = unclean ? await reconcile(dir, files, index, logger) : undefined;
    // The marker must itself survive a power loss, or the next start would not know to reconcile.
    await writeFile(marker, `${process.pid}\n`, { flush: true });
    await fsyncDir(dir);
    return new Archive(dir, files, index, ingest, recovered);
  }

  /** Closes the index and removes the `.running` marker (a clean stop). */
  async close(): Promise<void> {
    await this.index.close();
    await this.files.close();
    await rm(join(this.dir, '.running'), { force: true });
  }

  /** Opens the index of a data folder for reading, without touching `tmp/` or the marker (`portico ls`). */
  static async openIndex(dir: string): Promise<ArchiveIndex> {
    const path = join(dir, 'index.sqlite');
    try {
      await stat(path);
    } catch {
      throw new DicomError('ERR_NO_ARCHIVE', `${dir} holds no archive (start one with: portico serve --dir ${dir})`);
    }
    return openSqliteIndex(path);
  }
}

/** Every storage SOP class of the standard (PS3.4 Annex B; the seeds' lists are subsets of it). */
export const STORAGE_SOP_CLASSES: readonly string[] = storageSopClasses().map((u) => u.uid);

/**
 * Transfer syntaxes the Storage SCP accepts, in preference order: the encapsulated ones first (an instance is stored
 * as the sender has it, no transcoding on either side), then Explicit LE, Implicit LE, Explicit BE, Deflated.
 */
export const STORAGE_TRANSFER_SYNTAXES: readonly string[] = [
  ...TRANSFER_SYNTAXES.filter((t) => t.encapsulated && !t.retired).map((t) => t.uid),
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.1.99',
];

async function reconcile(dir: string, files: FileStore, index: ArchiveIndex, logger: Logger): Promise<{ indexed: number; removed: number }> {
  const known = new Set(await index.allPaths());
  const onDisk = new Set<string>();
  let indexed = 0;
  for await (const full of walk(files.storeDir)) {
    const rel = relative(dir, full);
    onDisk.add(rel);
    if (known.has(rel)) continue;
    // Renamed into store/ but not indexed when the process died: the file is whole (fsync'd before the rename).
    try {
      const parsed = await readFile(full, { stopBeforePixels: true });
      const ds = parsed.dataset;
      const { size } = await stat(full);
      const source = parsed.meta.string(0x00020016) ?? '';
      const uid = (k: string): string => ds.string(k) ?? '';
      await index.indexInstance(
        instanceRecord(ds, uid('SOPInstanceUID'), uid('SOPClassUID'), uid('StudyInstanceUID'), uid('SeriesInstanceUID'), rel, size, parsed.transferSyntax.uid, source),
        'keep-first',
      );
      indexed++;
    } catch (error) {
      logger.warn({ file: rel, err: (error as Error).message }, 'unreadable file in store/ removed during recovery');
      await rm(full, { force: true });
    }
  }
  const missing: string[] = [];
  for (const p of known) if (!onDisk.has(p)) missing.push(p);
  if (missing.length > 0) {
    const gone = new Set(missing);
    const uids: string[] = [];
    for (const study of await index.listStudies()) {
      for (const series of await index.listSeries(study.studyInstanceUid)) {
        for (const inst of await index.listInstances(series.seriesInstanceUid)) if (gone.has(inst.path)) uids.push(inst.sopInstanceUid);
      }
    }
    await index.removeInstances(uids);
  }
  logger.info({ indexed, removed: missing.length }, 'recovered after an unclean stop');
  return { indexed, removed: missing.length };
}

async function* walk(dir: string): AsyncIterable<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) yield* walk(full);
    else if (e.isFile() && e.name.endsWith('.dcm')) yield full;
  }
}
