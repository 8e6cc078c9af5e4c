/**
 * `portico store` → Orthanc (Debian's, temporary configuration): the instances arrive intact, checked through
 * Orthanc's REST API (the dataset Orthanc keeps has the same elements as the file sent), and Orthanc pushing a study
 * to `portico serve` (configured as one of its modalities) through its REST API lands in Portico's archive.
 */
import { readdir, readFile as fsReadFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDicomJson } from '../../src/encoding/dicom-json.js';
import { readDicom } from '../../src/encoding/read.js';
import { assertPorticoBuilt, HOST, type Orthanc, portico, type PorticoServe, startOrthanc, startPorticoServe } from './net-peers.js';
import { ensurePeers, ORTHANC, tempDir } from './peers.js';

const FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const SENT = ['CT_small.dcm', 'MR_small.dcm', 'rtplan.dcm', 'JPEG2000.dcm'];

let orthanc: Orthanc | undefined;
let serve: PorticoServe | undefined;
let removeDir: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ensurePeers(ORTHANC, 'pydicom');
  assertPorticoBuilt();
  const tmp = await tempDir('store-orthanc');
  removeDir = tmp.remove;
  serve = await startPorticoServe([]);
  orthanc = await startOrthanc(tmp.dir, { checkCalledAet: true, modalities: { portico: ['PORTICO', HOST, serve.port] } });
}, 120_000);

afterAll(async () => {
  await orthanc?.stop(5_000);
  await serve?.stop(5_000);
  await removeDir?.();
});

/**
 * Same elements, except Data Set Trailing Padding (FFFC,FFFC), which Orthanc's DCMTK drops when it sends (PS3.5
 * 7.7 allows a receiver to ignore it; CT_small.dcm has it).
 */
const sameElements = (a: Uint8Array, b: Uint8Array): void => {
  const json = (bytes: Uint8Array) => {
    const ds = readDicom(bytes).dataset;
    ds.delete(0xfffcfffc);
    return toDicomJson(ds);
  };
  expect(json(a)).toEqual(json(b));
};

describe('portico store → Orthanc', () => {
  it('sends files in their own syntaxes; Orthanc holds the same datasets', async () => {
    const r = await portico(['store', `ORTHANC@${HOST}:${orthanc!.dicomPort}`, ...SENT.map((f) => join(FILES, f)), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { destinations: { sent: number; failed: number }[] };
    expect(report.destinations[0]).toMatchObject({ sent: SENT.length, failed: 0 });
    const ids = (await orthanc!.rest('/instances')) as string[];
    expect(ids).toHaveLength(SENT.length);
    const bySop = new Map<string, Uint8Array>();
    for (const id of ids) {
      const bytes = await orthanc!.restBytes(`/instances/${id}/file`);
      bySop.set(readDicom(bytes).dataset.string('SOPInstanceUID')!, bytes);
    }
    for (const f of SENT) {
      const source = await fsReadFile(join(FILES, f));
      const stored = bySop.get(readDicom(source).dataset.string('SOPInstanceUID')!);
      expect(stored, f).toBeDefined();
      sameElements(source, stored!);
    }
  });
});

describe('Orthanc → portico serve', () => {
  it('a study pushed through Orthanc REST arrives in the archive with the same dataset', async () => {
    const ids = (await orthanc!.rest('/instances')) as string[];
    const job = (await orthanc!.rest('/modalities/portico/store', { method: 'POST', body: JSON.stringify({ Resources: ids, Synchronous: true }) })) as Record<string, unknown>;
    expect(job).toBeDefined();
    const stored: string[] = [];
    for (const e of await readdir(join(serve!.dir, 'store'), { recursive: true, withFileTypes: true })) if (e.isFile()) stored.push(join(e.parentPath ?? e.path, e.name));
    expect(stored).toHaveLength(ids.length);
    for (const path of stored) {
      const bytes = await fsReadFile(path);
      const sop = readDicom(bytes).dataset.string('SOPInstanceUID')!;
      const source = (await Promise.all(SENT.map((f) => fsReadFile(join(FILES, f))))).find((b) => readDicom(b).dataset.string('SOPInstanceUID') === sop);
      expect(source, sop).toBeDefined();
      sameElements(source!, bytes);
      expect(readDicom(bytes).meta.string(0x00020016)).toBe('ORTHANC');
    }
  });
});
