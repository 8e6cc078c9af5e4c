import { describe, expect, it } from 'vitest';
import { DimseDecodeError } from '../../core/errors.js';
import { collectDataset, DatasetCollector } from './dataset-collector.js';

describe('DatasetCollector and collectDataset', () => {
  it('join chunks and copy them', () => {
    const collector = new DatasetCollector(100);
    const scratch = Buffer.from('abc');
    collector.add(scratch);
    scratch.fill(0);
    collector.add(Buffer.from('de'));
    expect(collector.length).toBe(5);
    expect(Buffer.from(collector.finish()).toString()).toBe('abcde');
    expect(collector.length).toBe(0);
  });

  it('accept exactly the cap and refuse one byte more', async () => {
    expect((await collectDataset([new Uint8Array(60), new Uint8Array(40)], 100)).length).toBe(100);
    await expect(collectDataset([new Uint8Array(60), new Uint8Array(41)], 100)).rejects.toThrow(DimseDecodeError);
  });

  it('grow past the initial capacity', async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 50; i++) yield new Uint8Array(5000).fill(i);
    }
    const out = await collectDataset(chunks(), 1 << 20);
    expect(out.length).toBe(250_000);
    expect(out[4999]).toBe(0);
    expect(out[5000]).toBe(1);
    expect(out[249_999]).toBe(49);
  });

  it('hold a small data set in memory of its own size (no fresh 64 KiB per message), each result its own', () => {
    const collector = new DatasetCollector(1 << 20);
    collector.add(new Uint8Array(300).fill(1));
    const first = collector.finish();
    collector.add(new Uint8Array(200).fill(2));
    const second = collector.finish();
    expect(first.byteLength).toBe(300);
    // A slice of Node's small-buffer pool (8 KiB), not an ArrayBuffer of 64 KiB zeroed for 300 bytes.
    expect(first.buffer.byteLength).toBeLessThanOrEqual(8192);
    expect(first.every((b) => b === 1)).toBe(true);
    expect(second.every((b) => b === 2)).toBe(true);
  });
});
