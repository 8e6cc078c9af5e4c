import { mkdtemp, open, readdir, readFile as fsReadFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DicomValueError } from '../core/errors.js';
import { FileDescriptor, FileStore, type TempFile } from './file-store.js';

let dir: string;
/** Every FileStore a test makes, closed after it: they keep folder descriptors open (DirSync). */
const made: FileStore[] = [];
const store = (folder: string, reserveBytes?: number): FileStore => {
  const files = new FileStore(folder, reserveBytes);
  made.push(files);
  return files;
};
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-files-'));
});
afterEach(async () => {
  await Promise.all(made.splice(0).map((f) => f.close()));
  await rm(dir, { recursive: true, force: true });
});

/**
 * Writes `count` pieces of 64 KiB, letting the background writes run between them, and returns the error a write
 * reported (undefined if none did): a failure in the background surfaces at the next write.
 */
async function writeUntilError(temp: TempFile, count: number): Promise<unknown> {
  try {
    for (let i = 0; i < count; i++) {
      await temp.write(new Uint8Array(65536));
      await new Promise((r) => setImmediate(r));
    }
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('FileStore', () => {
  it('lays files out as store/<2 hex>/<study>/<series>/<sop>.dcm', () => {
    const path = store(dir).relativePath('1.2.3', '1.2.3.4', '1.2.3.4.5');
    expect(path).toMatch(/^store\/[0-9a-f]{2}\/1\.2\.3\/1\.2\.3\.4\/1\.2\.3\.4\.5\.dcm$/);
  });

  it('never lets a hostile UID reach a path', () => {
    const files = store(dir);
    for (const bad of ['../../x', '/etc/passwd', '1.2.3\0', '1.2.abc', `1.${'2'.repeat(70)}`, '', '1..2', '01.2']) {
      expect(() => files.relativePath(bad, '1.2', '1.2.3')).toThrow(DicomValueError);
      expect(() => files.relativePath('1.2', '1.2', bad)).toThrow(DicomValueError);
    }
    expect(() => files.absolute('../outside.dcm')).toThrow(DicomValueError);
  });

  it('empties tmp/ on start, and commits a temporary file durably into place', async () => {
    const files = store(dir, 0);
    await files.init();
    await writeFile(join(files.tmpDir, 'left-over.part'), 'partial');
    await files.init();
    expect(await readdir(files.tmpDir)).toEqual([]);
    const temp = await files.createTemp();
    await temp.write(new Uint8Array([1, 2, 3]));
    await temp.write(new Uint8Array(2 << 20));
    await temp.sync();
    const rel = files.relativePath('1.2', '1.2.3', '1.2.3.4');
    await files.commit(temp, rel);
    const bytes = await fsReadFile(files.absolute(rel));
    expect(bytes.length).toBe(3 + (2 << 20));
    expect([...bytes.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect(await readdir(files.tmpDir)).toEqual([]);
  });

  it('moves invalid instances to error/ under a generated name, and discards leave nothing', async () => {
    const files = store(dir, 0);
    await files.init();
    const bad = await files.createTemp();
    await bad.write(new Uint8Array([9]));
    const kept = await files.keepAsError(bad);
    expect(kept.startsWith(files.errorDir)).toBe(true);
    expect(await readdir(files.errorDir)).toHaveLength(1);
    const gone = await files.createTemp();
    await gone.write(new Uint8Array([1]));
    await gone.discard();
    expect(await readdir(files.tmpDir)).toEqual([]);
  });

  it('opens the next temporary file ahead of time: createTemp takes it, close() removes one not taken', async () => {
    const files = store(dir, 0);
    await files.init();
    await files.prepareTemp();
    const [spare] = await readdir(files.tmpDir);
    expect(spare).toMatch(/\.part$/);
    // Asked again while one waits: still one.
    await files.prepareTemp();
    expect(await readdir(files.tmpDir)).toEqual([spare]);
    const taken = await files.createTemp();
    expect(taken.path).toBe(join(files.tmpDir, spare!));
    await files.prepareTemp();
    const next = (await readdir(files.tmpDir)).filter((n) => n !== spare);
    expect(next).toHaveLength(1);
    await files.close();
    expect(await readdir(files.tmpDir)).toEqual([spare]);
    await taken.discard();
    expect(await readdir(files.tmpDir)).toEqual([]);
    // Closed: nothing more is opened ahead.
    await files.prepareTemp();
    expect(await readdir(files.tmpDir)).toEqual([]);
  });

  it('does not use a spare that could not be opened: createTemp opens a file now', async () => {
    const files = store(dir, 0);
    await files.init();
    await rm(files.tmpDir, { recursive: true });
    await files.prepareTemp();
    await files.init();
    const temp = await files.createTemp();
    expect(await readdir(files.tmpDir)).toEqual([temp.path.slice(files.tmpDir.length + 1)]);
    await temp.discard();
    // And with tmp/ still gone, the error of the open made now is what createTemp reports.
    await rm(files.tmpDir, { recursive: true });
    await files.prepareTemp();
    await expect(files.createTemp()).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports whether the reserve of free space is there', async () => {
    expect(await store(dir, 0).hasSpace()).toBe(true);
    expect(await store(dir, Number.MAX_SAFE_INTEGER).hasSpace()).toBe(false);
  });

  it('creates a remembered folder again when it was removed meanwhile', async () => {
    const files = store(dir, 0);
    await files.init();
    const first = await files.createTemp();
    await first.sync();
    const rel = files.relativePath('1.2', '1.2.3', '1.2.3.4');
    await files.commit(first, rel);
    await rm(join(files.storeDir), { recursive: true });
    const second = await files.createTemp();
    await second.sync();
    await files.commit(second, files.relativePath('1.2', '1.2.3', '1.2.3.5'));
    expect(await readdir(join(files.absolute(rel), '..'))).toEqual(['1.2.3.5.dcm']);
  });

  it('shares folder fsyncs between files landing in one folder at once, and keeps few folder descriptors open', async () => {
    const files = store(dir, 0);
    await files.init();
    const probe = await open(dir, 'r');
    const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const syncs = vi.spyOn(proto, 'sync');
    try {
      const fdsBefore = (await readdir('/proc/self/fd')).length;
      const temps = await Promise.all(Array.from({ length: 20 }, () => files.createTemp()));
      await Promise.all(temps.map((t) => t.sync()));
      const fileSyncs = syncs.mock.calls.length;
      await Promise.all(temps.map((t, i) => files.commit(t, files.relativePath('1.2', '1.2.3', `1.2.3.${i + 1}`))));
      const dirSyncs = syncs.mock.calls.length - fileSyncs;
      // Each of the 20 renames is covered by a folder fsync that started after it, but far fewer than 20 ran.
      expect(dirSyncs).toBeGreaterThanOrEqual(1);
      expect(dirSyncs).toBeLessThan(20);
      expect(await readdir(join(files.absolute(files.relativePath('1.2', '1.2.3', '1.2.3.1')), '..'))).toHaveLength(20);
      // 60 series folders: at most 32 descriptors stay open, and none after close().
      for (let i = 0; i < 60; i++) {
        const t = await files.createTemp();
        await t.sync();
        await files.commit(t, files.relativePath('1.2', `1.2.4.${i + 1}`, '1.2.5'));
      }
      expect((await readdir('/proc/self/fd')).length - fdsBefore).toBeLessThanOrEqual(32 + 4);
      await files.close();
      expect((await readdir('/proc/self/fd')).length - fdsBefore).toBeLessThanOrEqual(4);
    } finally {
      syncs.mockRestore();
    }
  });

  it('writes a temporary file in the background as it grows, and reports a write error on sync', async () => {
    const files = store(dir, 0);
    await files.init();
    const temp = await files.createTemp();
    for (let i = 0; i < 16; i++) await temp.write(new Uint8Array(65536).fill(i));
    await new Promise((r) => setTimeout(r, 50));
    expect((await stat(temp.path)).size).toBeGreaterThanOrEqual(768 * 1024);
    await temp.write(new Uint8Array(10).fill(99));
    await temp.sync();
    const bytes = await fsReadFile(temp.path);
    expect(bytes.length).toBe(16 * 65536 + 10);
    expect(bytes[15 * 65536]).toBe(15);
    expect(bytes[bytes.length - 1]).toBe(99);
    await temp.discard();
    const broken = await files.createTemp();
    await broken.handle.close();
    await broken.write(new Uint8Array(300_000));
    await expect(broken.sync()).rejects.toThrow();
    await broken.discard();
    expect(await readdir(files.tmpDir)).toEqual([]);
  });

  it('fails a file whose write comes back short, and leaves nothing behind', async () => {
    const files = store(dir, 0);
    await files.init();
    const temp = await files.createTemp();
    // A regular file is written short when the disk fills up half-way through a block.
    vi.spyOn(temp.handle, 'writev').mockResolvedValueOnce({ bytesWritten: 1000 });
    expect(String(await writeUntilError(temp, 8))).toMatch(/short write: 1000 of 262144 bytes/);
    await expect(temp.sync()).rejects.toThrow(/short write/);
    await temp.discard();
    expect(await readdir(files.tmpDir)).toEqual([]);
  });

  it('never opens a temporary file that already exists', async () => {
    const files = store(dir, 0);
    await files.init();
    const temp = await files.createTemp();
    await expect(FileDescriptor.create(temp.path)).rejects.toMatchObject({ code: 'EEXIST' });
    await temp.discard();
  });

  it('fdatasyncs a large file in steps while it is written, and reports a failed step on sync', async () => {
    const files = store(dir, 0);
    await files.init();
    const temp = await files.createTemp();
    const datasync = vi.spyOn(temp.handle, 'datasync');
    // 20 MiB in 64 KiB pieces: a step every 4 MiB written, beside the writes.
    for (let i = 0; i < 320; i++) await temp.write(new Uint8Array(65536).fill(i & 0xff));
    await new Promise((r) => setTimeout(r, 100));
    const during = datasync.mock.calls.length;
    expect(during).toBeGreaterThanOrEqual(2);
    await temp.sync();
    expect(datasync.mock.calls.length).toBeGreaterThan(during);
    const bytes = await fsReadFile(temp.path);
    expect(bytes.length).toBe(20 * 1024 * 1024);
    expect(bytes[319 * 65536]).toBe(319 & 0xff);
    await temp.discard();
    // A step that fails fails the file: the next write or sync() reports it, nothing is acknowledged.
    const failing = await files.createTemp();
    vi.spyOn(failing.handle, 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    expect(String(await writeUntilError(failing, 160))).toMatch(/EIO/);
    await expect(failing.sync()).rejects.toThrow(/EIO/);
    await failing.discard();
    expect(await readdir(files.tmpDir)).toEqual([]);
  });
});
