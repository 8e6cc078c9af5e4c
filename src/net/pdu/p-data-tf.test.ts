import { describe, expect, it } from 'vitest';
import { DicomEncodeError, PduDecodeError } from '../../core/errors.js';
import { decodePDataTf, encodePDataTf, encodePDataTfChunks, maxPdvDataLength, P_DATA_TF_HEADER_LENGTH } from './p-data-tf.js';
import { type PDataTf, PduType } from './types.js';
import { thrownBy } from '../../../test/support/thrown.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(/\s+/).filter(Boolean), (h) => parseInt(h, 16));

/** A plain Uint8Array view (encoders and decoders may hand out Node Buffers, which toEqual tells apart). */
const plain = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);
const plainPdu = (p: PDataTf): PDataTf => ({ ...p, pdvs: p.pdvs.map((v) => ({ ...v, data: plain(v.data) })) });

const errorOf = (run: () => unknown): PduDecodeError => thrownBy(PduDecodeError, run);

/**
 * P-DATA-TF with two PDVs (PS3.8 Table 9-22, 9-23, Annex E.2): the last fragment of a command on context 1, then a
 * non-last data set fragment on context 3.
 */
const TWO_PDVS = hex(
  [
    '04 00 00 00 00 12', // PDU-type 4, reserved, PDU-length 18
    '00 00 00 06', // PDV item-length 6 (context ID + control header + 4 bytes)
    '01', // presentation context ID 1
    '03', // message control header: command (bit 0), last fragment (bit 1)
    '08 00 00 00', // fragment
    '00 00 00 04', // PDV item-length 4
    '03', // presentation context ID 3
    '00', // data set, not last
    'aa bb', // fragment
  ].join(' '),
);

const TWO: PDataTf = {
  type: PduType.P_DATA_TF,
  pdvs: [
    { contextId: 1, isCommand: true, isLast: true, data: hex('08 00 00 00') },
    { contextId: 3, isCommand: false, isLast: false, data: hex('aa bb') },
  ],
};

describe('P-DATA-TF', () => {
  it('encodes to the golden bytes', () => {
    expect(plain(encodePDataTf(TWO))).toEqual(TWO_PDVS);
  });

  it('decodes the golden bytes', () => {
    expect(decodePDataTf(TWO_PDVS.subarray(6))).toEqual(TWO);
  });

  it('decodes PDV data as views of the input, not copies', () => {
    const body = TWO_PDVS.slice(6);
    const pdu = decodePDataTf(body);
    expect(pdu.pdvs[0]!.data.buffer).toBe(body.buffer);
    expect(pdu.pdvs[1]!.data.byteOffset).toBe(body.byteOffset + 16);
    body[6] = 0x99;
    expect(pdu.pdvs[0]!.data[0]).toBe(0x99);
  });

  it('encodes one PDV from its fields, in one buffer or as header + data chunks without copying', () => {
    const data = hex('01 02 03');
    // PDU-type 4, PDU-length 9, item-length 5, context 5, data set last fragment (0x02), data
    const golden = hex('04 00 00 00 00 09 00 00 00 05 05 02 01 02 03');
    expect(plain(encodePDataTf(5, false, true, data))).toEqual(golden);
    const [header, chunk] = encodePDataTfChunks(5, false, true, data);
    expect(plain(header)).toEqual(golden.subarray(0, P_DATA_TF_HEADER_LENGTH));
    expect(chunk).toBe(data);
    expect(plain(encodePDataTf(1, true, false, new Uint8Array(0)))).toEqual(hex('04 00 00 00 00 06 00 00 00 02 01 01'));
  });

  it('round-trips every control header combination, an empty fragment and a large one', () => {
    const big = new Uint8Array(maxPdvDataLength(16384)).map((_, i) => i);
    const pdu: PDataTf = {
      type: PduType.P_DATA_TF,
      pdvs: [
        { contextId: 1, isCommand: false, isLast: false, data: hex('00') },
        { contextId: 3, isCommand: true, isLast: false, data: new Uint8Array(0) },
        { contextId: 255, isCommand: false, isLast: true, data: big },
        { contextId: 7, isCommand: true, isLast: true, data: hex('ff ee') },
      ],
    };
    expect(plainPdu(decodePDataTf(encodePDataTf(pdu).subarray(6)))).toEqual(pdu);
    expect(encodePDataTf({ type: PduType.P_DATA_TF, pdvs: [pdu.pdvs[2]!] }).length).toBe(6 + 16384);
  });

  it('ignores the reserved bits 2-7 of the message control header', () => {
    expect(decodePDataTf(hex('00 00 00 02 01 fe')).pdvs[0]).toMatchObject({ isCommand: false, isLast: true });
  });

  describe('rejects (6)', () => {
    const cases: [string, string, RegExp][] = [
      ['no PDV at all', '', /no presentation data value/],
      ['PDV item-length 0 (underflow)', '00 00 00 00', /less than 2/],
      ['PDV item-length 1 (underflow)', '00 00 00 01 01', /less than 2/],
      ['PDV item-length past the PDU (overflow)', '00 00 00 05 01 00 aa bb', /past the P-DATA-TF/],
      ['PDV item-length 0xffffffff', 'ff ff ff ff 01 00', /past the P-DATA-TF/],
      ['a second PDV that overflows', '00 00 00 02 01 02 00 00 00 09 01 00', /past the P-DATA-TF/],
      ['trailing bytes too few for an item-length', '00 00 00 02 01 02 00 00', /too few/],
      ['context ID 0', '00 00 00 02 00 02', /not an odd/],
      ['an even context ID', '00 00 00 03 02 02 00', /not an odd/],
    ];
    for (const [name, body, message] of cases) {
      it(name, () => {
        const e = errorOf(() => decodePDataTf(hex(body)));
        expect(e.abortReason).toBe(6);
        expect(e.message).toMatch(message);
      });
    }

    it('more PDVs than maxItems', () => {
      const many = new Uint8Array(6 * 50);
      for (let i = 0; i < many.length; i += 6) many.set([0, 0, 0, 2, 1, 0], i);
      expect(decodePDataTf(many).pdvs).toHaveLength(50);
      expect(errorOf(() => decodePDataTf(many, { maxItems: 49 })).abortReason).toBe(6);
    });

    it('with the offset of the bad item, counted from the PDU-type byte', () => {
      expect(errorOf(() => decodePDataTf(hex('00 00 00 02 01 02 00 00 00 00'))).offset).toBe(6 + 6);
    });
  });

  it('refuses to encode an even or out-of-range context ID, or no PDV', () => {
    for (const id of [0, 2, 256, -1, 1.5]) expect(() => encodePDataTf(id, false, true, hex('00'))).toThrow(DicomEncodeError);
    expect(() => encodePDataTfChunks(4, false, true, hex('00'))).toThrow(DicomEncodeError);
    expect(() => encodePDataTf({ type: PduType.P_DATA_TF, pdvs: [] })).toThrow(DicomEncodeError);
  });
});
