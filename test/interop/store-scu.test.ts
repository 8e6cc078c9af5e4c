/**
 * `portico store` (the real command line, `node bin/portico`) against real and scripted peers:
 * - DCMTK `storescp +B` (bit-preserving): files in Explicit/Implicit VR LE written by Portico, pydicom's test files
 *   in Explicit VR BE, Deflated, JPEG 2000, RLE and JPEG — what storescp writes after its meta group must be the
 *   file's dataset byte for byte when it went in its own syntax, and the same elements when converted;
 * - storescp accepting only uncompressed syntaxes (compressed files fail with a clear message) and only Implicit
 *   VR LE (`+xi`: explicit files converted);
 * - Portico's `listen()` with a scripted Storage SCP: B000, A700 then success (retry), C000, A900, on-failure abort;
 * - two destinations in one command, `--json`, a folder with a non-DICOM file, a DICOMDIR, connection refused
 *   with bounded retries, usage errors.
 */
import { mkdir, readdir, readFile as readBytes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { type DicomFile, readDicom } from '../../src/encoding/read.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { type DicomServer, listen } from '../../src/net/ae.js';
import type { ScpResponse, ScpService } from '../../src/net/service.js';
import { CT_IMAGE_STORAGE, ctDataset, datasetDifferences, firstDifference, PIXEL_DATA_KEY, SECONDARY_CAPTURE_IMAGE_STORAGE, secondaryCaptureDataset } from './net-instances.js';
import { assertPorticoBuilt, complaints, freePort, HOST, portico, startStorescp, type Storescp } from './net-peers.js';
import { ensurePeers, PYDICOM_DATA, type RunResult, tempDir } from './peers.js';

const TEST_FILES = join(PYDICOM_DATA, 'test_files');
const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
const RT_PLAN_STORAGE = '1.2.840.10008.5.1.4.1.1.481.5';

interface Source {
  readonly name: string;
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly file: DicomFile;
}

let workDir = '';
let removeDir: (() => Promise<void>) | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
const sources = new Map<string, Source>();

async function addSource(name: string, path: string): Promise<Source> {
  const bytes = new Uint8Array(await readBytes(path));
  const source = { name, path, bytes, file: readDicom(bytes) };
  sources.set(name, source);
  return source;
}

async function made(name: string, dataset: Dataset, transferSyntax: string): Promise<Source> {
  const path = join(workDir, 'made', name);
  await writeFile(path, writeDicom(dataset, { transferSyntax }));
  return addSource(name, path);
}

const src = (name: string): Source => sources.get(name)!;
const uidOf = (s: Source): string => s.file.dataset.string('SOPInstanceUID')!;
const datasetOf = (s: Source): Uint8Array => s.bytes.subarray(s.file.datasetOffset);

beforeAll(async () => {
  ensurePeers('storescp', 'pydicom');
  assertPorticoBuilt();
  const tmp = await tempDir('store-scu');
  workDir = tmp.dir;
  removeDir = tmp.remove;
  await mkdir(join(workDir, 'made'));
  const withPrivate = ctDataset(3, 64, 64);
  withPrivate.set(0x00190010, 'PORTICO PRIVATE', 'LO');
  withPrivate.set(0x00191001, 'private text', 'LO');
  withPrivate.set(0x00191002, [1.5, 2.5], 'FD');
  await made('ct-explicit.dcm', ctDataset(1, 128, 128), ExplicitVRLittleEndian);
  await made('ct-implicit.dcm', ctDataset(2, 128, 128), ImplicitVRLittleEndian);
  await made('ct-explicit-private.dcm', withPrivate, ExplicitVRLittleEndian);
  await made('sc-explicit.dcm', secondaryCaptureDataset(4, 64, 64), ExplicitVRLittleEndian);
  for (const name of ['CT_small.dcm', 'MR_small_bigendian.dcm', 'image_dfl.dcm', 'rtplan.dcm', 'JPEG2000.dcm', 'MR_small_RLE.dcm', 'SC_rgb_jpeg_dcmtk.dcm']) {
    await addSource(name, join(TEST_FILES, name));
  }
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await removeDir?.();
});

// -- Helpers ---------------------------------------------------------------------------------------------------------

let dirs = 0;
/** storescp writing bit-preserving into a fresh folder, with extra options (`+xa`, `+xi`). */
async function storescp(...extra: string[]): Promise<Storescp> {
  const dir = join(workDir, `storescp-${++dirs}`);
  await mkdir(dir);
  const scp = await startStorescp(dir, ['+B', ...extra]);
  cleanups.push(() => scp.stop());
  return scp;
}

/** What storescp wrote, by SOP Instance UID. */
async function stored(dir: string): Promise<Map<string, { bytes: Uint8Array; file: DicomFile }>> {
  const out = new Map<string, { bytes: Uint8Array; file: DicomFile }>();
  for (const name of await readdir(dir)) {
    const bytes = new Uint8Array(await readBytes(join(dir, name)));
    const file = readDicom(bytes);
    out.set(file.dataset.string('SOPInstanceUID')!, { bytes, file });
  }
  return out;
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');
const store = (args: readonly string[], timeoutMs = 30_000): Promise<RunResult> => portico(['store', ...args], timeoutMs);

interface JsonFile {
  file: string;
  sopInstanceUid: string;
  outcome: string;
  status?: string;
  statusName?: string;
  errorComment?: string;
  detail: string;
  transferSyntax?: string;
  converted: boolean;
  attempts: number;
  bytes: number;
}
interface JsonDestination {
  peer: string;
  ok: boolean;
  total: number;
  sent: number;
  warnings: number;
  failed: number;
  bytes: number;
  seconds: number;
  associations: number;
  retries: number;
  stopped: boolean;
  connectionError?: string;
  files: JsonFile[];
}
interface JsonReport {
  ok: boolean;
  instances: number;
  skipped: { path: string; reason: string; message: string }[];
  destinations: JsonDestination[];
}

/** A Storage SCP in this process that answers the n-th C-STORE (1-based) as `script` says. */
async function scriptedScp(script: (n: number) => ScpResponse): Promise<{ server: DicomServer; received: string[]; callers: string[]; peer: string }> {
  const received: string[] = [];
  const callers: string[] = [];
  let n = 0;
  const service: ScpService = {
    name: 'Storage (scripted)',
    sopClasses: [CT_IMAGE_STORAGE, SECONDARY_CAPTURE_IMAGE_STORAGE, MR_IMAGE_STORAGE, RT_PLAN_STORAGE],
    commands: [0x0001],
    transferSyntaxes: [ExplicitVRLittleEndian, ImplicitVRLittleEndian],
    handle: async (request, context) => {
      received.push(request.command.affectedSopInstanceUid ?? '?');
      callers.push(context.association.params.callingAeTitle);
      return script(++n);
    },
  };
  const server = await listen({ aeTitle: 'SCRIPTED', port: 0, host: HOST, services: [service] });
  cleanups.push(() => server.close(200));
  return { server, received, callers, peer: `SCRIPTED@${HOST}:${server.port}` };
}

// -- storescp ----------------------------------------------------------------------------------------------------------

describe('portico store → storescp +B +xa (accepts every syntax): each file in its own syntax, bytes unchanged', () => {
  it('Explicit/Implicit VR LE, Explicit VR BE, Deflated, JPEG 2000, RLE and JPEG files arrive byte for byte', async () => {
    const scp = await storescp('+xa');
    const names = ['ct-explicit.dcm', 'ct-implicit.dcm', 'ct-explicit-private.dcm', 'CT_small.dcm', 'MR_small_bigendian.dcm', 'image_dfl.dcm', 'rtplan.dcm', 'JPEG2000.dcm', 'MR_small_RLE.dcm', 'SC_rgb_jpeg_dcmtk.dcm'];
    // MR_small_bigendian and MR_small_RLE share a SOP Instance UID: send them to storescp one after the other.
    const first = names.filter((n) => n !== 'MR_small_RLE.dcm');
    const r = await store([`STORESCP@${HOST}:${scp.port}`, ...first.map((n) => src(n).path), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.destinations[0]).toMatchObject({ total: first.length, sent: first.length, failed: 0, associations: 1 });
    let files = await stored(scp.dir);
    for (const name of first) {
      const s = src(name);
      const entry = report.destinations[0]!.files.find((f) => f.file === s.path)!;
      expect(entry, name).toMatchObject({ outcome: 'success', status: '0x0000', converted: false, transferSyntax: s.file.transferSyntax.uid });
      const got = files.get(uidOf(s));
      expect(got, `${name} not stored`).toBeDefined();
      expect(got!.file.transferSyntax.uid, name).toBe(s.file.transferSyntax.uid);
      // pydicom's image_dfl.dcm has an odd-length deflated dataset: it goes with the padding byte PS3.5 A.5 requires.
      const expected = datasetOf(s).length % 2 === 1 ? Buffer.concat([datasetOf(s), new Uint8Array(1)]) : datasetOf(s);
      expect(firstDifference(got!.bytes.subarray(got!.file.datasetOffset), expected), `${name}: storescp wrote other bytes`).toBeUndefined();
    }
    expect(datasetOf(src('image_dfl.dcm')).length % 2).toBe(1);
    const rle = await store([`STORESCP@${HOST}:${scp.port}`, src('MR_small_RLE.dcm').path]);
    expect(rle.status, rle.stderr).toBe(0);
    files = await stored(scp.dir);
    const got = files.get(uidOf(src('MR_small_RLE.dcm')))!;
    expect(firstDifference(got.bytes.subarray(got.file.datasetOffset), datasetOf(src('MR_small_RLE.dcm')))).toBeUndefined();
    expect(complaints(scp.output())).toEqual([]);
  });
});

describe('portico store → storescp +B (uncompressed syntaxes only)', () => {
  it('a compressed file fails with a clear message, the deflated one is converted, the rest arrive unchanged; exit 1', async () => {
    // storescp takes P-DATA PDUs of at most 4 KiB: what Portico sends is cut to that (and arrives intact).
    const scp = await storescp('--max-pdu', '4096');
    const peer = `STORESCP@${HOST}:${scp.port}`;
    const names = ['ct-explicit.dcm', 'ct-implicit.dcm', 'MR_small_bigendian.dcm', 'image_dfl.dcm', 'JPEG2000.dcm'];
    const r = await store([peer, ...names.map((n) => src(n).path)]);
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual([
      `portico store: ${peer}: ${src('JPEG2000.dcm').path}: failed: peer does not accept JPEG 2000 Image Compression for Secondary Capture Image Storage and decompression is not available yet`,
    ]);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(r.stdout).toMatch(new RegExp(`^Sent 4 of 5 instances \\(1 failed\\) to ${peer.replace(/\./g, '\\.')} in \\d+\\.\\d+ s, \\d+\\.\\d MB/s\\n$`));
    const files = await stored(scp.dir);
    expect(files.size).toBe(4);
    for (const name of ['ct-explicit.dcm', 'ct-implicit.dcm', 'MR_small_bigendian.dcm']) {
      const got = files.get(uidOf(src(name)))!;
      expect(firstDifference(got.bytes.subarray(got.file.datasetOffset), datasetOf(src(name))), name).toBeUndefined();
    }
    // Deflated → Explicit VR Little Endian (storescp does not take deflate unless asked): the same elements.
    const deflated = files.get(uidOf(src('image_dfl.dcm')))!;
    expect(deflated.file.transferSyntax.uid).toBe(ExplicitVRLittleEndian);
    expect(datasetDifferences(deflated.file.dataset, src('image_dfl.dcm').file.dataset)).toEqual([]);
    expect(complaints(scp.output())).toEqual([]);
  });
});

describe('portico store → storescp +B +xi (Implicit VR Little Endian only)', () => {
  it('explicit files (private attributes included) are converted and arrive with the same elements', async () => {
    const scp = await storescp('+xi');
    const names = ['ct-explicit.dcm', 'ct-explicit-private.dcm', 'sc-explicit.dcm', 'CT_small.dcm', 'MR_small_bigendian.dcm'];
    const r = await store([`STORESCP@${HOST}:${scp.port}`, ...names.map((n) => src(n).path), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    for (const f of report.destinations[0]!.files) expect(f).toMatchObject({ outcome: 'success', converted: true, transferSyntax: ImplicitVRLittleEndian });
    const files = await stored(scp.dir);
    for (const name of names) {
      const got = files.get(uidOf(src(name)))!;
      expect(got.file.transferSyntax.uid, name).toBe(ImplicitVRLittleEndian);
      // In Implicit VR, Pixel Data reads back as OW and private attributes as UN (no private dictionary): values compared.
      expect(datasetDifferences(got.file.dataset, src(name).file.dataset, { anyVr: [PIXEL_DATA_KEY], ignorePrivate: true }), name).toEqual([]);
    }
    // The private attributes arrived (as UN bytes: the same value bytes).
    const priv = files.get(uidOf(src('ct-explicit-private.dcm')))!.file.dataset;
    expect(priv.get(0x00190010)?.raw ?? priv.get(0x00190010)?.value).toBeDefined();
    expect(Buffer.from(priv.get(0x00191001)!.value as Uint8Array).toString('latin1')).toBe('private text');
  });
});

describe('portico store: a folder, a DICOMDIR', () => {
  it('a folder with a non-DICOM file: one warning line, the DICOM files sent, exit 0', async () => {
    const folder = join(workDir, 'folder');
    await mkdir(join(folder, 'sub'), { recursive: true });
    await writeFile(join(folder, 'a.dcm'), src('ct-explicit.dcm').bytes);
    await writeFile(join(folder, 'sub', 'b.dcm'), src('ct-implicit.dcm').bytes);
    await writeFile(join(folder, 'readme.txt'), 'These are test files.\n');
    const scp = await storescp();
    const peer = `STORESCP@${HOST}:${scp.port}`;
    const r = await store([peer, folder]);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([`portico store: warning: ${join(folder, 'readme.txt')}: not DICOM, skipped`]);
    expect(r.stdout).toMatch(/^Sent 2 of 2 instances to /);
    expect((await stored(scp.dir)).size).toBe(2);
  });

  it('a DICOMDIR: the files its records reference are sent', async () => {
    const dicomdir = join(TEST_FILES, 'dicomdirtests', 'DICOMDIR');
    const scp = await storescp();
    const r = await store([`STORESCP@${HOST}:${scp.port}`, dicomdir, '--json'], 60_000);
    const report = JSON.parse(r.stdout) as JsonReport;
    const referenced = readDicom(new Uint8Array(await readBytes(dicomdir))).dataset.items('DirectoryRecordSequence').filter((i) => i.has('ReferencedFileID'));
    expect(report.skipped).toEqual([]);
    expect(report.instances).toBe(referenced.length);
    expect(report.destinations[0]).toMatchObject({ total: referenced.length, sent: referenced.length, failed: 0 });
    expect(r.status, r.stderr).toBe(0);
    expect((await stored(scp.dir)).size).toBe(new Set(report.destinations[0]!.files.map((f) => f.sopInstanceUid)).size);
  });
});

// -- Scripted statuses ------------------------------------------------------------------------------------------------

describe('portico store → a scripted Portico SCP: statuses as the seeds handle them', () => {
  const three = (): string[] => ['ct-explicit.dcm', 'ct-implicit.dcm', 'sc-explicit.dcm'].map((n) => src(n).path);

  it('B000: sent, reported as a warning, exit 0', async () => {
    const scp = await scriptedScp((n) => (n === 2 ? { status: 0xb000, fields: { errorComment: 'Patient ID coerced' } } : { status: 0 }));
    const r = await store([scp.peer, ...three(), '--aet', 'CAMERA']);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([`portico store: ${scp.peer}: ${three()[1]}: warning: 0xB000 Coercion of Data Elements (warning): Patient ID coerced`]);
    expect(scp.callers).toEqual(['CAMERA', 'CAMERA', 'CAMERA']);
    expect(r.stdout).toMatch(/^Sent 3 of 3 instances \(1 with warnings\) to SCRIPTED@/);
  });

  it('C000: reported with status and comment, the others sent, exit 1', async () => {
    const scp = await scriptedScp((n) => (n === 1 ? { status: 0xc000, fields: { errorComment: 'Cannot parse' } } : { status: 0 }));
    const r = await store([scp.peer, ...three()]);
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual([`portico store: ${scp.peer}: ${three()[0]}: failed: 0xC000 Error: Cannot understand (failure): Cannot parse`]);
    expect(r.stdout).toMatch(/^Sent 2 of 3 instances \(1 failed\) to /);
    expect(scp.received).toHaveLength(3);
  });

  it('A900: reported in the JSON with its status name and comment', async () => {
    const scp = await scriptedScp((n) => (n === 3 ? { status: 0xa900, fields: { errorComment: 'Wrong IOD' } } : { status: 0 }));
    const r = await store([scp.peer, ...three(), '--json']);
    expect(r.status).toBe(1);
    const d = (JSON.parse(r.stdout) as JsonReport).destinations[0]!;
    expect(d).toMatchObject({ ok: false, sent: 2, failed: 1, warnings: 0 });
    expect(d.files[2]).toMatchObject({ outcome: 'failure', status: '0xA900', statusName: 'Error: Data Set does not match SOP Class', errorComment: 'Wrong IOD', attempts: 1 });
  });

  it('A700 then success: --retries sends it again on a new association after the delay, exit 0', async () => {
    const scp = await scriptedScp((n) => (n === 2 ? { status: 0xa700, fields: { errorComment: 'No space' } } : { status: 0 }));
    const r = await store([scp.peer, ...three(), '--retries', '2', '--retry-delay', '0.1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([`portico store: ${scp.peer}: 0xA700 Refused: Out of Resources (failure): No space; retrying 1 instance in 0.1 s (retry 1 of 2)`]);
    const d = (JSON.parse(r.stdout) as JsonReport).destinations[0]!;
    expect(d).toMatchObject({ sent: 3, failed: 0, retries: 1, associations: 2 });
    expect(d.files[1]).toMatchObject({ outcome: 'success', attempts: 2 });
    expect(scp.received).toEqual([uidOf(src('ct-explicit.dcm')), uidOf(src('ct-implicit.dcm')), uidOf(src('sc-explicit.dcm')), uidOf(src('ct-implicit.dcm'))]);
  });

  it('--on-failure abort: the association is aborted at the first failure, nothing more is sent, exit 1', async () => {
    const scp = await scriptedScp((n) => (n === 2 ? { status: 0xc001 } : { status: 0 }));
    const files = [...three(), src('CT_small.dcm').path];
    const r = await store([scp.peer, ...files, '--on-failure', 'abort', '--json']);
    expect(r.status).toBe(1);
    expect(scp.received).toHaveLength(2);
    const d = (JSON.parse(r.stdout) as JsonReport).destinations[0]!;
    expect(d).toMatchObject({ sent: 1, failed: 3, stopped: true });
    expect(d.files.map((f) => f.outcome)).toEqual(['success', 'failure', 'failure', 'failure']);
    expect(lines(r.stderr)).toEqual([
      `portico store: ${scp.peer}: ${files[1]}: failed: 0xC001 Error: Cannot understand (failure)`,
      `portico store: ${scp.peer}: 2 instances not sent: stopped after ${files[1]} failed (on failure: abort)`,
    ]);
  });
});

// -- Several destinations, failures, usage --------------------------------------------------------------------------

describe('portico store: destinations and connection failures', () => {
  it('two destinations in one command: each gets everything and is reported separately', async () => {
    const scp = await storescp();
    const scripted = await scriptedScp(() => ({ status: 0 }));
    const peer = `STORESCP@${HOST}:${scp.port}`;
    const names = ['ct-explicit.dcm', 'CT_small.dcm'];
    const r = await store([peer, scripted.peer, ...names.map((n) => src(n).path)]);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(new RegExp(`^Sent 2 of 2 instances to ${peer.replace(/\./g, '\\.')} in `));
    expect(out[1]).toMatch(/^Sent 2 of 2 instances to SCRIPTED@/);
    expect((await stored(scp.dir)).size).toBe(2);
    expect(scripted.received).toHaveLength(2);
  });

  it('--json with two destinations, one refusing the connection: exit 1, each destination reported', async () => {
    const scripted = await scriptedScp(() => ({ status: 0 }));
    const port = await freePort();
    const r = await store([scripted.peer, `NOBODY@${HOST}:${port}`, src('ct-explicit.dcm').path, '--json']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.ok).toBe(false);
    expect(report.destinations.map((d) => [d.peer, d.ok, d.sent, d.failed])).toEqual([
      [scripted.peer, true, 1, 0],
      [`NOBODY@${HOST}:${port}`, false, 0, 1],
    ]);
    expect(report.destinations[1]!.connectionError).toBe(`NOBODY@${HOST}:${port}: connection refused`);
    expect(typeof report.destinations[0]!.seconds).toBe('number');
    expect(report.destinations[0]!.bytes).toBe(datasetOf(src('ct-explicit.dcm')).length);
  });

  it('connection refused with --retries 2 --retry-delay 0.1: two retries, then one line and exit 1', async () => {
    const port = await freePort();
    const peer = `NOBODY@${HOST}:${port}`;
    const started = Date.now();
    const r = await store([peer, src('ct-explicit.dcm').path, src('ct-implicit.dcm').path, '--retries', '2', '--retry-delay', '0.1']);
    expect(r.status).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(lines(r.stderr)).toEqual([
      `portico store: ${peer}: connection refused; retrying 2 instances in 0.1 s (retry 1 of 2)`,
      `portico store: ${peer}: connection refused; retrying 2 instances in 0.1 s (retry 2 of 2)`,
      `portico store: ${peer}: 2 instances not sent: connection refused`,
    ]);
    expect(r.stdout).toMatch(/^Sent 0 of 2 instances \(2 failed\) to NOBODY@127\.0\.0\.1:\d+ in \d+\.\d+ s after 2 retries, 0\.0 MB\/s\n$/);
  });

  it('usage errors exit 2: no peer, no file, a bad option value; a missing file exits 1 before sending', async () => {
    const noPeer = await store([src('ct-explicit.dcm').path]);
    expect(noPeer.status).toBe(2);
    expect(noPeer.stderr).toContain('no peer given');
    const noFile = await store([`X@${HOST}:104`]);
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toContain('no files given');
    const badOption = await store([`X@${HOST}:104`, src('ct-explicit.dcm').path, '--on-failure', 'sometimes']);
    expect(badOption.status).toBe(2);
    expect(badOption.stderr).toContain("'sometimes' is not continue or abort");
    const missing = await store([`X@${HOST}:1`, join(workDir, 'no-such.dcm')]);
    expect(missing.status).toBe(1);
    expect(lines(missing.stderr)).toEqual([`portico store: ${join(workDir, 'no-such.dcm')}: no such file or folder`]);
  });
});
