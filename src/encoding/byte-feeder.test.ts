import { describe, expect, it } from 'vitest';
import { open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileFeeder, StreamFeeder } from './byte-feeder.js';

async function* chunks(count: number, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < count; i++) yield new Uint8Array(size).fill(i & 0xff);
}

describe('StreamFeeder', () => {
  it('drops the chunks before the position it is asked for while it reads up to it (a skipped value is never held)', async () => {
    const feeder = new StreamFeeder(chunks(100, 65536));
    await feeder.fill(0, 8);
    const window = await feeder.fill(99 * 65536 + 10, 8);
    expect(window.buf.length).toBeLessThanOrEqual(65536);
    expect(window.start).toBe(99 * 65536);
    expect(window.buf[10]).toBe(99);
    expect(window.eof).toBe(false);
  });

  it('joins the chunks a value spans, from the requested position on', async () => {
    const feeder = new StreamFeeder(chunks(4, 10));
    const window = await feeder.fill(15, 20);
    expect(window.start).toBe(10);
    expect(window.buf.length).toBe(30);
    expect([...window.buf.subarray(5, 25)]).toEqual([...new Array<number>(5).fill(1), ...new Array<number>(10).fill(2), ...new Array<number>(5).fill(3)]);
  });
});

describe('FileFeeder', () => {
  it('reads little first (a header) and more with each read, up to its chunk size', async () => {
    const path = join(tmpdir(), `portico-feeder-${process.pid}.bin`);
    await writeFile(path, new Uint8Array(2 << 20));
    const handle = await open(path, 'r');
    try {
      const feeder = new FileFeeder(handle, 2 << 20);
      const sizes: number[] = [];
      let pos = 0;
      for (let i = 0; i < 6; i++) {
        const w = await feeder.fill(pos, 8);
        sizes.push(w.buf.length);
        pos = w.start + w.buf.length;
      }
      expect(sizes).toEqual([16384, 32768, 65536, 131072, 262144, 262144]);
      // A value larger than the chunk is read whole.
      expect((await feeder.fill(pos, 300_000)).buf.length).toBe(300_000);
    } finally {
      await handle.close();
      await rm(path);
    }
  });
});
