import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../encoding/transfer-syntax.js';
import { writeDicom } from '../../encoding/write.js';
import { type DatasetBytes, datasetBytes, datasetInstance, ReadBuffers, type StoreInstance } from './scu-instance.js';

const SC = '1.2.840.10008.5.1.4.1.1.7';

describe('datasetInstance: an in-memory dataset as an instance', () => {
  const dataset = (): Dataset => {
    const ds = new Dataset();
    ds.set('SOPClassUID', SC);
    ds.set('SOPInstanceUID', '1.2.3.4.5');
    ds.set('PatientName', 'Test^Memory');
    return ds;
  };

  it('takes its UIDs and its encoded size in the given syntax', () => {
    const ds = dataset();
    const i = datasetInstance(ds, { label: 'photo 1', transferSyntax: ImplicitVRLittleEndian });
    expect(i).toMatchObject({ sopClassUid: SC, sopInstanceUid: '1.2.3.4.5', transferSyntax: ImplicitVRLittleEndian, label: 'photo 1', source: { kind: 'dataset' } });
    expect(i.size).toBe(writeDicom(ds, { part10: false, transferSyntax: ImplicitVRLittleEndian }).length);
    expect(datasetInstance(ds).transferSyntax).toBe(ExplicitVRLittleEndian);
  });

  it('refuses a dataset without SOP Instance UID', () => {
    const ds = dataset();
    ds.delete('SOPInstanceUID');
    expect(() => datasetInstance(ds)).toThrow(/no SOP Class UID or SOP Instance UID/);
  });
});

describe('datasetBytes with ReadBuffers: a read buffer is reused only once its request is over', () => {
  const file = async (dir: string, name: string, fill: number): Promise<StoreInstance> => {
    const path = join(dir, name);
    await writeFile(path, new Uint8Array(1000).fill(fill));
    return { sopClassUid: SC, sopInstanceUid: `1.2.${fill}`, transferSyntax: ExplicitVRLittleEndian, size: 1000, label: name, source: { kind: 'file', path, datasetOffset: 0 } };
  };
  const readAll = async (bytes: DatasetBytes): Promise<Uint8Array[]> => {
    const chunks: Uint8Array[] = [];
    for await (const c of bytes.stream) chunks.push(c);
    return chunks;
  };

  it('not when its stream ends (the socket may still hold the bytes), but after close()', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-read-buffers-'));
    try {
      const buffers = new ReadBuffers();
      const a = await datasetBytes(await file(dir, 'a', 1), undefined, buffers);
      const [chunkA] = await readAll(a);
      // A's stream is over, its response not yet: B must not read into A's memory.
      const b = await datasetBytes(await file(dir, 'b', 2), undefined, buffers);
      const [chunkB] = await readAll(b);
      expect(chunkB!.buffer).not.toBe(chunkA!.buffer);
      expect(chunkA!.every((x) => x === 1)).toBe(true);
      // A's response came: its buffer serves the next instance.
      await a.close();
      const c = await datasetBytes(await file(dir, 'c', 3), undefined, buffers);
      const [chunkC] = await readAll(c);
      expect(chunkC!.buffer).toBe(chunkA!.buffer);
      expect(chunkC!.every((x) => x === 3)).toBe(true);
      expect(chunkB!.every((x) => x === 2)).toBe(true);
      await b.close();
      await c.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
