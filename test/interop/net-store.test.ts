/**
 * C-STORE fragmentation both ways, through a proxy that records every PDU header:
 * - DCMTK `storescu` → Portico (`listen` with a recording Storage SCP) at several maximum PDU lengths: storescu
 *   must cut its P-DATA-TF PDUs to Portico's limit, Portico must cut its responses to storescu's, and every
 *   received dataset must be the file's dataset (bytes when sent in the file's transfer syntax, elements always);
 * - Portico SCU (`cStoreRq` + `requestOne`) → DCMTK `storescp --max-pdu …`: Portico must cut to storescp's limit
 *   and the file storescp writes must hold exactly what Portico sent.
 */
import { mkdir, readdir, readFile as readBytes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { type DicomFile, readDicom } from '../../src/encoding/read.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import type { Association } from '../../src/net/acse/association.js';
import { connect, type DicomServer, listen } from '../../src/net/ae.js';
import { cStoreRq } from '../../src/net/dimse/c-store.js';
import {
  CT_IMAGE_STORAGE,
  ctDataset,
  datasetDifferences,
  firstDifference,
  PIXEL_DATA_KEY,
  SECONDARY_CAPTURE_IMAGE_STORAGE,
  secondaryCaptureDataset,
  TRAILING_PADDING,
} from './net-instances.js';
import { complaints, HOST, startStorescp, type Storescp } from './net-peers.js';
import { P_DATA_TF, type PduProxy, pduProxy, type ReceivedInstance, recordingStorageScp } from './net-wire.js';
import { ensurePeers, PYDICOM_DATA, type RunResult, run, tempDir } from './peers.js';

interface TestFile {
  readonly name: string;
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly file: DicomFile;
}

const files: TestFile[] = [];
let workDir = '';
let removeDir: (() => Promise<void>) | undefined;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ensurePeers('storescu', 'storescp');
  const tmp = await tempDir('net-store');
  workDir = tmp.dir;
  removeDir = tmp.remove;
  const made: [string, Dataset, string][] = [
    ['ct-explicit.dcm', ctDataset(1), ExplicitVRLittleEndian],
    ['ct-implicit.dcm', ctDataset(2), ImplicitVRLittleEndian],
    ['sc-explicit.dcm', secondaryCaptureDataset(3), ExplicitVRLittleEndian],
    ['sc-implicit.dcm', secondaryCaptureDataset(4), ImplicitVRLittleEndian],
  ];
  for (const [name, dataset, transferSyntax] of made) {
    const bytes = writeDicom(dataset, { transferSyntax });
    const path = join(workDir, name);
    await writeFile(path, bytes);
    files.push({ name, path, bytes, file: readDicom(bytes) });
  }
  // A CT written by another toolkit (pydicom's test data, Explicit VR Little Endian).
  const pydicomCt = join(PYDICOM_DATA, 'test_files', 'CT_small.dcm');
  const bytes = new Uint8Array(await readBytes(pydicomCt));
  files.push({ name: 'CT_small.dcm', path: pydicomCt, bytes, file: readDicom(bytes) });
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await removeDir?.();
});

const datasetBytes = (f: TestFile): Uint8Array => f.bytes.subarray(f.file.datasetOffset);
const sopInstanceOf = (f: TestFile): string => f.file.dataset.string('SOPInstanceUID')!;
/** (FFFC,FFFC) as a tag number. */
const TRAILING_PADDING_TAG = 0xfffcfffc;

/** Portico's recording Storage SCP behind a PDU-recording proxy. */
async function porticoStorageScp(maxPduLength: number | undefined): Promise<{ server: DicomServer; proxy: PduProxy; received: ReceivedInstance[] }> {
  const received: ReceivedInstance[] = [];
  const server = await listen({
    aeTitle: 'PORTICO',
    port: 0,
    host: HOST,
    maxPduLength,
    services: [recordingStorageScp([CT_IMAGE_STORAGE, SECONDARY_CAPTURE_IMAGE_STORAGE], [ExplicitVRLittleEndian, ImplicitVRLittleEndian], received)],
  });
  const proxy = await pduProxy(server.port);
  cleanups.push(() => proxy.close(), () => server.close(500));
  return { server, proxy, received };
}

async function storescu(port: number, args: readonly string[]): Promise<RunResult & { readonly output: string }> {
  const r = await run('storescu', ['-v', '-aec', 'PORTICO', ...args, HOST, String(port), ...files.map((f) => f.path)], { timeoutMs: 30_000 });
  return { ...r, output: `${r.stdout}${r.stderr}` };
}

/**
 * Every file arrived once, as the same dataset; byte for byte when it came in the file's own transfer syntax
 * (and has no trailing padding, which DCMTK drops). Returns the files compared byte for byte.
 */
function expectAllReceived(received: readonly ReceivedInstance[]): string[] {
  const identical: string[] = [];
  expect(received.map((r) => r.sopInstanceUid).sort()).toEqual(files.map(sopInstanceOf).sort());
  for (const f of files) {
    const got = received.find((r) => r.sopInstanceUid === sopInstanceOf(f))!;
    expect(got.sopClassUid, f.name).toBe(f.file.dataset.string('SOPClassUID'));
    const parsed = readDicom(got.dataset);
    expect(parsed.transferSyntax.uid, f.name).toBe(got.transferSyntax);
    const converted = !parsed.transferSyntax.explicitVR && f.file.transferSyntax.explicitVR;
    const options = { ignore: [TRAILING_PADDING], anyVr: converted ? [PIXEL_DATA_KEY] : [], ignorePrivate: converted };
    expect(datasetDifferences(parsed.dataset, f.file.dataset, options), f.name).toEqual([]);
    if (got.transferSyntax === f.file.transferSyntax.uid && !f.file.dataset.has(TRAILING_PADDING_TAG)) {
      expect(firstDifference(got.dataset, datasetBytes(f)), `${f.name}: received bytes ≠ the file's dataset`).toBeUndefined();
      identical.push(f.name);
    }
  }
  return identical;
}

/** The data each side sent fits in P-DATA-TF PDUs no longer than the other side's limit, and used most of it. */
function expectFragmentedTo(proxy: PduProxy, direction: 'up' | 'down', limit: number, fill: boolean): void {
  const max = proxy.maxPData(direction);
  expect(max, `largest P-DATA-TF sent ${direction}`).toBeLessThanOrEqual(limit);
  if (fill) expect(max, `largest P-DATA-TF sent ${direction}`).toBeGreaterThan(limit / 2);
}

/** The files Portico wrote (no trailing padding): storescu sends them unchanged when their syntax is accepted. */
const ALL_MADE = ['ct-explicit.dcm', 'ct-implicit.dcm', 'sc-explicit.dcm', 'sc-implicit.dcm'] as const;

describe('storescu → Portico Storage SCP: fragmentation to Portico\'s maximum PDU length', () => {
  const cases = [
    { name: 'Portico 4096, storescu -pdu 4096', configured: 4096, ours: 4096, theirs: 4096, args: ['-pdu', '4096'], identical: ALL_MADE },
    { name: 'Portico 131072, storescu -pdu 131072', configured: 131072, ours: 131072, theirs: 131072, args: ['-pdu', '131072'], identical: ALL_MADE },
    {
      name: 'Portico default (64 KiB), storescu -xs (JPEG lossless proposed too, implicit files converted), its default 16 KiB',
      configured: undefined,
      ours: 65536,
      theirs: 16384,
      args: ['-xs'],
      identical: ['ct-explicit.dcm', 'sc-explicit.dcm'],
    },
    {
      name: 'Portico 16384, storescu -xi (implicit only: explicit files are converted)',
      configured: 16384,
      ours: 16384,
      theirs: 16384,
      args: ['-xi'],
      identical: ['ct-implicit.dcm', 'sc-implicit.dcm'],
    },
    { name: 'Portico 65536, storescu --max-send-pdu 8192', configured: 65536, ours: 65536, theirs: 16384, args: ['--max-send-pdu', '8192'], sendLimit: 8192, identical: ALL_MADE },
  ] as const;

  it.each(cases)('$name', async (c) => {
    const { proxy, received } = await porticoStorageScp(c.configured);
    const r = await storescu(proxy.port, c.args);
    expect(r.status, r.output).toBe(0);
    expect(r.output.match(/Received Store Response \(Success\)/g), r.output).toHaveLength(files.length);
    const identical = expectAllReceived(received);
    expect(identical.sort()).toEqual([...c.identical].sort());
    for (const got of received) expect(got).toMatchObject({ maxPduLength: c.ours, peerMaxPduLength: c.theirs, callingAeTitle: 'STORESCU' });
    const sendLimit = 'sendLimit' in c ? c.sendLimit : c.ours;
    expectFragmentedTo(proxy, 'up', sendLimit, true);
    expectFragmentedTo(proxy, 'down', c.theirs, false);
    // ~1.2 MB of datasets cannot fit in fewer PDUs than this.
    const total = files.reduce((n, f) => n + datasetBytes(f).length, 0);
    const pdatas = proxy.pdus.filter((p) => p.direction === 'up' && p.type === P_DATA_TF).length;
    expect(pdatas).toBeGreaterThanOrEqual(Math.ceil(total / sendLimit));
    if (c.args[0] === '-xi') for (const got of received) expect(got.transferSyntax).toBe(ImplicitVRLittleEndian);
  });
});

/** Sends every test file's dataset with Portico's SCU and returns the responses' statuses. */
async function porticoStores(association: Association, toStream = false): Promise<{ file: TestFile; transferSyntax: string; sent: Uint8Array; status: number | undefined }[]> {
  const results = [];
  for (const f of files) {
    const sopClass = f.file.dataset.string('SOPClassUID')!;
    const context = association.contextFor(sopClass, [f.file.transferSyntax.uid]) ?? association.contextFor(sopClass);
    expect(context, `no context for ${f.name}`).toBeDefined();
    const sent = context!.transferSyntax === f.file.transferSyntax.uid ? datasetBytes(f) : writeDicom(f.file.dataset, { transferSyntax: context!.transferSyntax, part10: false });
    const command = cStoreRq({ messageId: association.newMessageId(), affectedSopClassUid: sopClass, affectedSopInstanceUid: sopInstanceOf(f) });
    const response = await association.requestOne(context!.id, command, toStream ? chunked(sent, 1000) : sent);
    results.push({ file: f, transferSyntax: context!.transferSyntax, sent, status: response.command.status });
  }
  return results;
}

/** The bytes as a stream of `size`-byte chunks (Portico's streaming send path). */
async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(i + size, bytes.length));
}

/** The files storescp wrote, read back, by SOP Instance UID. */
async function storedFiles(dir: string): Promise<Map<string, { bytes: Uint8Array; file: DicomFile }>> {
  const out = new Map<string, { bytes: Uint8Array; file: DicomFile }>();
  for (const name of await readdir(dir)) {
    if (!/\.\d/.test(name)) continue;
    const bytes = new Uint8Array(await readBytes(join(dir, name)));
    const file = readDicom(bytes);
    out.set(file.dataset.string('SOPInstanceUID')!, { bytes, file });
  }
  return out;
}

describe('Portico SCU → storescp: fragmentation to storescp\'s maximum PDU length', () => {
  const contexts = [
    { abstractSyntax: CT_IMAGE_STORAGE, transferSyntaxes: [ExplicitVRLittleEndian, ImplicitVRLittleEndian] },
    { abstractSyntax: CT_IMAGE_STORAGE, transferSyntaxes: [ImplicitVRLittleEndian] },
    { abstractSyntax: SECONDARY_CAPTURE_IMAGE_STORAGE, transferSyntaxes: [ExplicitVRLittleEndian] },
    { abstractSyntax: SECONDARY_CAPTURE_IMAGE_STORAGE, transferSyntaxes: [ImplicitVRLittleEndian] },
  ];
  const cases = [
    { name: 'storescp --max-pdu 4096, bit-preserving', pdu: 4096, bitPreserving: true, stream: false },
    { name: 'storescp --max-pdu 131072, bit-preserving', pdu: 131072, bitPreserving: true, stream: false },
    { name: 'storescp --max-pdu 4096, bit-preserving, dataset streamed in 1000-byte chunks', pdu: 4096, bitPreserving: true, stream: true },
    { name: 'storescp --max-pdu 16384, default (storescp re-encodes)', pdu: 16384, bitPreserving: false, stream: false },
  ] as const;

  it.each(cases)('$name', async (c) => {
    const dir = join(workDir, `storescp-${c.pdu}-${c.bitPreserving}-${c.stream}`);
    await mkdir(dir);
    const scp: Storescp = await startStorescp(dir, ['--max-pdu', String(c.pdu), ...(c.bitPreserving ? ['+B'] : [])]);
    cleanups.push(() => scp.stop().then(() => undefined));
    const proxy = await pduProxy(scp.port);
    cleanups.push(() => proxy.close());
    const from = scp.output().length;
    const association = await connect({ aeTitle: 'STORESCP', host: HOST, port: proxy.port }, { aeTitle: 'PORTICO', contexts, maxPduLength: 8192 });
    let results;
    try {
      expect(association.params.peerMaxPduLength).toBe(c.pdu);
      results = await porticoStores(association, c.stream);
      await association.release();
    } catch (error) {
      association.abort();
      throw error;
    }
    await scp.stop();
    for (const r of results) expect(r.status, r.file.name).toBe(0);
    expectFragmentedTo(proxy, 'up', c.pdu, true);
    expectFragmentedTo(proxy, 'down', 8192, false);

    const stored = await storedFiles(dir);
    expect([...stored.keys()].sort()).toEqual(files.map(sopInstanceOf).sort());
    for (const r of results) {
      const got = stored.get(sopInstanceOf(r.file))!;
      expect(got.file.meta.string('MediaStorageSOPInstanceUID'), r.file.name).toBe(sopInstanceOf(r.file));
      expect(datasetDifferences(got.file.dataset, r.file.file.dataset, { ignore: c.bitPreserving ? [] : [TRAILING_PADDING] }), r.file.name).toEqual([]);
      if (c.bitPreserving) {
        expect(got.file.transferSyntax.uid, r.file.name).toBe(r.transferSyntax);
        const written = got.bytes.subarray(got.file.datasetOffset);
        expect(firstDifference(written, r.sent), `${r.file.name}: storescp wrote other bytes than Portico sent`).toBeUndefined();
      }
    }
    const log = scp.output().slice(from);
    expect(log.match(/Received Store Request/g), log).toHaveLength(files.length);
    expect(log).toMatch(/Association Release/);
    expect(complaints(log)).toEqual([]);
  });
});
