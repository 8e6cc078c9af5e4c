import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rename, rm, statfs } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { DicomValueError } from '../core/errors.js';
import { assertValidUid } from '../data/uid.js';

/** Writes are gathered into blocks of this size: fewer syscalls for the many small PDVs of a C-STORE. */
const BLOCK = 1 << 20;

/**
 * The archive's folders (DESIGN.md): `store/<2 hex of hash(StudyUID)>/<StudyUID>/<SeriesUID>/<SOPInstanceUID>.dcm`,
 * `tmp/` for files being received, `error/` for instances received but not valid. Nothing from a dataset reaches a
 * path before its UIDs pass the UID grammar (digits and dots only), so no name can climb out of `store/`.
 */
export class FileStore {
  readonly storeDir: string;
  readonly tmpDir: string;
  readonly errorDir: string;

  constructor(
    readonly dir: string,
    /** Free bytes to keep on the file system; below this, storage answers A700 (default 512 MiB). */
    readonly reserveBytes = 512 * 1024 * 1024,
  ) {
    this.storeDir = join(dir, 'store');
    this.tmpDir = join(dir, 'tmp');
    this.errorDir = join(dir, 'error');
  }

  /** Creates the folders and empties `tmp/` (files there were never acknowledged). */
  async init(): Promise<void> {
    for (const d of [this.storeDir, this.tmpDir, this.errorDir]) await mkdir(d, { recursive: true });
    for (const name of await readdir(this.tmpDir)) await rm(join(this.tmpDir, name), { recursive: true, force: true });
  }

  /** `store/ab/<study>/<series>/<sop>.dcm`, relative to the data folder; throws DicomValueError for a bad UID. */
  relativePath(studyUid: string, seriesUid: string, sopInstanceUid: string): string {
    assertValidUid(studyUid, 'Study Instance UID');
    assertValidUid(seriesUid, 'Series Instance UID');
    assertValidUid(sopInstanceUid, 'SOP Instance UID');
    const bucket = createHash('sha1').update(studyUid).digest('hex').slice(0, 2);
    return join('store', bucket, studyUid, seriesUid, `${sopInstanceUid}.dcm`);
  }

  absolute(relativePath: string): string {
    const full = join(this.dir, relativePath);
    const rel = relative(this.dir, full);
    if (rel.startsWith('..') || rel.split(sep).includes('..')) throw new DicomValueError('UI', `path outside the data folder: ${relativePath}`);
    return full;
  }

  /** Folders of store/ known to exist (and to be recorded in their parents): no mkdir or parent fsync for them. */
  readonly #knownDirs = new Set<string>();
  #free: { bytes: number; at: number } | undefined;

  /**
   * Is there room for `bytes` more (plus the reserve)? The file system is asked at most every 250 ms; a write that
   * fails for lack of space still answers A700.
   */
  async hasSpace(bytes = 0): Promise<boolean> {
    const now = Date.now();
    if (!this.#free || now - this.#free.at > 250) {
      const s = await statfs(this.dir);
      this.#free = { bytes: Number(s.bavail) * Number(s.bsize), at: now };
    }
    return this.#free.bytes >= this.reserveBytes + bytes;
  }

  async createTemp(): Promise<TempFile> {
    const path = join(this.tmpDir, `${randomUUID()}.part`);
    return new TempFile(path, await open(path, 'wx', 0o644));
  }

  /** Moves a finished temporary file to `error/` under a generated name (never a name from the dataset). */
  async keepAsError(temp: TempFile): Promise<string> {
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.dcm`;
    const target = join(this.errorDir, name);
    await temp.close();
    await rename(temp.path, target);
    await fsyncDir(this.errorDir);
    return target;
  }

  /** Durably moves a finished temporary file to its place in `store/`: rename, then fsync the folders. */
  async commit(temp: TempFile, relativePath: string): Promise<void> {
    const target = this.absolute(relativePath);
    const parent = dirname(target);
    let created = this.#knownDirs.has(parent) ? undefined : await mkdir(parent, { recursive: true });
    await temp.close();
    try {
      await rename(temp.path, target);
    } catch (error) {
      // A folder we knew of was removed meanwhile (an emptied series): create it again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !this.#knownDirs.delete(parent)) throw error;
      created = await mkdir(parent, { recursive: true });
      await rename(temp.path, target);
    }
    await fsyncDir(parent);
    // New folders must themselves be recorded in their parents for the file to survive a crash.
    if (created !== undefined) {
      for (let d = dirname(parent); d.length >= this.storeDir.length; d = dirname(d)) {
        await fsyncDir(d);
        if (d === dirname(created)) break;
      }
    }
    if (this.#knownDirs.size > 100_000) this.#knownDirs.clear();
    this.#knownDirs.add(parent);
  }
}

/** A file being received into `tmp/`: buffered writes, `sync()` before it may be committed. */
export class TempFile {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #closed = false;
  size = 0;

  constructor(
    readonly path: string,
    readonly handle: FileHandle,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    this.size += chunk.length;
    if (this.#pendingBytes >= BLOCK) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const parts = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.handle.writev(parts);
  }

  /** Flushes and fsyncs: after this the bytes are on disk. */
  async sync(): Promise<void> {
    await this.#flush();
    await this.handle.sync();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.handle.close();
  }

  /** Closes and deletes: nothing is left behind. */
  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}

async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
