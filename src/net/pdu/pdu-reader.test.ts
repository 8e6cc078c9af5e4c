import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PduDecodeError } from '../../core/errors.js';
import { encodePdu } from './pdu-codec.js';
import { PduReader } from './pdu-reader.js';
import { encodePDataTf } from './p-data-tf.js';
import { type Pdu, type Pdv, PduType } from './types.js';
import { thrownBy } from '../../../test/support/thrown.js';

const errorOf = (run: () => unknown): PduDecodeError => thrownBy(PduDecodeError, run);

/**
 * Decoded PDV data are views of (Buffer) input, and a PDV that straddles two chunks comes out as two fragments: compare
 * PDUs as plain Uint8Arrays with consecutive fragments of one message (same context and kind, the first not last) merged.
 */
function plain(pdus: Pdu[]): Pdu[] {
  return pdus.map((pdu) => {
    if (pdu.type !== PduType.P_DATA_TF) return pdu;
    const pdvs: Pdv[] = [];
    for (const v of pdu.pdvs) {
      const before = pdvs.at(-1);
      if (before && !before.isLast && before.contextId === v.contextId && before.isCommand === v.isCommand) {
        pdvs[pdvs.length - 1] = { ...v, data: concat([before.data, v.data]) };
      } else {
        pdvs.push({ ...v, data: new Uint8Array(v.data) });
      }
    }
    return { ...pdu, pdvs };
  });
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A whole association's worth of PDUs, as one peer would see them. */
const CONVERSATION: Pdu[] = [
  {
    type: PduType.A_ASSOCIATE_RQ,
    protocolVersion: 1,
    calledAeTitle: 'ANY-SCP',
    callingAeTitle: 'STORESCU',
    applicationContext: '1.2.840.10008.3.1.1.1',
    presentationContexts: [
      { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
      { id: 3, abstractSyntax: '1.2.840.10008.5.1.4.1.1.7', transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] },
    ],
    userInformation: { maxPduLength: 16384, implementationClassUid: '1.2.3.4', userIdentityRq: { type: 1, positiveResponseRequested: false, primaryField: Uint8Array.of(0x61), secondaryField: new Uint8Array(0) } },
  },
  {
    type: PduType.A_ASSOCIATE_AC,
    protocolVersion: 1,
    calledAeTitle: 'ANY-SCP',
    callingAeTitle: 'STORESCU',
    applicationContext: '1.2.840.10008.3.1.1.1',
    presentationContexts: [
      { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' },
      { id: 3, result: 4, transferSyntax: '' },
    ],
    userInformation: { maxPduLength: 0 },
  },
  { type: PduType.P_DATA_TF, pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: Uint8Array.from({ length: 70 }, (_, i) => i) }] },
  {
    type: PduType.P_DATA_TF,
    pdvs: [
      { contextId: 3, isCommand: false, isLast: false, data: new Uint8Array(5000).fill(7) },
      { contextId: 3, isCommand: false, isLast: true, data: new Uint8Array(0) },
    ],
  },
  { type: PduType.A_ASSOCIATE_RJ, result: 2, source: 3, reason: 1 },
  { type: PduType.A_RELEASE_RQ },
  { type: PduType.A_RELEASE_RP },
  { type: PduType.A_ABORT, source: 0, reason: 0 },
];
const STREAM = concat(CONVERSATION.map(encodePdu));

/** Feeds `stream` cut at `cuts` (sorted offsets) and returns every PDU, checking the buffered bound as it goes. */
function feed(stream: Uint8Array, cuts: number[], reader = new PduReader()): Pdu[] {
  const out: Pdu[] = [];
  let from = 0;
  for (const to of [...cuts, stream.length]) {
    out.push(...reader.push(stream.subarray(from, to)));
    expect(reader.buffered).toBeLessThanOrEqual(64 * 1024 + 6);
    from = to;
  }
  expect(reader.buffered).toBe(0);
  return out;
}

describe('PduReader', () => {
  it('reads a stream given in one chunk', () => {
    expect(plain(feed(STREAM, []))).toEqual(plain(CONVERSATION));
  });

  it('reads the same PDUs when fed one byte at a time', () => {
    expect(plain(feed(STREAM, Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1)))).toEqual(plain(CONVERSATION));
  });

  it('reads the same PDUs for any chunking', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 40 }), (cuts) => {
        expect(plain(feed(STREAM, cuts.sort((a, b) => a - b)))).toEqual(plain(CONVERSATION));
      }),
      { numRuns: 300 },
    );
  });

  it('reassembles a large PDU from pieces of every size (tiny pieces staged, large ones kept as views)', () => {
    const data = Uint8Array.from({ length: 60_000 }, (_, i) => (i * 7) & 0xff);
    const pdu = encodePDataTf(3, false, true, data);
    const stream = concat([pdu, encodePdu({ type: PduType.A_RELEASE_RQ }), pdu]);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 900, max: 5000 })), { minLength: 1, maxLength: 200 }), (sizes) => {
        const reader = new PduReader();
        const out: Pdu[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const size = sizes[i % sizes.length]!;
          out.push(...reader.push(stream.subarray(at, at + size)));
          at += size;
        }
        expect(out.map((p) => p.type)).toEqual([4, 5, 4]);
        for (const p of plain([out[0]!, out[2]!]) as Extract<Pdu, { type: 4 }>[]) expect(p.pdvs).toEqual([{ contextId: 3, isCommand: false, isLast: true, data }]);
      }),
      { numRuns: 60 },
    );
    expect(plain(feed(pdu, Array.from({ length: pdu.length - 1 }, (_, i) => i + 1), new PduReader()))[0]).toMatchObject({ type: 4 });
  });

  it('holds the partial tail and reports it as buffered', () => {
    const reader = new PduReader();
    const release = encodePdu({ type: PduType.A_RELEASE_RQ });
    expect(reader.push(release.subarray(0, 3))).toEqual([]);
    expect(reader.buffered).toBe(3);
    expect(reader.push(release.subarray(3, 8))).toEqual([]);
    expect(reader.buffered).toBe(8);
    expect(reader.push(Uint8Array.of(...release.subarray(8), ...release.subarray(0, 6)))).toEqual([{ type: PduType.A_RELEASE_RQ }]);
    expect(reader.buffered).toBe(6);
    expect(reader.push(release.subarray(6))).toEqual([{ type: PduType.A_RELEASE_RQ }]);
    expect(reader.buffered).toBe(0);
    expect(reader.push(new Uint8Array(0))).toEqual([]);
  });

  it('decodes PDUs that sit inside one chunk from views of it (zero copy)', () => {
    const chunk = Buffer.concat([encodePDataTf(1, true, true, Uint8Array.of(1, 2)), encodePDataTf(3, false, true, Uint8Array.of(3, 4, 5))]);
    const [a, b] = new PduReader().push(chunk) as [Extract<Pdu, { type: 4 }>, Extract<Pdu, { type: 4 }>];
    expect(a.pdvs[0]!.data.buffer).toBe(chunk.buffer);
    expect(a.pdvs[0]!.data.byteOffset).toBe(chunk.byteOffset + 12);
    expect(b.pdvs[0]!.data.byteOffset).toBe(chunk.byteOffset + 14 + 12);
  });

  it('decodes a P-DATA-TF that spans chunks from views of them: a PDV across two comes out as two fragments', () => {
    const data = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 13) & 0xff);
    const stream = Buffer.concat([encodePDataTf({ type: PduType.P_DATA_TF, pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: Uint8Array.of(9, 9) }, { contextId: 3, isCommand: false, isLast: true, data }] })]);
    const chunks = [stream.subarray(0, 30_000), stream.subarray(30_000, 65_536), stream.subarray(65_536)].map((c) => Buffer.from(c));
    const reader = new PduReader({ maxPDataLength: 128 * 1024 });
    const out = chunks.flatMap((c) => reader.push(c)) as Extract<Pdu, { type: 4 }>[];
    expect(out).toHaveLength(1);
    const pdvs = out[0]!.pdvs;
    expect(pdvs.map((v) => [v.contextId, v.isCommand, v.isLast, v.data.length])).toEqual([
      [1, true, true, 2],
      [3, false, false, 30_000 - 6 - 6 - 2 - 6],
      [3, false, false, 65_536 - 30_000],
      [3, false, true, stream.length - 65_536],
    ]);
    // Each fragment is a view of the chunk it arrived in, not a copy.
    expect(pdvs[1]!.data.buffer).toBe(chunks[0]!.buffer);
    expect(pdvs[2]!.data.buffer).toBe(chunks[1]!.buffer);
    expect(pdvs[3]!.data.buffer).toBe(chunks[2]!.buffer);
    expect(concat(pdvs.slice(1).map((v) => v.data))).toEqual(data);
  });

  it('counts the PDV items of the PDU as sent against maxItems, not the fragments they are cut into', () => {
    const stream = encodePDataTf({ type: PduType.P_DATA_TF, pdvs: [{ contextId: 3, isCommand: false, isLast: false, data: new Uint8Array(5000) }, { contextId: 3, isCommand: false, isLast: true, data: new Uint8Array(5000) }] });
    const reader = new PduReader({ maxItems: 2 });
    const out = [0, 2000, 4000, 6000, 8000].flatMap((at) => reader.push(Buffer.from(stream.subarray(at, at + 2000)))).concat(reader.push(Buffer.from(stream.subarray(10_000))));
    expect(out).toHaveLength(1);
    expect(plain(out)).toEqual(plain([{ type: PduType.P_DATA_TF, pdvs: [{ contextId: 3, isCommand: false, isLast: false, data: new Uint8Array(5000) }, { contextId: 3, isCommand: false, isLast: true, data: new Uint8Array(5000) }] }]));
    const three = encodePDataTf({ type: PduType.P_DATA_TF, pdvs: [1, 2, 3].map((n) => ({ contextId: 3, isCommand: false, isLast: n === 3, data: new Uint8Array(2000) })) });
    const strict = new PduReader({ maxItems: 2 });
    expect(errorOf(() => [0, 3000, 6000].forEach((at) => strict.push(Buffer.from(three.subarray(at, at + 3000)))))).toMatchObject({ abortReason: 6 });
  });

  it('reads thousands of small P-DATA-TF PDUs in mixed chunks', () => {
    const one = encodePDataTf(1, false, false, new Uint8Array(100).fill(1));
    const stream = concat(Array.from({ length: 5000 }, () => one));
    const reader = new PduReader();
    let count = 0;
    for (let at = 0; at < stream.length; at += 4093) count += reader.push(stream.subarray(at, at + 4093)).length;
    expect(count).toBe(5000);
    expect(reader.buffered).toBe(0);
  });

  describe('refuses hostile input at once, before holding any body', () => {
    it('a P-DATA-TF header declaring 0xFFFFFFFF bytes with nothing behind it (6)', () => {
      const reader = new PduReader();
      const e = errorOf(() => reader.push(Uint8Array.of(0x04, 0x00, 0xff, 0xff, 0xff, 0xff)));
      expect(e.abortReason).toBe(6);
      expect(reader.buffered).toBe(0);
    });

    it('the same header split across chunks (6)', () => {
      const reader = new PduReader();
      expect(reader.push(Uint8Array.of(0x04, 0x00, 0xff))).toEqual([]);
      expect(errorOf(() => reader.push(Uint8Array.of(0xff, 0xff, 0xff))).abortReason).toBe(6);
    });

    it('an A-ASSOCIATE-RQ longer than maxAssociateLength (6)', () => {
      const header = Uint8Array.of(0x01, 0x00, 0x00, 0x04, 0x00, 0x00); // PDU-length 256 KiB (+6 > cap)
      expect(errorOf(() => new PduReader().push(header)).abortReason).toBe(6);
      const rq = encodePdu(CONVERSATION[0]!);
      expect(errorOf(() => new PduReader({ maxAssociateLength: rq.length - 1 }).push(rq)).abortReason).toBe(6);
      expect(new PduReader({ maxAssociateLength: rq.length }).push(rq)).toHaveLength(1);
    });

    it('a P-DATA-TF over maxPDataLength (6)', () => {
      const pdu = encodePDataTf(1, false, true, new Uint8Array(1000));
      expect(errorOf(() => new PduReader({ maxPDataLength: pdu.length - 1 }).push(pdu.subarray(0, 6))).abortReason).toBe(6);
      expect(new PduReader({ maxPDataLength: pdu.length }).push(pdu)).toHaveLength(1);
    });

    it('fixed-size PDUs whose length is not 4 (6)', () => {
      for (const type of [3, 5, 6, 7]) {
        expect(errorOf(() => new PduReader().push(Uint8Array.of(type, 0, 0, 0, 0, 5))).abortReason).toBe(6);
        expect(errorOf(() => new PduReader().push(Uint8Array.of(type, 0, 0, 0, 0, 0))).abortReason).toBe(6);
      }
    });

    it('an HTTP request: "G" is not a PDU type (1), from its first byte', () => {
      expect(errorOf(() => new PduReader().push(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).abortReason).toBe(1);
      expect(errorOf(() => new PduReader().push(Uint8Array.of(0x47))).abortReason).toBe(1);
    });

    it('a TLS ClientHello (0x16 0x03 ...) (1)', () => {
      expect(errorOf(() => new PduReader().push(Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc))).abortReason).toBe(1);
    });

    it('an unknown type after a valid PDU (1)', () => {
      const reader = new PduReader();
      expect(reader.push(encodePdu({ type: PduType.A_RELEASE_RQ }))).toHaveLength(1);
      expect(errorOf(() => reader.push(Uint8Array.of(0x08))).abortReason).toBe(1);
    });

    it('a P-DATA-TF with PDU-length 0 (6)', () => {
      expect(errorOf(() => new PduReader().push(Uint8Array.of(4, 0, 0, 0, 0, 0))).abortReason).toBe(6);
    });

    it('PDV lengths 0 and 1 (underflow) and past the PDU (overflow) (6)', () => {
      for (const pdv of [[0, 0, 0, 0, 1, 0], [0, 0, 0, 1, 1, 0], [0, 0, 0, 9, 1, 0]]) {
        expect(errorOf(() => new PduReader().push(Uint8Array.of(4, 0, 0, 0, 0, 6, ...pdv))).abortReason).toBe(6);
      }
    });
  });

  it('stays failed after an error: every later push throws the same error', () => {
    const reader = new PduReader();
    const first = errorOf(() => reader.push(Uint8Array.of(0x47)));
    expect(errorOf(() => reader.push(encodePdu({ type: PduType.A_RELEASE_RQ })))).toBe(first);
    expect(reader.buffered).toBe(0);
  });
});
