/**
 * Looking into a Portico data folder from the outside: every file under a folder, the index's rows (through
 * `Archive.openIndex`), the consistency between `store/` and the index, and a stored file's meta and dataset bytes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile as readBytes } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Archive } from '../../src/archive/archive.js';
import type { InstanceRecord } from '../../src/archive/index/types.js';
import { type DicomFile, readDicom } from '../../src/encoding/read.js';
import { instanceFilesIn } from '../support/tmp-files.js';

/** (0002,0010) Transfer Syntax UID and (0002,0016) Source Application Entity Title in the File Meta Information. */
export const META_TRANSFER_SYNTAX = 0x00020010;
export const META_SOURCE_AE_TITLE = 0x00020016;
export const META_SOP_CLASS = 0x00020002;
export const META_SOP_INSTANCE = 0x00020003;

/** Every file (not folder) under `root`, as paths relative to it with `/`, sorted. Bounded depth; no folder → []. */
export async function filesUnder(root: string, maxDepth = 12): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > maxDepth) throw new Error(`${dir}: deeper than ${maxDepth} levels`);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw error;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full, depth + 1);
      else out.push(relative(root, full).split(sep).join('/'));
    }
  };
  await walk(root, 0);
  return out.sort();
}

/** `store/<2 hex of sha1(Study UID)>/<Study>/<Series>/<SOP Instance>.dcm` (DESIGN.md), relative to the data folder. */
export function expectedStorePath(study: string, series: string, sopInstance: string): string {
  const bucket = createHash('sha1').update(study).digest('hex').slice(0, 2);
  return `store/${bucket}/${study}/${series}/${sopInstance}.dcm`;
}

export interface ArchiveState {
  readonly counts: { readonly patients: number; readonly studies: number; readonly series: number; readonly instances: number; readonly size: number };
  /** Every instance row, through studies → series → instances. */
  readonly instances: readonly InstanceRecord[];
  /** `allPaths()` of the index. */
  readonly indexedPaths: readonly string[];
  /** Files under store/, tmp/, error/ (relative to the data folder); in tmp/, those that hold instance data (not the spare). */
  readonly storeFiles: readonly string[];
  readonly tmpFiles: readonly string[];
  readonly errorFiles: readonly string[];
}

/** Reads the index and the folders of a data folder (the server stopped, or reading beside it: WAL). */
export async function archiveState(dir: string): Promise<ArchiveState> {
  const index = await Archive.openIndex(dir);
  try {
    const instances: InstanceRecord[] = [];
    for (const study of await index.listStudies()) {
      for (const series of await index.listSeries(study.studyInstanceUid)) instances.push(...(await index.listInstances(series.seriesInstanceUid)));
    }
    const counts = await index.counts();
    const indexedPaths = (await index.allPaths()).map((p) => p.split(sep).join('/')).sort();
    const under = async (name: string): Promise<string[]> => (await filesUnder(join(dir, name))).map((p) => `${name}/${p}`);
    return { counts, instances, indexedPaths, storeFiles: await under('store'), tmpFiles: (await instanceFilesIn(join(dir, 'tmp'))).map((p) => `tmp/${p}`), errorFiles: await under('error') };
  } finally {
    await index.close();
  }
}

/** Files in store/ without an index row, and index rows without a file; empty lists when consistent. */
export function inconsistencies(state: ArchiveState): { readonly orphanFiles: string[]; readonly rowsWithoutFile: string[] } {
  const indexed = new Set(state.indexedPaths);
  const onDisk = new Set(state.storeFiles);
  return {
    orphanFiles: state.storeFiles.filter((p) => !indexed.has(p)),
    rowsWithoutFile: state.indexedPaths.filter((p) => !onDisk.has(p)),
  };
}

export interface StoredFile {
  readonly bytes: Uint8Array;
  readonly file: DicomFile;
  /** The bytes after the File Meta Information (for a deflated file: still deflated). */
  readonly datasetBytes: Uint8Array;
  readonly transferSyntax: string | undefined;
  readonly sourceAeTitle: string | undefined;
}

/** Reads a (small) stored file whole. */
export async function readStored(path: string): Promise<StoredFile> {
  const bytes = new Uint8Array(await readBytes(path));
  const file = readDicom(bytes);
  return {
    bytes,
    file,
    datasetBytes: bytes.subarray(file.datasetOffset),
    transferSyntax: file.meta.string(META_TRANSFER_SYNTAX),
    sourceAeTitle: file.meta.string(META_SOURCE_AE_TITLE),
  };
}

/** SHA-256 of a file's bytes from `start`, streamed (for files too big to read whole). */
export function hashFile(path: string, start = 0): Promise<{ readonly sha256: string; readonly bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    createReadStream(path, { start, highWaterMark: 4 << 20 })
      .on('data', (chunk) => {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      })
      .on('error', reject)
      .on('end', () => resolve({ sha256: hash.digest('hex'), bytes }));
  });
}
