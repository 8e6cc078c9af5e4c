/**
 * The parse benchmark's corpus: pydicom's test files (those every parser reads), synthetic files written to a temp
 * dir, and, when present, parts of the peer corpus made by ../shared/peers/make-corpus.sh.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Group } from './measure.js';
import type { LoadedFile, Parser } from './parsers.js';
import { ctSlice, multiFrame, rtStructureSet } from './synthetic.js';

export const PYDICOM_TEST_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
export const PEER_CORPUS = '/tmp/peer-corpus';

/** Loads a file into a standalone buffer (its ArrayBuffer holds exactly the file, as dcmjs wants). */
export async function loadFile(path: string, name = basename(path)): Promise<LoadedFile> {
  return fromBytes(name, await readFile(path));
}

export function fromBytes(name: string, data: Uint8Array): LoadedFile {
  const bytes = new Uint8Array(data.length);
  bytes.set(data);
  return { name, bytes, arrayBuffer: bytes.buffer, buffer: Buffer.from(bytes.buffer, 0, bytes.length) };
}

export interface Rejected {
  readonly file: string;
  /** Every parser that threw, with its message. */
  readonly failures: readonly { readonly parser: string; readonly error: string }[];
}

const message = (error: unknown): string => {
  const e = error as { message?: unknown; exception?: unknown };
  const text = typeof e?.message === 'string' ? e.message : typeof e?.exception === 'string' ? e.exception : String(error);
  return text.split('\n')[0]!.slice(0, 100);
};

/** Keeps the files that every parser reads without throwing; lists the others with every parser that failed. */
export function readableByAll(files: readonly LoadedFile[], parsers: readonly Parser[]): { kept: LoadedFile[]; rejected: Rejected[] } {
  const kept: LoadedFile[] = [];
  const rejected: Rejected[] = [];
  for (const f of files) {
    const failures: { parser: string; error: string }[] = [];
    for (const p of parsers) {
      try {
        p.parse(f);
      } catch (error) {
        failures.push({ parser: p.id, error: message(error) });
      }
    }
    if (failures.length) rejected.push({ file: f.name, failures });
    else kept.push(f);
  }
  return { kept, rejected };
}

export async function pydicomGroup(parsers: readonly Parser[]): Promise<{ group: Group; rejected: Rejected[]; total: number }> {
  const names = (await readdir(PYDICOM_TEST_FILES)).filter((n) => n.endsWith('.dcm')).sort();
  const files = await Promise.all(names.map((n) => loadFile(join(PYDICOM_TEST_FILES, n))));
  const { kept, rejected } = readableByAll(files, parsers);
  return {
    group: { id: 'pydicom', label: `pydicom test files (${kept.length} of ${files.length})`, files: kept },
    rejected,
    total: files.length,
  };
}

/** Writes the synthetic files into `dir` (so they can be inspected) and loads them back. */
export async function syntheticGroups(dir: string): Promise<Group[]> {
  const make = async (name: string, bytes: Uint8Array): Promise<LoadedFile> => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return loadFile(path);
  };
  const ct = await make('ct-slice.dcm', ctSlice());
  const rt = await make('rtstruct.dcm', rtStructureSet());
  const mf = await make('multiframe-100.dcm', multiFrame(100));
  return [
    { id: 'ct-slice', label: 'CT slice 512×512×16 (0.5 MB)', files: [ct] },
    { id: 'rtstruct', label: 'RT Structure Set, 4000 contours (many small elements)', files: [rt] },
    { id: 'multiframe', label: 'Multi-frame 100×512×512×16 (52 MB)', files: [mf] },
  ];
}

async function listDcm(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.dcm')) out.push(join(entry.parentPath, entry.name));
  }
  return out.sort();
}

/** The peer corpus (optional): the first `smallCount` CT slices and the first `largeCount` 52 MB multi-frames. */
export async function peerGroups(smallCount = 100, largeCount = 2): Promise<Group[]> {
  const groups: Group[] = [];
  const small = join(PEER_CORPUS, 'small');
  if (existsSync(small)) {
    const paths = (await listDcm(small)).slice(0, smallCount);
    const files = await Promise.all(paths.map((p) => loadFile(p, p.slice(PEER_CORPUS.length + 1))));
    if (files.length) groups.push({ id: 'peer-small', label: `peer corpus small/ (${files.length} CT slices)`, files });
  }
  const large = join(PEER_CORPUS, 'large');
  if (existsSync(large)) {
    const paths = (await listDcm(large)).slice(0, largeCount);
    const files = await Promise.all(paths.map((p) => loadFile(p, p.slice(PEER_CORPUS.length + 1))));
    if (files.length) groups.push({ id: 'peer-large', label: `peer corpus large/ (${files.length} × 52 MB)`, files });
  }
  return groups;
}
