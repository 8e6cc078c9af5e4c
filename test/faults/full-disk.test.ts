/**
 * A real full disk: the archive on a small tmpfs (mounted here; the tests run as root, as CI does). Instances are
 * stored until the file system is full: each answer is Success (the instance is whole on disk and indexed) or A700
 * (nothing of it left anywhere); never a corrupt file. When space returns the server stores again by itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Archive, STORAGE_SOP_CLASSES, STORAGE_TRANSFER_SYNTAXES } from '../../src/archive/archive.js';
import type { Dataset } from '../../src/data/dataset.js';
import { ExplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { connect, type DicomServer, listen } from '../../src/net/ae.js';
import { cStoreRq } from '../../src/net/dimse/c-store.js';
import { storageScp } from '../../src/services/storage/scp.js';
import { CT_IMAGE_STORAGE, ctDataset } from '../interop/net-instances.js';
import { HOST } from '../interop/net-peers.js';
import { tempDir } from '../interop/peers.js';
import { archiveState, inconsistencies, readStored } from '../interop/store-scp-archive.js';

const MiB = 1024 * 1024;
let mountPoint = '';
let removeRoot: (() => Promise<void>) | undefined;
let mounted = false;

beforeAll(async () => {
  const tmp = await tempDir('full-disk');
  removeRoot = tmp.remove;
  mountPoint = join(tmp.dir, 'fs');
  await mkdir(mountPoint);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    mounted = true;
  } catch (error) {
    throw new Error(`this test mounts a 12 MiB tmpfs as the archive's disk and could not (run as root): ${(error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error)}`, { cause: error });
  }
});

afterAll(async () => {
  if (mounted) execFileSync('umount', ['-l', mountPoint]);
  await removeRoot?.();
});

async function store(port: number, ds: Dataset): Promise<number | undefined> {
  const association = await connect(
    { aeTitle: 'PORTICO', host: HOST, port },
    { aeTitle: 'FILLER', contexts: [{ abstractSyntax: CT_IMAGE_STORAGE, transferSyntaxes: [ExplicitVRLittleEndian] }], dimseTimeout: 20_000 },
  );
  try {
    const context = association.contextFor(CT_IMAGE_STORAGE)!;
    const bytes = writeDicom(ds, { transferSyntax: ExplicitVRLittleEndian, part10: false });
    const r = await association.requestOne(context.id, cStoreRq({ messageId: association.newMessageId(), affectedSopClassUid: CT_IMAGE_STORAGE, affectedSopInstanceUid: ds.string('SOPInstanceUID')! }), bytes);
    await association.release();
    return r.command.status;
  } catch (error) {
    association.abort();
    throw error;
  }
}

describe('a full disk', () => {
  it('answers A700 once the disk is full, leaves no partial file, and stores again when space returns', async () => {
    const dir = join(mountPoint, 'archive');
    // No reserve: the file system itself runs out (ENOSPC on a write, or SQLITE_FULL in the index).
    const archive = await Archive.open(dir, { reserveBytes: 0 });
    const filler = join(mountPoint, 'filler.bin');
    let server: DicomServer | undefined;
    try {
      server = await listen({ aeTitle: 'PORTICO', port: 0, host: HOST, services: [storageScp({ sopClasses: STORAGE_SOP_CLASSES, transferSyntaxes: STORAGE_TRANSFER_SYNTAXES, handler: archive.ingest })] });
      // Most of the disk taken by something else.
      await writeFile(filler, new Uint8Array(7 * MiB));
      const statuses: number[] = [];
      const sent = new Map<string, Dataset>();
      for (let i = 0; i < 12 && !statuses.includes(0xa700); i++) {
        const ds = ctDataset(i + 1, 512, 512); // 0.5 MiB of pixels
        sent.set(ds.string('SOPInstanceUID')!, ds);
        statuses.push((await store(server.port, ds))!);
      }
      expect(statuses.filter((s) => s === 0).length).toBeGreaterThan(0);
      expect(statuses.at(-1)).toBe(0xa700);
      expect(statuses.every((s) => s === 0 || s === 0xa700)).toBe(true);
      // Every Success is whole and indexed; nothing of the refused ones anywhere.
      const state = await archiveState(dir);
      const stored = sent.size - 1;
      expect(state.counts.instances).toBe(stored);
      expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
      expect(state.tmpFiles).toEqual([]);
      for (const path of state.indexedPaths) {
        const file = await readStored(join(dir, path));
        expect(file.datasetBytes.length).toBeGreaterThan(512 * 512 * 2);
      }
      // Space returns: the same server stores again, without a restart.
      await rm(filler);
      const again = ctDataset(99, 512, 512);
      expect(await store(server.port, again)).toBe(0);
      expect((await archiveState(dir)).counts.instances).toBe(stored + 1);
    } finally {
      await server?.close(500);
      await archive.close();
    }
  });
});
