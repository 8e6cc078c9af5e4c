/**
 * Instances to store from the file system: files, folders (recursively) and DICOMDIRs (the files their records
 * reference). Only each file's header is read — up to the SOP Instance UID — to learn its SOP class, SOP
 * instance, transfer syntax and where its dataset starts; the dataset itself is read when it is sent.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DicomParseError } from '../../core/errors.js';
import { type DicomFile, readDicom, readFile } from '../../encoding/read.js';
import { dicomdirReferences, MEDIA_STORAGE_DIRECTORY_SOP_CLASS } from './file-source-dicomdir.js';
import { type StoreInstance, StoreSourceError } from './scu.js';

/** Why a file is not sent. */
export type SkipReason =
  /** Not a DICOM file (a text file, an image): skipped with a warning. */
  | 'not-dicom'
  /** DICOM, but its header cannot be read or lacks the SOP Class/Instance UID. */
  | 'unreadable'
  /** A DICOMDIR met in a folder: its files are in the folder and are sent from there. */
  | 'dicomdir'
  /** A DICOMDIR record's file is not there. */
  | 'missing'
  /** A DICOMDIR record's Referenced File ID could leave the DICOMDIR's folder. */
  | 'invalid-reference';

export interface SkippedFile {
  readonly path: string;
  readonly reason: SkipReason;
  readonly message: string;
}

export interface CollectedInstances {
  /** In the order given: arguments in order, folders sorted by name, DICOMDIR records in record order. */
  readonly instances: StoreInstance[];
  readonly skipped: SkippedFile[];
}

export interface CollectOptions {
  /** Headers read at once (default 16). */
  readonly concurrency?: number;
}

/** Stop reading a header before (0008,0019): SOP Class UID (0008,0016) and SOP Instance UID (0008,0018) are read. */
const HEADER_END = 0x00080019;
const MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002;
const MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;
const SOP_CLASS_UID = 0x00080016;
const SOP_INSTANCE_UID = 0x00080018;

/**
 * A file to look at, and whether the user named it (a DICOMDIR named is expanded; one met in a folder is not). The
 * size of a file met in a folder is learnt when its header is read (no stat per file while walking).
 */
interface Candidate {
  readonly path: string;
  readonly size?: number;
  readonly named: boolean;
}

/**
 * The instances in files, folders and DICOMDIRs. Throws StoreSourceError when a path given does not exist; every
 * other problem is a skipped file with its reason. A file reached twice is taken once.
 */
export async function collectInstances(paths: readonly string[], options: CollectOptions = {}): Promise<CollectedInstances> {
  const skipped: SkippedFile[] = [];
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  const add = (c: Candidate): void => {
    const key = resolve(c.path);
    if (seen.has(key)) return;
    seen.add(key);
    candidates.push(c);
  };
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new StoreSourceError(code === 'ENOENT' ? `${path}: no such file or folder` : `${path}: ${(error as Error).message}`, { cause: error });
    }
    if (info.isDirectory()) {
      await walk(path, new Set([await realpath(path)]), add, skipped);
    } else if (isDicomdirName(path)) {
      await expandDicomdir(path, add, skipped);
    } else {
      add({ path, size: info.size, named: true });
    }
  }
  const headers = await mapLimit(candidates, options.concurrency ?? 16, (c) => readHeader(c));
  const instances: StoreInstance[] = [];
  for (let n = 0; n < candidates.length; n++) {
    const c = candidates[n]!;
    const h = headers[n]!;
    if ('instance' in h) instances.push(h.instance);
    else if (h.skip.reason === 'dicomdir' && c.named) {
      const before = candidates.length;
      await expandDicomdir(c.path, add, skipped);
      // Files a named DICOMDIR references: read their headers now, in record order.
      const more = candidates.slice(before);
      candidates.splice(before);
      const found = await collectCandidates(more, options.concurrency ?? 16);
      instances.push(...found.instances);
      skipped.push(...found.skipped);
    } else {
      skipped.push(h.skip);
    }
  }
  return { instances, skipped };
}

async function collectCandidates(candidates: readonly Candidate[], concurrency: number): Promise<CollectedInstances> {
  const headers = await mapLimit(candidates, concurrency, (c) => readHeader(c));
  const instances: StoreInstance[] = [];
  const skipped: SkippedFile[] = [];
  for (const h of headers) {
    if ('instance' in h) instances.push(h.instance);
    else skipped.push(h.skip);
  }
  return { instances, skipped };
}

const isDicomdirName = (path: string): boolean => basename(path).toUpperCase() === 'DICOMDIR';

/**
 * Files below a folder, sorted by name; DICOMDIRs are noted and left out; symbolic link loops are not followed. The
 * folder's entries say what they are; only a symbolic link (or an entry of unknown type) is stat'ed to follow it.
 */
async function walk(folder: string, visited: Set<string>, add: (c: Candidate) => void, skipped: SkippedFile[]): Promise<void> {
  const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    let info: { isDirectory(): boolean; isFile(): boolean } = entry;
    if (!entry.isDirectory() && !entry.isFile()) {
      try {
        info = await stat(path);
      } catch (error) {
        skipped.push({ path, reason: 'unreadable', message: `${path}: ${(error as Error).message}` });
        continue;
      }
    }
    if (info.isDirectory()) {
      const real = await realpath(path);
      if (visited.has(real)) continue;
      visited.add(real);
      await walk(path, visited, add, skipped);
    } else if (info.isFile()) {
      if (isDicomdirName(path)) skipped.push({ path, reason: 'dicomdir', message: `${path}: a DICOMDIR (the folder's files are sent instead)` });
      else add({ path, named: false });
    }
  }
}

/** The files a DICOMDIR references, as candidates (missing ones and unsafe references are skipped). */
async function expandDicomdir(path: string, add: (c: Candidate) => void, skipped: SkippedFile[]): Promise<void> {
  let dataset;
  try {
    dataset = (await readFile(path)).dataset;
  } catch (error) {
    skipped.push({ path, reason: 'unreadable', message: `${path}: cannot read the DICOMDIR: ${(error as Error).message}` });
    return;
  }
  for (const ref of dicomdirReferences(dataset, dirname(path))) {
    if (!ref.ok) {
      skipped.push({ path, reason: 'invalid-reference', message: `${path}: ${ref.recordType} record's file ID '${ref.fileId}' refused: ${ref.reason}` });
      continue;
    }
    const lowerCase = join(dirname(path), ...ref.fileId.split('\\').map((c) => c.toLowerCase()));
    const found = await existingFile([ref.path, lowerCase]);
    if (found === undefined) {
      skipped.push({ path: ref.path, reason: 'missing', message: `${ref.path}: referenced by ${path} (${ref.recordType} record) but not there` });
      continue;
    }
    add({ path: found.path, size: found.size, named: false });
  }
}

/**
 * The file as named, else with the file ID's components in lower case (media copied by systems that lower-case
 * ISO 9660 names).
 */
async function existingFile(spellings: readonly string[]): Promise<{ path: string; size: number } | undefined> {
  for (const candidate of spellings) {
    try {
      const info = await stat(candidate);
      if (info.isFile()) return { path: candidate, size: info.size };
    } catch {
      // try the next spelling
    }
  }
  return undefined;
}

type Header = { readonly instance: StoreInstance } | { readonly skip: SkippedFile };

/** Reads one file's header: an instance, or why it is skipped. */
export async function readHeader(candidate: { readonly path: string; readonly size?: number }): Promise<Header> {
  const { path } = candidate;
  let file;
  let size: number;
  try {
    const quick = readHeadQuickly(path);
    if (quick !== undefined) ({ file, size } = quick);
    else {
      size = candidate.size ?? (await stat(path)).size;
      file = await readFile(path, { stopAtTag: HEADER_END });
    }
  } catch (error) {
    // Without a DICOM header (preamble + DICM, or a meta group), a file that does not parse is not DICOM.
    if ((error instanceof DicomParseError && error.reason === 'NOT_DICOM') || !(await hasDicomHeader(path))) {
      return { skip: { path, reason: 'not-dicom', message: `${path}: not DICOM` } };
    }
    const text = (error as Error).message ?? String(error);
    return { skip: { path, reason: 'unreadable', message: text.includes(path) ? text : `${path}: ${text}` } };
  }
  const sopClassUid = file.dataset.string(SOP_CLASS_UID) ?? file.meta.string(MEDIA_STORAGE_SOP_CLASS_UID);
  if (sopClassUid === MEDIA_STORAGE_DIRECTORY_SOP_CLASS) {
    return { skip: { path, reason: 'dicomdir', message: `${path}: a DICOMDIR (the folder's files are sent instead)` } };
  }
  const sopInstanceUid = file.dataset.string(SOP_INSTANCE_UID) ?? file.meta.string(MEDIA_STORAGE_SOP_INSTANCE_UID);
  if (!sopClassUid || !sopInstanceUid) {
    const missing = sopClassUid ? 'SOP Instance UID' : 'SOP Class UID';
    // A bare "dataset" without meta and without SOP UIDs is most likely another kind of file that happened to parse.
    if (file.meta.size === 0) return { skip: { path, reason: 'not-dicom', message: `${path}: not DICOM (no File Meta Information and no ${missing})` } };
    return { skip: { path, reason: 'unreadable', message: `${path}: no ${missing}: not a composite instance` } };
  }
  return {
    instance: {
      sopClassUid,
      sopInstanceUid,
      transferSyntax: file.transferSyntax.uid,
      size: size - file.datasetOffset,
      label: path,
      source: { kind: 'file', path, datasetOffset: file.datasetOffset },
    },
  };
}

/** What `readHeadQuickly` reads: the header of every file Portico writes, and of nearly every other, fits. */
const HEAD_BYTES = 16 * 1024;
/**
 * The one buffer headers are read into. The read and the parse are synchronous and readHeader keeps only strings
 * and numbers from them (the StoreInstance), so no view of it outlives the call: a thousand files cost no 16 MB of
 * garbage.
 */
const HEAD = Buffer.allocUnsafe(HEAD_BYTES);

/**
 * The header from the file's first 16 KiB, read with synchronous calls, or undefined when that is not enough (a long
 * header, an odd file: `readFile` then reads it as before, errors and all). `portico store` reads a thousand headers
 * before it can propose its presentation contexts, and the four promise round trips per file (open, stat, read,
 * close) were most of that: a cold scan of 1,000 files took 200–330 ms, 110–140 ms this way. Each call is a local
 * read of 16 KiB, so the event loop is held for microseconds at a time.
 */
function readHeadQuickly(path: string): { readonly file: DicomFile; readonly size: number } | undefined {
  try {
    const fd = openSync(path, 'r');
    let read: number;
    let size: number;
    try {
      size = fstatSync(fd).size;
      read = readSync(fd, HEAD, 0, Math.min(HEAD_BYTES, size), 0);
    } finally {
      closeSync(fd);
    }
    const file = readDicom(HEAD.subarray(0, read), { stopAtTag: HEADER_END }, path);
    // Whole (the file is this short), or stopped at the tag: the UIDs before it are all in.
    return read === size || file.stoppedAt !== undefined ? { file, size } : undefined;
  } catch {
    return undefined;
  }
}

/** The file starts like DICOM: a preamble and `DICM`, `DICM`, or a File Meta Information group. */
async function hasDicomHeader(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
    const b = Buffer.alloc(132);
    const { bytesRead } = await handle.read(b, 0, 132, 0);
    const dicm = (at: number): boolean => bytesRead >= at + 4 && b.toString('latin1', at, at + 4) === 'DICM';
    const metaGroup = bytesRead >= 6 && b[0] === 0x02 && b[1] === 0x00 && /^[A-Z]{2}$/.test(b.toString('latin1', 4, 6));
    return dicm(128) || dicm(0) || metaGroup;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/** `fn` over `items` with at most `limit` at once; results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const n = next++;
      out[n] = await fn(items[n]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}
