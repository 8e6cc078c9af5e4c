/**
 * Issue 4, "Faults and bad input", against the Storage SCP and the archive behind it (in process: `listen` with
 * `storageScp` over `Archive.open(dir).ingest`, and `portico serve` for the reserve given on the command line):
 * - hostile UIDs (`../../x`, `/etc/passwd`, 70 characters, letters, NUL, ...) in the dataset and in the command → A900,
 *   the bytes in `error/` under a generated name, nothing written outside the data folder, nothing indexed;
 * - a dataset that ends early or lies about a length → C000 (or A900), kept in `error/`, nothing indexed;
 * - a free-space reserve larger than the disk → A700, nothing left behind, and storing again once the reserve is
 *   satisfied; a write error (tmp/ not a folder) → A700 and recovery;
 * - a connection dropped in the middle of an instance (A-ABORT while a large dataset streams; TCP dropped after part
 *   of the PDVs) → nothing in tmp/ or store/, the instances completed before it stay;
 * - duplicates: keep-first vs overwrite.
 */
import { mkdir, readFile as readBytes, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Archive, type ArchiveOptions, STORAGE_SOP_CLASSES, STORAGE_TRANSFER_SYNTAXES } from '../../src/archive/archive.js';
import type { Dataset } from '../../src/data/dataset.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { connect, type DicomServer, listen } from '../../src/net/ae.js';
import { cStoreRq } from '../../src/net/dimse/c-store.js';
import { storageScp } from '../../src/services/storage/scp.js';
import { CT_IMAGE_STORAGE, ctDataset, firstDifference, newUid } from '../interop/net-instances.js';
import { assertPorticoBuilt, HOST, waitUntil } from '../interop/net-peers.js';
import { ensurePeers, tempDir } from '../interop/peers.js';
import { archiveState, expectedStorePath, filesUnder, inconsistencies, META_SOURCE_AE_TITLE, readStored } from '../interop/store-scp-archive.js';
import { proposeExactly, sourceFile, storescu } from '../interop/store-scp-corpus.js';
import { startServe } from '../interop/store-scp-serve.js';
import { instanceFilesIn } from '../support/tmp-files.js';
import { cStoreCommand, datasetPdus, pData, RawStoreClient } from './raw-store.js';

const SUCCESS = 0x0000;
const OUT_OF_RESOURCES = 0xa700;
const DOES_NOT_MATCH = 0xa900;
const CANNOT_UNDERSTAND = 0xc000;
const MiB = 1024 * 1024;
/** `error/` names are generated: an ISO time stamp and a UUID, nothing from the dataset. */
const GENERATED_NAME = /^error\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.dcm$/;

let root = '';
let removeRoot: (() => Promise<void>) | undefined;
const open: { server: DicomServer; archive: Archive }[] = [];

beforeAll(async () => {
  const tmp = await tempDir('hostile-store');
  root = tmp.dir;
  removeRoot = tmp.remove;
});

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.server.close(200).catch(() => undefined);
    await o.archive.close().catch(() => undefined);
  }
});

afterAll(async () => {
  await removeRoot?.();
});

interface Scp {
  readonly dir: string;
  readonly archive: Archive;
  readonly server: DicomServer;
  readonly port: number;
}

/** An archive in `<root>/<name>` behind a Storage SCP on a free loopback port (closed after each test). */
async function startScp(name: string, options: ArchiveOptions = {}): Promise<Scp> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const archive = await Archive.open(dir, { reserveBytes: MiB, ...options });
  const server = await listen({
    aeTitle: 'PORTICO',
    port: 0,
    host: HOST,
    services: [storageScp({ sopClasses: STORAGE_SOP_CLASSES, transferSyntaxes: STORAGE_TRANSFER_SYNTAXES, handler: archive.ingest })],
  });
  open.push({ server, archive });
  return { dir, archive, server, port: server.port };
}

async function stopScp(scp: Scp): Promise<void> {
  const i = open.findIndex((o) => o.server === scp.server);
  if (i >= 0) open.splice(i, 1);
  await scp.server.close(500);
  await scp.archive.close();
}

/** A small CT (32 × 32, fresh UIDs), edited by `edit`. */
function smallCt(seed: number, edit?: (ds: Dataset) => void): Dataset {
  const ds = ctDataset(seed, 32, 32);
  edit?.(ds);
  return ds;
}
/** The dataset as sent in a C-STORE: no File Meta Information. */
const datasetBytes = (ds: Dataset, transferSyntax = ExplicitVRLittleEndian): Uint8Array => writeDicom(ds, { transferSyntax, part10: false });

/** C-STORE with Portico's SCU (the command carries `sopInstance`); returns the response Status. */
async function store(port: number, bytes: Uint8Array | AsyncIterable<Uint8Array>, sopInstance: string, transferSyntax = ExplicitVRLittleEndian, callingAe = 'HOSTILE_SCU'): Promise<number | undefined> {
  const association = await connect(
    { aeTitle: 'PORTICO', host: HOST, port },
    { aeTitle: callingAe, contexts: [{ abstractSyntax: CT_IMAGE_STORAGE, transferSyntaxes: [transferSyntax] }], connectTimeout: 3_000, dimseTimeout: 10_000 },
  );
  try {
    const context = association.contextFor(CT_IMAGE_STORAGE, [transferSyntax])!;
    const response = await association.requestOne(context.id, cStoreRq({ messageId: association.newMessageId(), affectedSopClassUid: CT_IMAGE_STORAGE, affectedSopInstanceUid: sopInstance }), bytes);
    await association.release();
    return response.command.status;
  } catch (error) {
    association.abort();
    throw error;
  }
}

const storeDataset = (port: number, ds: Dataset, transferSyntax = ExplicitVRLittleEndian): Promise<number | undefined> =>
  store(port, datasetBytes(ds, transferSyntax), ds.string('SOPInstanceUID')!, transferSyntax);

/** Expect `scp`'s archive to hold exactly these SOP Instance UIDs, consistent, with tmp/ empty. */
async function expectHolds(scp: Scp, sopInstances: readonly string[], errorFiles?: number): Promise<void> {
  const state = await archiveState(scp.dir);
  expect(state.instances.map((r) => r.sopInstanceUid).sort()).toEqual([...sopInstances].sort());
  expect(state.counts.instances).toBe(sopInstances.length);
  expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
  expect(state.tmpFiles).toEqual([]);
  if (errorFiles !== undefined) expect(state.errorFiles).toHaveLength(errorFiles);
}

// -- Hostile UIDs ----------------------------------------------------------------------------------------------------

describe('hostile UIDs never reach a path', () => {
  const marker = `portico-escape-${process.pid}-${Date.now()}`;
  /** Each climbs far enough out of store/ab/ to land in the system's temp folder, or names a system file. */
  const HOSTILE: readonly [string, string][] = [
    ['../../x', '../../x'],
    ['escape to the temp folder', `../../../../${marker}`],
    ['escape deeper', `../../../../../../${marker}`],
    ['/etc/passwd', '/etc/passwd'],
    ['70 digits', `1.2.${'3'.repeat(66)}`],
    ['letters', '1.2.abc.4'],
    ['NUL inside', '1.2\u00003.4'],
    ['slash inside', '1.2.3/../../4'],
    ['dot-dot', '..'],
    ['leading zero component', '1.02.3'],
    ['space inside', '1.2. 3'],
  ];
  const POSITIONS = ['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID'] as const;

  it('in the dataset (Study, Series, SOP Instance UID) → A900, bytes kept in error/ under a generated name, nothing outside', async () => {
    const scp = await startScp('hostile-uids');
    const passwd = await stat('/etc/passwd');
    // Everything under the test's root folder (the data folder's parent) before any store.
    const before = await filesUnder(root);
    const problems: string[] = [];
    let kept = 0;
    for (const [label, value] of HOSTILE) {
      for (const position of POSITIONS) {
        const validInstance = newUid();
        const ds = smallCt(1, (d) => {
          d.set('SOPInstanceUID', validInstance);
          d.set(position, value);
        });
        const bytes = datasetBytes(ds);
        const errorBefore = (await filesUnder(scp.dir)).filter((p) => p.startsWith('error/'));
        // The command keeps a valid SOP Instance UID (Portico's encoder refuses a bad one); the dataset is hostile.
        const status = await store(scp.port, bytes, validInstance, ExplicitVRLittleEndian);
        const errorAfter = (await filesUnder(scp.dir)).filter((p) => p.startsWith('error/'));
        const added = errorAfter.filter((p) => !errorBefore.includes(p));
        if (status !== DOES_NOT_MATCH) problems.push(`${label} as ${position}: status ${status?.toString(16)}, expected a900`);
        if (added.length !== 1 || !GENERATED_NAME.test(added[0]!)) {
          problems.push(`${label} as ${position}: error/ gained ${JSON.stringify(added)}`);
          continue;
        }
        kept++;
        const stored = await readStored(join(scp.dir, added[0]!));
        const d = firstDifference(stored.datasetBytes, bytes);
        if (d) problems.push(`${label} as ${position}: error/ copy ≠ the bytes sent: ${d}`);
        if (stored.file.meta.string(META_SOURCE_AE_TITLE) !== 'HOSTILE_SCU') problems.push(`${label} as ${position}: Source AE Title ${stored.file.meta.string(META_SOURCE_AE_TITLE)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(kept).toBe(HOSTILE.length * POSITIONS.length);
    await expectHolds(scp, [], kept);
    expect((await archiveState(scp.dir)).storeFiles).toEqual([]);
    expect(await instanceFilesIn(join(scp.dir, 'tmp'))).toEqual([]);
    // Nothing new under the root but error/ files and the index's own files.
    const after = await filesUnder(root);
    // tmp/ holds no instance data (checked above), only the file opened ahead for the next instance.
    const allowed = (p: string): boolean =>
      p.startsWith('hostile-uids/error/') || p.startsWith('hostile-uids/tmp/') || /^hostile-uids\/index\.sqlite(-wal|-shm)?$/.test(p);
    expect(after.filter((p) => !before.includes(p) && !allowed(p))).toEqual([]);
    for (const place of [join(tmpdir(), marker), join(root, marker), join(scp.dir, marker), join('/', marker)]) {
      await expect(stat(place), place).rejects.toMatchObject({ code: 'ENOENT' });
    }
    expect((await stat('/etc/passwd')).mtimeMs).toBe(passwd.mtimeMs);
  });

  it('a multi-valued Study / Series Instance UID (`1.2\\..\\..\\x`: VM 1 violated) → A900, kept in error/', async () => {
    const scp = await startScp('hostile-multivalued');
    const statuses: string[] = [];
    for (const position of ['StudyInstanceUID', 'SeriesInstanceUID'] as const) {
      const ds = smallCt(4, (d) => d.set(position, `1.2\\..\\..\\${marker}`));
      expect(ds.strings(position)).toEqual(['1.2', '..', '..', marker]);
      statuses.push(`${position}: ${(await storeDataset(scp.port, ds))?.toString(16)}`);
    }
    const state = await archiveState(scp.dir);
    expect({ statuses, stored: state.storeFiles, errorFiles: state.errorFiles.length }).toEqual({
      statuses: ['StudyInstanceUID: a900', 'SeriesInstanceUID: a900'],
      stored: [],
      errorFiles: 2,
    });
  });

  it('in the command and the dataset alike (a raw C-STORE-RQ) → A900 or an abort, nothing outside, nothing indexed', async () => {
    const scp = await startScp('hostile-command');
    const before = await filesUnder(root);
    const outcomes: string[] = [];
    for (const [label, value] of HOSTILE) {
      const ds = smallCt(2, (d) => d.set('SOPInstanceUID', value));
      const client = await RawStoreClient.associate(scp.port, CT_IMAGE_STORAGE, ExplicitVRLittleEndian);
      try {
        const status = await client.store(1, CT_IMAGE_STORAGE, value, datasetBytes(ds));
        outcomes.push(`${label}: ${status === undefined ? (client.aborted ? 'A-ABORT' : 'closed without A-ABORT') : status.toString(16)}`);
        // A900, or the command set refused as malformed: A-ABORT (PS3.8 9.3.1).
        if (status === undefined) expect(client.aborted, label).toBe(true);
        else expect(status, label).toBe(DOES_NOT_MATCH);
      } finally {
        client.destroy();
      }
    }
    await waitUntil('tmp/ to be empty', async () => ((await instanceFilesIn(join(scp.dir, 'tmp'))).length === 0 ? true : undefined));
    await expectHolds(scp, []);
    const after = await filesUnder(root);
    // tmp/ holds no instance data (checked above), only the file opened ahead for the next instance.
    const allowed = (p: string): boolean =>
      p.startsWith('hostile-command/error/') || p.startsWith('hostile-command/tmp/') || /^hostile-command\/index\.sqlite(-wal|-shm)?$/.test(p);
    expect(after.filter((p) => !before.includes(p) && !allowed(p)), outcomes.join('\n')).toEqual([]);
    for (const place of [join(tmpdir(), marker), join(root, marker), join(scp.dir, marker)]) {
      await expect(stat(place), place).rejects.toMatchObject({ code: 'ENOENT' });
    }
    // Still serving.
    const ok = smallCt(3);
    expect(await storeDataset(scp.port, ok)).toBe(SUCCESS);
  });
});

// -- Datasets that end early or lie ------------------------------------------------------------------------------

/** Offset of the element with this tag (little endian), searched from `from`; throws when absent. */
function offsetOf(bytes: Uint8Array, group: number, element: number, from = 0): number {
  const needle = Buffer.of(group & 0xff, group >> 8, element & 0xff, element >> 8);
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(needle, from);
  if (at < 0) throw new Error(`(${group.toString(16)},${element.toString(16)}) not found`);
  return at;
}

describe('a dataset that ends early or lies about a length', () => {
  interface Case {
    readonly name: string;
    readonly transferSyntax: string;
    readonly make: (ds: Dataset) => Uint8Array;
  }
  const cases: readonly Case[] = [
    {
      name: 'Pixel Data cut short (the last 1000 bytes never come)',
      transferSyntax: ExplicitVRLittleEndian,
      make: (ds) => {
        const b = datasetBytes(ds);
        return b.subarray(0, b.length - 1000);
      },
    },
    {
      name: 'ends inside an element header',
      transferSyntax: ExplicitVRLittleEndian,
      make: (ds) => {
        const b = datasetBytes(ds);
        return b.subarray(0, offsetOf(b, 0x0010, 0x0010) + 3);
      },
    },
    {
      name: 'Patient Name claims 65535 bytes (explicit VR, 2-byte length)',
      transferSyntax: ExplicitVRLittleEndian,
      make: (ds) => {
        const b = Buffer.from(datasetBytes(ds));
        b.writeUInt16LE(0xffff, offsetOf(b, 0x0010, 0x0010) + 6);
        return b;
      },
    },
    {
      name: 'Pixel Data claims 4 GB (OW, 4-byte length)',
      transferSyntax: ExplicitVRLittleEndian,
      make: (ds) => {
        const b = Buffer.from(datasetBytes(ds));
        b.writeUInt32LE(0xfffffff0, offsetOf(b, 0x7fe0, 0x0010) + 8);
        return b;
      },
    },
    {
      name: 'Patient Name with undefined length (implicit VR)',
      transferSyntax: ImplicitVRLittleEndian,
      make: (ds) => {
        const b = Buffer.from(datasetBytes(ds, ImplicitVRLittleEndian));
        b.writeUInt32LE(0xffffffff, offsetOf(b, 0x0010, 0x0010) + 4);
        return b;
      },
    },
    {
      name: 'Rows claims 1 MiB (implicit VR, 4-byte length past the end)',
      transferSyntax: ImplicitVRLittleEndian,
      make: (ds) => {
        const b = Buffer.from(datasetBytes(ds, ImplicitVRLittleEndian));
        b.writeUInt32LE(MiB, offsetOf(b, 0x0028, 0x0010) + 4);
        return b;
      },
    },
  ];

  it.each(cases)('$name → C000 (or A900), kept in error/, nothing indexed', async (c) => {
    const scp = await startScp(`lying-${cases.indexOf(c)}`);
    const ds = smallCt(10 + cases.indexOf(c));
    const sent = c.make(ds);
    const status = await store(scp.port, sent, ds.string('SOPInstanceUID')!, c.transferSyntax);
    expect([CANNOT_UNDERSTAND, DOES_NOT_MATCH]).toContain(status);
    const state = await archiveState(scp.dir);
    expect(state.storeFiles).toEqual([]);
    await expectHolds(scp, [], 1);
    // Kept as received, after a meta of its own.
    expect(state.errorFiles[0]).toMatch(GENERATED_NAME);
    const kept = new Uint8Array(await readBytes(join(scp.dir, state.errorFiles[0]!)));
    expect(firstDifference(kept.subarray(kept.length - sent.length), sent)).toBeUndefined();
    // The association still works.
    expect(await storeDataset(scp.port, smallCt(99))).toBe(SUCCESS);
  });
});

// -- Out of resources ------------------------------------------------------------------------------------------------

describe('out of resources', () => {
  it('a reserve larger than the disk → A700, nothing left behind; storing again once the reserve is met (no restart)', async () => {
    const scp = await startScp('reserve', { reserveBytes: 10_000_000 * MiB });
    const refused = smallCt(20);
    expect(await storeDataset(scp.port, refused)).toBe(OUT_OF_RESOURCES);
    await expectHolds(scp, [], 0);
    expect((await archiveState(scp.dir)).storeFiles).toEqual([]);
    // Space "returns": the reserve is met again. The check is made per instance, so storing resumes by itself.
    Object.assign(scp.archive.files, { reserveBytes: MiB });
    expect(await storeDataset(scp.port, refused)).toBe(SUCCESS);
    await expectHolds(scp, [refused.string('SOPInstanceUID')!], 0);
  });

  it('a write error in store/ (the study folder is a file) → A700, nothing left behind; recovers when it is fixed', async () => {
    const scp = await startScp('write-error');
    const first = smallCt(21);
    expect(await storeDataset(scp.port, first)).toBe(SUCCESS);
    const refused = smallCt(22);
    // The new study's folder cannot be created: its name is taken by a file.
    const studyDir = join(scp.dir, expectedStorePath(refused.string('StudyInstanceUID')!, refused.string('SeriesInstanceUID')!, refused.string('SOPInstanceUID')!), '..', '..');
    await mkdir(join(studyDir, '..'), { recursive: true });
    await writeFile(studyDir, 'not a folder');
    expect(await storeDataset(scp.port, refused)).toBe(OUT_OF_RESOURCES);
    await rm(studyDir);
    const state = await archiveState(scp.dir);
    expect(state.instances.map((r) => r.sopInstanceUid)).toEqual([first.string('SOPInstanceUID')]);
    expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
    expect(state.storeFiles).toHaveLength(1);
    expect(state.errorFiles).toEqual([]);
    expect(await instanceFilesIn(join(scp.dir, 'tmp'))).toEqual([]);
    expect(await storeDataset(scp.port, refused)).toBe(SUCCESS);
    await expectHolds(scp, [first.string('SOPInstanceUID')!, refused.string('SOPInstanceUID')!], 0);
  });

  it('a write error in tmp/ (tmp/ is not a folder) → A700, nothing left; recovers when tmp/ is back', async () => {
    const scp = await startScp('write-error-spill');
    const large = smallCt(24, (d) => d.set('PixelData', new Uint8Array(3 * MiB), 'OW'));
    await rm(join(scp.dir, 'tmp'), { recursive: true });
    await writeFile(join(scp.dir, 'tmp'), 'not a folder');
    expect(await storeDataset(scp.port, large)).toBe(OUT_OF_RESOURCES);
    const state = await archiveState(scp.dir);
    expect(state.instances).toEqual([]);
    expect(state.storeFiles).toEqual([]);
    expect(state.errorFiles).toEqual([]);
    await rm(join(scp.dir, 'tmp'));
    await mkdir(join(scp.dir, 'tmp'));
    expect(await storeDataset(scp.port, large)).toBe(SUCCESS);
    await expectHolds(scp, [large.string('SOPInstanceUID')!], 0);
  });

  it('portico serve --reserve-mb 10000000 → storescu gets A700; restarted with a normal reserve it stores', async () => {
    ensurePeers('storescu');
    assertPorticoBuilt();
    const dir = join(root, 'reserve-cli');
    await mkdir(dir);
    const path = join(root, 'reserve-cli.dcm');
    const ds = smallCt(23);
    await writeFile(path, writeDicom(ds, { transferSyntax: ExplicitVRLittleEndian }));
    const file = await sourceFile('reserve-cli', path, 'portico');
    const propose = await proposeExactly(join(root, 'reserve-cli.cfg'), [file]);
    const full = await startServe(dir, { args: ['--reserve-mb', '10000000'] });
    try {
      expect(full.stdout()).toMatch(/A700 below 10000000 MB free/);
      const r = await storescu(full.port, [path], { args: propose });
      expect(r.responses, r.output).toEqual([{ path, status: expect.stringMatching(/OutOfResources|Out of Resources|a700/i) }]);
    } finally {
      expect(await full.stop()).toEqual({ code: 0, signal: null });
    }
    let state = await archiveState(dir);
    expect(state.counts.instances).toBe(0);
    expect([...state.storeFiles, ...state.tmpFiles, ...state.errorFiles]).toEqual([]);
    const normal = await startServe(dir);
    try {
      const r = await storescu(normal.port, [path], { args: propose });
      expect(r.succeeded, r.output).toEqual([path]);
    } finally {
      expect(await normal.stop()).toEqual({ code: 0, signal: null });
    }
    state = await archiveState(dir);
    expect(state.instances.map((x) => x.sopInstanceUid)).toEqual([file.sopInstanceUid]);
    expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
  });
});

// -- Connections dropped mid-instance ----------------------------------------------------------------------------

/** A CT dataset whose Pixel Data is `pixelBytes` long, streamed in 1 MiB chunks; `onChunk(n)` after each. */
function streamedCt(pixelBytes: number, onChunk: (n: number) => void): { sopInstance: string; stream: AsyncIterable<Uint8Array> } {
  const ds = smallCt(30);
  ds.delete('PixelData');
  const sopInstance = ds.string('SOPInstanceUID')!;
  const head = datasetBytes(ds);
  const pixelHeader = Buffer.alloc(12);
  pixelHeader.writeUInt16LE(0x7fe0, 0);
  pixelHeader.writeUInt16LE(0x0010, 2);
  pixelHeader.write('OW', 4, 'ascii');
  pixelHeader.writeUInt32LE(pixelBytes, 8);
  async function* stream(): AsyncIterable<Uint8Array> {
    yield Buffer.concat([head, pixelHeader]);
    const chunk = Buffer.alloc(MiB, 0x5a);
    for (let sent = 0, n = 1; sent < pixelBytes; sent += chunk.length, n++) {
      yield chunk.subarray(0, Math.min(chunk.length, pixelBytes - sent));
      onChunk(n);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  return { sopInstance, stream: stream() };
}

describe('a connection dropped in the middle of an instance', () => {
  it('A-ABORT while a 64 MiB dataset streams: nothing in tmp/ or store/ from it, the 3 instances before it stay', async () => {
    const scp = await startScp('abort-mid-stream');
    const before = [smallCt(31), smallCt(32), smallCt(33)];
    const association = await connect(
      { aeTitle: 'PORTICO', host: HOST, port: scp.port },
      { aeTitle: 'ABORTER', contexts: [{ abstractSyntax: CT_IMAGE_STORAGE, transferSyntaxes: [ExplicitVRLittleEndian] }], dimseTimeout: 10_000 },
    );
    const context = association.contextFor(CT_IMAGE_STORAGE)!;
    for (const ds of before) {
      const r = await association.requestOne(context.id, cStoreRq({ messageId: association.newMessageId(), affectedSopClassUid: CT_IMAGE_STORAGE, affectedSopInstanceUid: ds.string('SOPInstanceUID')! }), datasetBytes(ds));
      expect(r.command.status).toBe(SUCCESS);
    }
    let tmpSeen = 0;
    const big = streamedCt(64 * MiB, (n) => {
      if (n === 8) association.abort();
    });
    const sending = association.requestOne(context.id, cStoreRq({ messageId: association.newMessageId(), affectedSopClassUid: CT_IMAGE_STORAGE, affectedSopInstanceUid: big.sopInstance }), big.stream);
    // While it streams, the partial file is in tmp/.
    const watcher = (async () => {
      for (let i = 0; i < 200 && tmpSeen === 0; i++) {
        tmpSeen = (await instanceFilesIn(join(scp.dir, 'tmp'))).length;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await expect(sending).rejects.toThrow();
    await watcher;
    expect(tmpSeen, 'the partial file was in tmp/ while it streamed').toBeGreaterThan(0);
    await waitUntil('the server to discard the partial file', async () => ((await instanceFilesIn(join(scp.dir, 'tmp'))).length === 0 ? true : undefined), 5_000);
    await expectHolds(scp, before.map((d) => d.string('SOPInstanceUID')!), 0);
    expect((await archiveState(scp.dir)).storeFiles).toHaveLength(3);
  });

  it('TCP dropped (no A-ABORT) after one whole instance and part of the next: the first stays, nothing of the second', async () => {
    const scp = await startScp('drop-mid-pdvs');
    const first = smallCt(40);
    const second = smallCt(41, (d) => d.set('PixelData', new Uint8Array(2 * MiB), 'OW'));
    const client = await RawStoreClient.associate(scp.port, CT_IMAGE_STORAGE, ExplicitVRLittleEndian);
    expect(await client.store(1, CT_IMAGE_STORAGE, first.string('SOPInstanceUID')!, datasetBytes(first))).toBe(SUCCESS);
    await client.write(pData(cStoreCommand(3, CT_IMAGE_STORAGE, second.string('SOPInstanceUID')!), true, true));
    const pdus = datasetPdus(datasetBytes(second));
    for (const p of pdus.slice(0, Math.floor(pdus.length / 2))) await client.write(p);
    await waitUntil('the partial file in tmp/', async () => ((await instanceFilesIn(join(scp.dir, 'tmp'))).length > 0 ? true : undefined), 5_000);
    client.destroy();
    await waitUntil('the server to discard the partial file', async () => ((await instanceFilesIn(join(scp.dir, 'tmp'))).length === 0 ? true : undefined), 5_000);
    await expectHolds(scp, [first.string('SOPInstanceUID')!], 0);
    // And the server takes the second one whole afterwards.
    expect(await storeDataset(scp.port, second)).toBe(SUCCESS);
    await expectHolds(scp, [first.string('SOPInstanceUID')!, second.string('SOPInstanceUID')!], 0);
  });

  it('TCP dropped in the middle of an instance before anything was written: nothing of it anywhere, the one before stays', async () => {
    const scp = await startScp('drop-small');
    const first = smallCt(43);
    // Several PDUs, fewer than one write block.
    const second = smallCt(44, (d) => d.set('PixelData', new Uint8Array(200_000), 'OW'));
    const client = await RawStoreClient.associate(scp.port, CT_IMAGE_STORAGE, ExplicitVRLittleEndian);
    expect(await client.store(1, CT_IMAGE_STORAGE, first.string('SOPInstanceUID')!, datasetBytes(first))).toBe(SUCCESS);
    await client.write(pData(cStoreCommand(3, CT_IMAGE_STORAGE, second.string('SOPInstanceUID')!), true, true));
    const pdus = datasetPdus(datasetBytes(second));
    for (const p of pdus.slice(0, Math.max(1, Math.floor(pdus.length / 2)))) await client.write(p);
    client.destroy();
    await waitUntil('the association to end', () => (scp.server.active === 0 ? true : undefined), 5_000);
    const state = await archiveState(scp.dir);
    expect(state.storeFiles).toHaveLength(1);
    expect(state.errorFiles).toEqual([]);
    expect(await instanceFilesIn(join(scp.dir, 'tmp'))).toEqual([]);
    await expectHolds(scp, [first.string('SOPInstanceUID')!], 0);
  });

  it('TCP dropped after the last PDV but before the response: the instance is stored whole or not at all', async () => {
    const scp = await startScp('drop-before-response');
    const ds = smallCt(42);
    const client = await RawStoreClient.associate(scp.port, CT_IMAGE_STORAGE, ExplicitVRLittleEndian);
    await client.write(pData(cStoreCommand(1, CT_IMAGE_STORAGE, ds.string('SOPInstanceUID')!), true, true));
    for (const p of datasetPdus(datasetBytes(ds))) await client.write(p);
    client.destroy();
    await waitUntil('tmp/ empty', async () => ((await instanceFilesIn(join(scp.dir, 'tmp'))).length === 0 ? true : undefined), 5_000);
    await stopScp(scp);
    const state = await archiveState(scp.dir);
    expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
    expect(state.counts.instances).toBeLessThanOrEqual(1);
    if (state.counts.instances === 1) {
      const stored = await readStored(join(scp.dir, state.indexedPaths[0]!));
      expect(firstDifference(stored.datasetBytes, datasetBytes(ds))).toBeUndefined();
    }
  });
});

// -- Duplicates ----------------------------------------------------------------------------------------------------

describe('duplicate SOP Instance UIDs', () => {
  /** The same instance three times: a second copy with another Patient Name, then a copy moved to another study. */
  function copies(): [Dataset, Dataset, Dataset] {
    const first = smallCt(50, (d) => d.set('PatientName', 'First^Copy'));
    const uid = first.string('SOPInstanceUID')!;
    const second = smallCt(51, (d) => {
      d.set('PatientName', 'Second^Copy');
      d.set('SOPInstanceUID', uid);
      d.set('StudyInstanceUID', first.string('StudyInstanceUID')!);
      d.set('SeriesInstanceUID', first.string('SeriesInstanceUID')!);
    });
    const moved = smallCt(52, (d) => {
      d.set('PatientName', 'Third^Copy');
      d.set('SOPInstanceUID', uid);
    });
    return [first, second, moved];
  }
  const pathOf = (ds: Dataset): string => expectedStorePath(ds.string('StudyInstanceUID')!, ds.string('SeriesInstanceUID')!, ds.string('SOPInstanceUID')!);

  it('keep-first: every copy answered success, the first one kept (file and row), no second file', async () => {
    const scp = await startScp('keep-first', { duplicates: 'keep-first' });
    const [first, second, moved] = copies();
    for (const ds of [first, second, moved]) expect(await storeDataset(scp.port, ds)).toBe(SUCCESS);
    const state = await archiveState(scp.dir);
    expect(state.storeFiles).toEqual([pathOf(first)]);
    expect(state.instances).toHaveLength(1);
    expect(state.instances[0]).toMatchObject({ path: pathOf(first), patientName: 'First^Copy', studyInstanceUid: first.string('StudyInstanceUID') });
    const stored = await readStored(join(scp.dir, pathOf(first)));
    expect(firstDifference(stored.datasetBytes, datasetBytes(first))).toBeUndefined();
    expect(state.counts).toMatchObject({ patients: 1, studies: 1, series: 1, instances: 1 });
    expect(state.tmpFiles).toEqual([]);
  });

  /** `n` copies of one SOP Instance UID, each in its own study (or all in one study), each a distinct Patient Name. */
  function racingCopies(n: number, sameStudy: boolean): Dataset[] {
    const uid = newUid();
    const study = newUid();
    const series = newUid();
    return Array.from({ length: n }, (_, i) =>
      smallCt(60 + i, (d) => {
        d.set('SOPInstanceUID', uid);
        d.set('PatientName', `Racer^${i}`);
        if (sameStudy) {
          d.set('StudyInstanceUID', study);
          d.set('SeriesInstanceUID', series);
        }
      }),
    );
  }

  /** The stored file and the index row describe the same copy, and nothing else is on disk. */
  async function expectOneConsistentCopy(scp: Scp, racers: readonly Dataset[]): Promise<void> {
    const state = await archiveState(scp.dir);
    const row = state.instances[0];
    expect({ rows: state.instances.length, inconsistencies: inconsistencies(state), tmp: state.tmpFiles }).toEqual({
      rows: 1,
      inconsistencies: { orphanFiles: [], rowsWithoutFile: [] },
      tmp: [],
    });
    const stored = await readStored(join(scp.dir, row!.path));
    expect(stored.file.dataset.string('PatientName'), `the file at ${row!.path} is the copy the row describes`).toBe(row!.patientName);
    const copy = racers.find((d) => d.string('PatientName') === row!.patientName)!;
    expect(firstDifference(stored.datasetBytes, datasetBytes(copy))).toBeUndefined();
    expect(state.counts).toMatchObject({ studies: 1, series: 1, instances: 1 });
  }

  for (const policy of ['keep-first', 'overwrite'] as const) {
    for (const sameStudy of [false, true]) {
      it(`${policy}, 8 associations at once with the same SOP Instance UID (${sameStudy ? 'same study' : '8 studies'}): one file, its row, no orphan`, async () => {
        const scp = await startScp(`race-${policy}-${sameStudy}`, { duplicates: policy });
        const racers = racingCopies(8, sameStudy);
        const statuses = await Promise.all(racers.map((ds) => storeDataset(scp.port, ds)));
        expect(statuses).toEqual(racers.map(() => SUCCESS));
        await expectOneConsistentCopy(scp, racers);
      });
    }
  }

  it('overwrite: the last copy kept (file and row); moved to another study, the old file is gone', async () => {
    const scp = await startScp('overwrite', { duplicates: 'overwrite' });
    const [first, second, moved] = copies();
    expect(await storeDataset(scp.port, first)).toBe(SUCCESS);
    expect(await storeDataset(scp.port, second)).toBe(SUCCESS);
    let state = await archiveState(scp.dir);
    expect(state.storeFiles).toEqual([pathOf(second)]);
    expect(state.instances[0]).toMatchObject({ path: pathOf(second), patientName: 'Second^Copy' });
    expect(firstDifference((await readStored(join(scp.dir, pathOf(second)))).datasetBytes, datasetBytes(second))).toBeUndefined();
    expect(await storeDataset(scp.port, moved)).toBe(SUCCESS);
    state = await archiveState(scp.dir);
    expect(state.storeFiles).toEqual([pathOf(moved)]);
    expect(state.instances).toHaveLength(1);
    expect(state.instances[0]).toMatchObject({ path: pathOf(moved), patientName: 'Third^Copy', studyInstanceUid: moved.string('StudyInstanceUID') });
    expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
    expect(state.tmpFiles).toEqual([]);
    // The study and series the instance left are empty: they should not be listed any more.
    expect(state.counts).toMatchObject({ studies: 1, series: 1, instances: 1 });
  });
});
