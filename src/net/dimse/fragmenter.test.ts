import { describe, expect, it } from 'vitest';
import { DicomEncodeError } from '../../core/errors.js';
import type { Pdv } from '../pdu/types.js';
import { maxPdvData, NO_LIMIT_PDV_DATA, pdvsFor, pdvsForStream } from './fragmenter.js';

const pattern = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
const join = (pdvs: readonly Pdv[]): Buffer => Buffer.concat(pdvs.map((p) => p.data));
const collect = async (it: AsyncIterable<Pdv>): Promise<Pdv[]> => {
  const out: Pdv[] = [];
  for await (const p of it) out.push(p);
  return out;
};
async function* chunked(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield bytes.subarray(offset, offset + n);
    offset += n;
  }
}

describe('maxPdvData', () => {
  it('leaves 6 bytes of the Maximum Length for the PDV item length, context ID and header', () => {
    expect(maxPdvData(16384)).toBe(16378);
    expect(maxPdvData(7)).toBe(1);
    expect(maxPdvData(0)).toBe(NO_LIMIT_PDV_DATA);
  });

  it('rejects a Maximum Length with no room for data or out of range', () => {
    for (const bad of [1, 6, -1, 1.5, 2 ** 32, Number.NaN]) expect(() => maxPdvData(bad)).toThrow(DicomEncodeError);
  });
});

describe('pdvsFor', () => {
  it('cuts to at most maxPduLength - 6 bytes per PDV, marks only the last, and copies nothing', () => {
    const bytes = pattern(50_000);
    const pdvs = [...pdvsFor(3, false, bytes, 16384)];
    expect(pdvs.map((p) => p.data.length)).toEqual([16378, 16378, 16378, 866]);
    expect(pdvs.map((p) => p.isLast)).toEqual([false, false, false, true]);
    expect(pdvs.every((p) => p.contextId === 3 && !p.isCommand)).toBe(true);
    expect(pdvs.every((p) => p.data.buffer === bytes.buffer)).toBe(true);
    expect(join(pdvs).equals(bytes)).toBe(true);
  });

  it('gives one PDV when the message fits exactly', () => {
    const pdvs = [...pdvsFor(1, true, pattern(16378), 16384)];
    expect(pdvs).toHaveLength(1);
    expect(pdvs[0]!.isLast).toBe(true);
    expect(pdvs[0]!.isCommand).toBe(true);
  });

  it('gives one empty last PDV for a zero-length message', () => {
    expect([...pdvsFor(5, false, new Uint8Array(0), 16384)]).toEqual([{ contextId: 5, isCommand: false, isLast: true, data: new Uint8Array(0) }]);
  });

  it('uses NO_LIMIT_PDV_DATA pieces when the peer sets no limit', () => {
    const pdvs = [...pdvsFor(1, false, pattern(NO_LIMIT_PDV_DATA + 10), 0)];
    expect(pdvs.map((p) => p.data.length)).toEqual([NO_LIMIT_PDV_DATA, 10]);
  });
});

describe('pdvsForStream', () => {
  it('re-cuts odd chunk sizes into full PDVs and marks only the last', async () => {
    const bytes = pattern(10_000);
    const pdvs = await collect(pdvsForStream(1, false, chunked(bytes, [1, 333, 4099, 7, 1000]), 1030));
    expect(pdvs.slice(0, -1).every((p) => p.data.length === 1024 && !p.isLast)).toBe(true);
    expect(pdvs.at(-1)!.isLast).toBe(true);
    expect(pdvs.at(-1)!.data.length).toBe(10_000 % 1024);
    expect(join(pdvs).equals(bytes)).toBe(true);
  });

  it('marks a full final PDV last without sending an empty one after it', async () => {
    const bytes = pattern(3 * 1024);
    const pdvs = await collect(pdvsForStream(1, false, chunked(bytes, [500]), 1030));
    expect(pdvs.map((p) => [p.data.length, p.isLast])).toEqual([[1024, false], [1024, false], [1024, true]]);
  });

  it('passes whole PDVs of large chunks as subarrays of the chunk', async () => {
    const bytes = pattern(5000);
    const pdvs = await collect(pdvsForStream(1, false, [bytes], 1030));
    expect(pdvs.map((p) => p.data.length)).toEqual([1024, 1024, 1024, 1024, 904]);
    expect(pdvs.slice(0, 4).every((p) => p.data.buffer === bytes.buffer)).toBe(true);
    expect(join(pdvs).equals(bytes)).toBe(true);
  });

  it('skips empty chunks and gives one empty last PDV for an empty stream', async () => {
    expect(await collect(pdvsForStream(1, false, [], 1030))).toEqual([{ contextId: 1, isCommand: false, isLast: true, data: new Uint8Array(0) }]);
    const pdvs = await collect(pdvsForStream(1, false, [new Uint8Array(0), pattern(10), new Uint8Array(0)], 1030));
    expect(pdvs.map((p) => [p.data.length, p.isLast])).toEqual([[10, true]]);
  });

  it('holds at most one PDV: each is yielded before the source is read past the next PDV', async () => {
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100; i++) {
        produced += 100;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield pattern(100);
      }
    }
    for await (const p of pdvsForStream(1, false, source(), 1030)) consumed += p.data.length;
    expect(consumed).toBe(10_000);
    expect(maxAhead).toBeLessThanOrEqual(2 * 1024 + 100);
  });
});
