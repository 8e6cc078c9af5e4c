import { describe, expect, it } from 'vitest';
import { StreamFeeder } from './byte-feeder.js';

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
