import { mkdtemp, readdir, readFile as fsReadFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dataset } from '../data/dataset.js';
import { readFile } from '../encoding/read.js';
import { writeDicom } from '../encoding/write.js';
import { instanceFilesIn } from '../../test/support/tmp-files.js';
import { FileStore } from './file-store.js';
import { ArchiveIndexError } from './index/errors.js';
import type { ArchiveIndex, DuplicatePolicy, IndexResult, InstanceRecord } from './index/types.js';
import { CANNOT_UNDERSTAND, DOES_NOT_MATCH, Ingest, OUT_OF_RESOURCES, type StoreOutcome } from './ingest.js';

const MiB = 1024 * 1024;

/** An in-memory stand-in for our own index port (the SQLite one has its own tests). */
class MemoryIndex implements Partial<ArchiveIndex> {
  readonly rows = new Map<string, InstanceRecord>();
  fail = false;
  conflict = false;
  async indexInstance(record: InstanceRecord, duplicates: DuplicatePolicy): Promise<IndexResult> {
    if (this.fail) throw new Error('database is locked');
    if (this.conflict) throw new ArchiveIndexError('CONFLICT', 'series 1.2.3.4 belongs to another study');
    const old = this.rows.get(record.sopInstanceUid);
    if (old && duplicates === 'keep-first') return { outcome: 'duplicate-kept' };
    this.rows.set(record.sopInstanceUid, record);
    return old ? { outcome: 'overwritten', previousPath: old.path } : { outcome: 'inserted' };
  }
  async findInstance(uid: string): Promise<InstanceRecord | undefined> {
    return this.rows.get(uid);
  }
  async hasInstance(uid: string): Promise<boolean> {
    return this.rows.has(uid);
  }
  async removeInstances(uids: readonly string[]): Promise<void> {
    for (const uid of uids) this.rows.delete(uid);
  }
}

const CT = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';

function instance(overrides: Record<string, string> = {}): Dataset {
  const ds = new Dataset();
  ds.set('SOPClassUID', CT);
  ds.set('SOPInstanceUID', '1.2.3.4.5');
  ds.set('StudyInstanceUID', '1.2.3');
  ds.set('SeriesInstanceUID', '1.2.3.4');
  ds.set('PatientName', 'DOE^JANE');
  ds.set('PatientID', 'P1');
  ds.set('Modality', 'CT');
  for (const [k, v] of Object.entries(overrides)) ds.set(k, v);
  ds.set('PixelData', new Uint8Array(4096), 'OW');
  return ds;
}

const body = (ds: Dataset): Uint8Array => writeDicom(ds, { part10: false, transferSyntax: EXPLICIT });

let dir: string;
let files: FileStore;
let index: MemoryIndex;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-ingest-'));
  files = new FileStore(dir, 0);
  await files.init();
  index = new MemoryIndex();
});
afterEach(async () => {
  await files.close();
  await rm(dir, { recursive: true, force: true });
});

async function send(ingest: Ingest, bytes: Uint8Array, sop = '1.2.3.4.5', chunk = 1000): Promise<StoreOutcome> {
  const sink = ingest.sink({ commandField: 1, affectedSopClassUid: CT, affectedSopInstanceUid: sop, hasDataset: true }, EXPLICIT, 'MODALITY');
  for (let i = 0; i < bytes.length; i += chunk) await sink.write(bytes.subarray(i, i + chunk));
  return (await sink.end()) as StoreOutcome;
}

describe('Ingest', () => {
  it('stores a Part 10 file with the received transfer syntax and Source AE Title, indexed, byte for byte', async () => {
    const ingest = new Ingest(files, index as unknown as ArchiveIndex);
    const bytes = body(instance());
    const outcome = await send(ingest, bytes);
    expect(outcome.status).toBe(0);
    const stored = await readFile(files.absolute(outcome.path!));
    expect(stored.meta.string('TransferSyntaxUID')).toBe(EXPLICIT);
    expect(stored.meta.string(0x00020016)).toBe('MODALITY');
    expect(stored.meta.string('MediaStorageSOPInstanceUID')).toBe('1.2.3.4.5');
    const raw = await fsReadFile(files.absolute(outcome.path!));
    expect(Buffer.compare(raw.subarray(stored.datasetOffset), Buffer.from(bytes))).toBe(0);
    expect(index.rows.get('1.2.3.4.5')).toMatchObject({ patientName: 'DOE^JANE', callingAeTitle: 'MODALITY', path: outcome.path, size: raw.length });
    expect(await instanceFilesIn(files.tmpDir)).toEqual([]);
  });

  it('opens the next instance\'s temporary file once an instance is filed, and uses it for the next one', async () => {
    const ingest = new Ingest(files, index as unknown as ArchiveIndex);
    expect((await send(ingest, body(instance()))).status).toBe(0);
    // Opened by the ingest, in the background.
    for (let i = 0; i < 100 && (await readdir(files.tmpDir)).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const [spare, ...more] = await readdir(files.tmpDir);
    expect(more).toEqual([]);
    expect((await stat(join(files.tmpDir, spare!))).size).toBe(0);
    const outcome = await send(ingest, body(instance({ SOPInstanceUID: '1.2.3.4.6' })), '1.2.3.4.6');
    expect(outcome.status).toBe(0);
    // The spare became the second instance's file: gone from tmp/, and a new one waits there.
    await files.prepareTemp();
    const after = await readdir(files.tmpDir);
    expect(after).toHaveLength(1);
    expect(after).not.toContain(spare);
    expect(index.rows.get('1.2.3.4.6')!.size).toBe((await stat(files.absolute(outcome.path!))).size);
  });

  it('opens no file ahead while another instance is on its way in, nor after running out of resources', async () => {
    const ingest = new Ingest(files, index as unknown as ArchiveIndex);
    const other = ingest.sink({ commandField: 1, affectedSopClassUid: CT, affectedSopInstanceUid: '1.2.3.4.9', hasDataset: true }, EXPLICIT, 'X');
    await other.write(body(instance()).subarray(0, 100));
    expect((await send(ingest, body(instance()))).status).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    // Only the other instance's own file.
    expect(await readdir(files.tmpDir)).toHaveLength(1);
    other.abort(new Error('connection reset'));
    for (let i = 0; i < 50 && (await readdir(files.tmpDir)).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await readdir(files.tmpDir)).toEqual([]);
    index.fail = true;
    expect((await send(ingest, body(instance({ SOPInstanceUID: '1.2.3.4.7' })), '1.2.3.4.7')).status).toBe(OUT_OF_RESOURCES);
    await new Promise((r) => setTimeout(r, 50));
    expect(await readdir(files.tmpDir)).toEqual([]);
  });

  it('answers A900 and keeps the bytes in error/ when UIDs are missing, invalid or do not match the request', async () => {
    const ingest = new Ingest(files, index as unknown as ArchiveIndex);
    const noStudy = instance();
    noStudy.delete('StudyInstanceUID');
    expect((await send(ingest, body(noStudy))).status).toBe(DOES_NOT_MATCH);
    expect((await send(ingest, body(instance({ SeriesInstanceUID: '../../etc' })))).status).toBe(DOES_NOT_MATCH);
    expect((await send(ingest, body(instance()), '9.9.9')).status).toBe(DOES_NOT_MATCH);
    expect(await readdir(files.errorDir)).toHaveLength(3);
    expect(index.rows.size).toBe(0);
    expect(await readdir(files.storeDir)).toEqual([]);
  });

  it('answers C000 for a dataset that ends early or lies about a length, indexing nothing', async () => {
    const ingest = new Ingest(files, index as unknown as ArchiveIndex);
    const bytes = body(instance());
    const outcome = await send(ingest, bytes.subarray(0, bytes.length - 100));
    expect(outcome.status).toBe(CANNOT_UNDERSTAND);
    expect(outcome.errorComment).toMatch(/cannot be parsed/);
    expect(index.rows.size).toBe(0);
  });

  it('keeps the first copy of a duplicate by default, or overwrites when asked', async () => {
    const first = new Ingest(files, index as unknown as ArchiveIndex);
    await send(first, body(instance({ PatientName: 'FIRST' })));
    expect((await send(first, body(instance({ PatientName: 'SECOND' })))).status).toBe(0);
    expect(index.rows.get('1.2.3.4.5')!.patientName).toBe('FIRST');
    const overwrite = new Ingest(files, index as unknown as ArchiveIndex, { duplicates: 'overwrite' });
    const outcome = await send(overwrite, body(instance({ PatientName: 'THIRD' })));
    expect(index.rows.get('1.2.3.4.5')!.patientName).toBe('THIRD');
    expect((await readFile(files.absolute(outcome.path!))).dataset.string('PatientName')).toBe('THIRD');
  });

  it('answers A700 without space, or when the index fails, and leaves no file behind', async () => {
    const full = new Ingest(new FileStore(dir, Number.MAX_SAFE_INTEGER), index as unknown as ArchiveIndex);
    expect((await send(full, body(instance()))).status).toBe(OUT_OF_RESOURCES);
    index.fail = true;
    const ingest = new Ingest(files, index as unknown as ArchiveIndex);
    const outcome = await send(ingest, body(instance()));
    expect(outcome.status).toBe(OUT_OF_RESOURCES);
    expect(await instanceFilesIn(files.tmpDir)).toEqual([]);
    const left: string[] = [];
    for (const e of await readdir(files.storeDir, { recursive: true, withFileTypes: true })) if (e.isFile()) left.push(e.name);
    expect(left).toEqual([]);
  });

  it('leaves nothing when the association ends in the middle of a dataset', async () => {
    const ingest = new Ingest(files, index as unknown as ArchiveIndex);
    const sink = ingest.sink({ commandField: 1, affectedSopClassUid: CT, affectedSopInstanceUid: '1.2.3.4.5', hasDataset: true }, EXPLICIT, 'X');
    await sink.write(body(instance()).subarray(0, 500));
    sink.abort(new Error('connection reset'));
    for (let i = 0; i < 50 && (await instanceFilesIn(files.tmpDir)).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await instanceFilesIn(files.tmpDir)).toEqual([]);
  });

  it('writes the temporary file while the dataset arrives, and stores it byte for byte', async () => {
    const ingest = new Ingest(files, index as unknown as ArchiveIndex);
    const large = instance();
    large.set('PixelData', new Uint8Array(3 * MiB + 100_000).map((_, i) => i & 0xff), 'OW');
    const bytes = body(large);
    const sink = ingest.sink({ commandField: 1, affectedSopClassUid: CT, affectedSopInstanceUid: '1.2.3.4.5', hasDataset: true }, EXPLICIT, 'X');
    let written = 0;
    for (let i = 0; i < bytes.length; i += 65536) {
      await sink.write(bytes.subarray(i, i + 65536));
      await new Promise((r) => setImmediate(r));
      for (const name of await readdir(files.tmpDir)) written = Math.max(written, (await stat(join(files.tmpDir, name))).size);
    }
    // Before the end, most of it is in tmp/ already (the last block waits for the end).
    expect(written).toBeGreaterThan(2 * MiB);
    const outcome = (await sink.end()) as StoreOutcome;
    expect(outcome.status).toBe(0);
    const stored = await readFile(files.absolute(outcome.path!));
    const raw = await fsReadFile(files.absolute(outcome.path!));
    expect(Buffer.compare(raw.subarray(stored.datasetOffset), Buffer.from(bytes))).toBe(0);
    expect(await instanceFilesIn(files.tmpDir)).toEqual([]);
  });

  it('keeps exactly the received bytes in error/ for a dataset it cannot parse, small or large', async () => {
    const ingest = new Ingest(files, index as unknown as ArchiveIndex);
    const small = body(instance()).subarray(0, 300);
    const large = instance();
    large.set('PixelData', new Uint8Array(4 * MiB), 'OW');
    const largeCut = body(large).subarray(0, 2 * MiB + 12345);
    for (const bytes of [small, largeCut]) {
      const outcome = await send(ingest, bytes, '1.2.3.4.5', 65536);
      expect(outcome.status).toBe(CANNOT_UNDERSTAND);
      const kept = await fsReadFile(outcome.path!);
      expect(Buffer.compare(kept.subarray(kept.length - bytes.length), Buffer.from(bytes))).toBe(0);
    }
    expect(await readdir(files.errorDir)).toHaveLength(2);
    expect(index.rows.size).toBe(0);
    expect(await instanceFilesIn(files.tmpDir)).toEqual([]);
  });

  it('answers A900 (not a retryable A700) for a series already filed under another study, keeping no file', async () => {
    index.conflict = true;
    const outcome = await send(new Ingest(files, index as unknown as ArchiveIndex), body(instance()));
    expect(outcome).toMatchObject({ status: DOES_NOT_MATCH, errorComment: 'Series Instance UID already belongs to another study' });
    const left: string[] = [];
    for (const e of await readdir(files.storeDir, { recursive: true, withFileTypes: true })) if (e.isFile()) left.push(e.name);
    expect(left).toEqual([]);
  });
});
