/**
 * Issue 4: "A 2 GB instance: received with the server's RSS under 300 MB, stored byte-identical." A multi-frame CT
 * (1000 frames of 1024 × 1024 × 16 bit: 2,097,152,000 bytes of Pixel Data) is generated on disk by streaming (a
 * Portico-written header, then the Pixel Data element in 4 MiB blocks of a numbered pseudo-random pattern, hashed as
 * written), sent by DCMTK `storescu` to `portico serve`; the serve process's peak RSS (VmHWM) is read from /proc,
 * and the stored file's dataset is hashed by streaming.
 *
 * It needs about 4.2 GB of free disk (checked first) and took about 21 s here (generate 6 s, send 10 s, hash 3 s).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicom, readFile } from '../../src/encoding/read.js';
import { ExplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { ctDataset } from '../interop/net-instances.js';
import { assertPorticoBuilt } from '../interop/net-peers.js';
import { ensurePeers, tempDir } from '../interop/peers.js';
import { archiveState, expectedStorePath, hashFile, inconsistencies } from '../interop/store-scp-archive.js';
import { proposeExactly, storescu } from '../interop/store-scp-corpus.js';
import { peakRss, type Serve, startServe } from '../interop/store-scp-serve.js';

const FRAMES = 1000;
const ROWS = 1024;
const COLUMNS = 1024;
const PIXEL_BYTES = FRAMES * ROWS * COLUMNS * 2;
const BLOCK = 4 * 1024 * 1024;
const MB = 1024 * 1024;
const RSS_LIMIT = 300 * MB;

let removeWork: (() => Promise<void>) | undefined;
let server: Serve | undefined;

afterAll(async () => {
  await server?.stop(10_000).catch(() => undefined);
  await removeWork?.();
});

interface Generated {
  readonly path: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** SHA-256 and length of the dataset (everything after the File Meta Information). */
  readonly datasetSha256: string;
  readonly datasetBytes: number;
}

/** Writes the big instance to `path` block by block (never more than one block in memory). */
async function generate(path: string): Promise<Generated> {
  const ds = ctDataset(1, ROWS, COLUMNS);
  ds.delete('PixelData');
  ds.set('NumberOfFrames', String(FRAMES));
  ds.set('FrameIncrementPointer', [0x00180050], 'AT');
  const header = writeDicom(ds, { transferSyntax: ExplicitVRLittleEndian });
  const metaEnd = readDicom(header).datasetOffset;
  const pixelHeader = Buffer.alloc(12);
  pixelHeader.writeUInt16LE(0x7fe0, 0);
  pixelHeader.writeUInt16LE(0x0010, 2);
  pixelHeader.write('OW', 4, 'ascii');
  pixelHeader.writeUInt32LE(PIXEL_BYTES, 8);
  const hash = createHash('sha256');
  const pattern = randomBytes(BLOCK);
  const handle = await open(path, 'w');
  try {
    let datasetBytes = 0;
    const put = async (bytes: Uint8Array, inDataset: boolean): Promise<void> => {
      await handle.write(bytes);
      if (inDataset) {
        hash.update(bytes);
        datasetBytes += bytes.length;
      }
    };
    await put(header.subarray(0, metaEnd), false);
    await put(header.subarray(metaEnd), true);
    await put(pixelHeader, true);
    for (let written = 0, n = 0; written < PIXEL_BYTES; written += BLOCK, n++) {
      // Each block numbered: a block out of place or repeated changes the hash.
      pattern.writeUInt32LE(n, 0);
      await put(pattern.subarray(0, Math.min(BLOCK, PIXEL_BYTES - written)), true);
    }
    return {
      path,
      sopInstanceUid: ds.string('SOPInstanceUID')!,
      studyInstanceUid: ds.string('StudyInstanceUID')!,
      seriesInstanceUid: ds.string('SeriesInstanceUID')!,
      datasetSha256: hash.digest('hex'),
      datasetBytes,
    };
  } finally {
    await handle.close();
  }
}

describe('a 2 GB instance', () => {
  it('storescu → portico serve: peak RSS under 300 MB, stored byte-identical', async () => {
    ensurePeers('storescu');
    assertPorticoBuilt();
    const tmp = await tempDir('big-instance');
    removeWork = tmp.remove;
    const fs = await statfs(tmp.dir);
    const free = Number(fs.bavail) * Number(fs.bsize);
    expect(free, 'free disk space for the source and the stored copy').toBeGreaterThan(2 * PIXEL_BYTES + 512 * MB);
    const times: Record<string, number> = {};
    let t = Date.now();
    const big = await generate(join(tmp.dir, 'big.dcm'));
    times.generate = Date.now() - t;

    await mkdir(join(tmp.dir, 'data'));
    server = await startServe(join(tmp.dir, 'data'));
    const rssAtStart = await peakRss(server.pid);
    const propose = await proposeExactly(join(tmp.dir, 'big.cfg'), [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', transferSyntax: ExplicitVRLittleEndian }]);
    t = Date.now();
    const r = await storescu(server.port, [big.path], { aet: 'BIG_SCU', args: [...propose, '-pdu', '131072'], timeoutMs: 600_000 });
    times.send = Date.now() - t;
    const rss = await peakRss(server.pid);
    expect(r.succeeded, r.output.slice(-2000)).toEqual([big.path]);
    expect(await server.stop(10_000)).toEqual({ code: 0, signal: null });

    const stored = join(tmp.dir, 'data', expectedStorePath(big.studyInstanceUid, big.seriesInstanceUid, big.sopInstanceUid));
    const head = await readFile(stored, { stopBeforePixels: true });
    expect(head.meta.string(0x00020010)).toBe(ExplicitVRLittleEndian);
    t = Date.now();
    const got = await hashFile(stored, head.datasetOffset);
    times.hash = Date.now() - t;
    expect(got.bytes).toBe(big.datasetBytes);
    expect(got.sha256).toBe(big.datasetSha256);
    const state = await archiveState(join(tmp.dir, 'data'));
    expect(state.instances).toHaveLength(1);
    expect(state.instances[0]!.size).toBe((await stat(stored)).size);
    expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
    expect(state.tmpFiles).toEqual([]);
    console.info(
      `2 GB instance: ${(big.datasetBytes / 1e9).toFixed(2)} GB; generate ${times.generate} ms, storescu → portico ${times.send} ms ` +
        `(${(big.datasetBytes / MB / (times.send / 1000)).toFixed(0)} MiB/s), hash ${times.hash} ms; serve VmHWM ${(rss / MB).toFixed(0)} MiB (${(rssAtStart / MB).toFixed(0)} MiB at start)`,
    );
    expect(rss).toBeLessThan(RSS_LIMIT);
  }, 900_000);
});
