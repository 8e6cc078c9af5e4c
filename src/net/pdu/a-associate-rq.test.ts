import { describe, expect, it } from 'vitest';
import { PduDecodeError } from '../../core/errors.js';
import { decodeAAssociateRq, encodeAAssociateRq } from './a-associate-rq.js';
import { decodePdu } from './pdu-codec.js';
import { type AAssociateRq, PduType } from './types.js';
import { thrownBy } from '../../../test/support/thrown.js';

/** Hex bytes ('01 00 ff') and ASCII text ("'1.2'") joined: golden fixtures read like the PS3.8 tables. */
function bytes(...parts: string[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (p.startsWith("'")) for (const c of p.slice(1, -1)) out.push(c.charCodeAt(0));
    else for (const h of p.split(/\s+/).filter(Boolean)) out.push(parseInt(h, 16));
  }
  return Uint8Array.from(out);
}

const ZEROS_32 = '00 '.repeat(32);

/**
 * A-ASSOCIATE-RQ from ECHOSCU to ANY-SCP proposing Verification with Implicit VR Little Endian, Maximum Length 16384
 * and DCMTK 3.6.8's Implementation Class UID (PS3.8 Table 9-11, 9-12, 9-13, 9-14, 9-15, 9-16; PS3.7 D.3.3.2).
 */
const VERIFICATION_RQ = bytes(
  '01 00 00 00 00 ba', // PDU-type 1, reserved, PDU-length 186
  '00 01 00 00', // protocol version bit 0, reserved
  "'ANY-SCP         '", // called AE title, 16 bytes space padded
  "'ECHOSCU         '", // calling AE title
  ZEROS_32, // reserved
  '10 00 00 15', "'1.2.840.10008.3.1.1.1'", // application context item, length 21: DICOM application context
  '20 00 00 2e', // presentation context item (RQ), length 46
  '01 00 00 00', //   presentation context ID 1, three reserved bytes
  '30 00 00 11', "'1.2.840.10008.1.1'", //   abstract syntax sub-item, length 17: Verification SOP Class
  '40 00 00 11', "'1.2.840.10008.1.2'", //   transfer syntax sub-item, length 17: Implicit VR Little Endian
  '50 00 00 27', // user information item, length 39
  '51 00 00 04 00 00 40 00', //   maximum length sub-item: 16384
  '52 00 00 1b', "'1.2.276.0.7230010.3.0.3.6.8'", //   implementation class UID sub-item, length 27
);

const VERIFICATION: AAssociateRq = {
  type: PduType.A_ASSOCIATE_RQ,
  protocolVersion: 1,
  calledAeTitle: 'ANY-SCP',
  callingAeTitle: 'ECHOSCU',
  applicationContext: '1.2.840.10008.3.1.1.1',
  presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
  userInformation: { maxPduLength: 16384, implementationClassUid: '1.2.276.0.7230010.3.0.3.6.8' },
};

const body = (pdu: Uint8Array): Uint8Array => pdu.subarray(6);

const decodeError = (run: () => unknown): PduDecodeError => thrownBy(PduDecodeError, run);

/** The fixed part of an RQ (68 bytes) followed by `items`, as a body. */
function rqBody(...items: Uint8Array[]): Uint8Array {
  const fixed = bytes('00 01 00 00', "'ANY-SCP         '", "'ECHOSCU         '", ZEROS_32);
  const out = new Uint8Array(fixed.length + items.reduce((n, i) => n + i.length, 0));
  out.set(fixed);
  let at = fixed.length;
  for (const i of items) {
    out.set(i, at);
    at += i.length;
  }
  return out;
}

function item(type: number, value: Uint8Array | string, length?: number): Uint8Array {
  const v = typeof value === 'string' ? Uint8Array.from(value, (c) => c.charCodeAt(0)) : value;
  const n = length ?? v.length;
  return Uint8Array.from([type, 0, n >> 8, n & 0xff, ...v]);
}

const APP = item(0x10, '1.2.840.10008.3.1.1.1');
const USER = item(0x50, item(0x51, bytes('00 00 40 00')));
const pc = (id: number, abstract = '1.2.840.10008.1.1', ts = ['1.2.840.10008.1.2']): Uint8Array =>
  item(0x20, Uint8Array.from([id, 0, 0, 0, ...item(0x30, abstract), ...ts.flatMap((t) => [...item(0x40, t)])]));

describe('A-ASSOCIATE-RQ', () => {
  it('encodes the Verification request to the golden bytes', () => {
    expect(encodeAAssociateRq(VERIFICATION)).toEqual(VERIFICATION_RQ);
  });

  it('decodes the golden bytes', () => {
    expect(decodeAAssociateRq(body(VERIFICATION_RQ))).toEqual(VERIFICATION);
    expect(decodePdu(VERIFICATION_RQ)).toEqual(VERIFICATION); // the PDU-length in the header matches too
  });

  it('round-trips many contexts, several transfer syntaxes and every user information sub-item', () => {
    const rq: AAssociateRq = {
      type: PduType.A_ASSOCIATE_RQ,
      protocolVersion: 1,
      calledAeTitle: 'ARCHIVE',
      callingAeTitle: 'MODALITY_16CHARS',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: Array.from({ length: 128 }, (_, i) => ({
        id: 2 * i + 1,
        abstractSyntax: `1.2.840.10008.5.1.4.1.1.${i}`,
        transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2', '1.2.840.10008.1.2.4.50'],
      })),
      userInformation: {
        maxPduLength: 0,
        implementationClassUid: '2.25.286522376408141025419524068343856778810',
        implementationVersionName: 'PORTICO_010',
        asyncOperationsWindow: { maxOperationsInvoked: 0, maxOperationsPerformed: 65535 },
        roleSelections: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', scuRole: false, scpRole: true }],
        extendedNegotiations: [{ sopClassUid: '1.2.840.10008.5.1.4.1.2.2.1', info: bytes('01 01 00') }],
        commonExtendedNegotiations: [
          { sopClassUid: '1.2.840.10008.5.1.4.1.1.88.40', serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClassUids: ['1.2.840.10008.5.1.4.1.1.88.22'] },
        ],
        userIdentityRq: { type: 2, positiveResponseRequested: true, primaryField: bytes("'alice'"), secondaryField: bytes("'s3cret'") },
        unknown: [{ type: 0x7f, data: bytes('de ad be ef') }],
      },
    };
    expect(decodeAAssociateRq(body(encodeAAssociateRq(rq)))).toEqual(rq);
  });

  it('trims leading and trailing spaces (and trailing NULs) of AE titles and a trailing NUL of UIDs', () => {
    const b = rqBody(item(0x10, '1.2.840.10008.3.1.1.1\0'), pc(1, '1.2.840.10008.1.1\0', ['1.2.840.10008.1.2\0']), USER);
    b.set(bytes("'  ANY-SCP       '"), 4);
    b.set(bytes("'ECHOSCU'", '00 00 00 00 00 00 00 00 00'), 20);
    const rq = decodeAAssociateRq(b);
    expect(rq.calledAeTitle).toBe('ANY-SCP');
    expect(rq.callingAeTitle).toBe('ECHOSCU');
    expect(rq.applicationContext).toBe('1.2.840.10008.3.1.1.1');
    expect(rq.presentationContexts).toEqual([{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }]);
  });

  it('does not test reserved fields', () => {
    const b = body(VERIFICATION_RQ).slice();
    b[2] = 0xff; // reserved after the protocol version
    b.fill(0xee, 36, 68); // 32 reserved bytes
    b[68 + 1] = 0x99; // reserved byte of the application context item
    b[68 + 25 + 5] = 0x77; // a reserved byte of the presentation context item
    expect(decodeAAssociateRq(b)).toEqual(VERIFICATION);
  });

  it('skips items of unrecognized types, at the top level and inside a presentation context (PS3.8 §9.3.1)', () => {
    const odd = item(0x20, Uint8Array.from([3, 0, 0, 0, ...item(0x30, '1.2.3'), ...item(0x99, 'x'), ...item(0x40, '1.2.840.10008.1.2')]));
    const rq = decodeAAssociateRq(rqBody(item(0x05, 'junk'), APP, item(0x21, bytes('05 00 00 00')), odd, USER, item(0xff, '')));
    expect(rq.presentationContexts).toEqual([{ id: 3, abstractSyntax: '1.2.3', transferSyntaxes: ['1.2.840.10008.1.2'] }]);
  });

  it('reads a missing user information item as empty', () => {
    expect(decodeAAssociateRq(rqBody(APP, pc(1))).userInformation).toEqual({});
  });

  describe('rejects, with the A-ABORT reason to send', () => {
    it('a body shorter than the fixed fields (6)', () => {
      expect(decodeError(() => decodeAAssociateRq(body(VERIFICATION_RQ).subarray(0, 67))).abortReason).toBe(6);
    });

    it('no application context item (6)', () => {
      const e = decodeError(() => decodeAAssociateRq(rqBody(pc(1), USER)));
      expect(e.abortReason).toBe(6);
      expect(e.message).toMatch(/application context/);
    });

    it('two application context items (5)', () => {
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, APP, pc(1), USER))).abortReason).toBe(5);
    });

    it('two user information items (5)', () => {
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, pc(1), USER, USER))).abortReason).toBe(5);
    });

    it('an even, zero or repeated presentation context ID (6)', () => {
      for (const b of [rqBody(APP, pc(2), USER), rqBody(APP, pc(0), USER), rqBody(APP, pc(1), pc(3), pc(1), USER)]) {
        expect(decodeError(() => decodeAAssociateRq(b)).abortReason).toBe(6);
      }
    });

    it('a presentation context without abstract syntax, with two, or without transfer syntax', () => {
      const noAbstract = item(0x20, Uint8Array.from([1, 0, 0, 0, ...item(0x40, '1.2.840.10008.1.2')]));
      const twoAbstract = item(0x20, Uint8Array.from([1, 0, 0, 0, ...item(0x30, '1.2'), ...item(0x30, '1.3'), ...item(0x40, '1.2')]));
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, noAbstract, USER))).abortReason).toBe(6);
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, twoAbstract, USER))).abortReason).toBe(5);
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, pc(1, '1.2.840.10008.1.1', []), USER))).abortReason).toBe(6);
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, item(0x20, bytes('01 00')), USER))).abortReason).toBe(6);
    });

    it('5,000 presentation contexts (more than maxPresentationContexts, 6), without decoding them all', () => {
      const many = rqBody(APP, ...Array.from({ length: 5000 }, (_, i) => pc((2 * i + 1) & 0xff)), USER);
      const e = decodeError(() => decodeAAssociateRq(many));
      expect(e.abortReason).toBe(6);
      expect(e.message).toMatch(/more than 128 presentation contexts/);
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, pc(1), pc(3), pc(5), USER), { maxPresentationContexts: 2 })).abortReason).toBe(6);
    });

    it('100,000 zero-length items, stopped by maxItems (6)', () => {
      const flood = new Uint8Array(100_000 * 4);
      for (let i = 0; i < flood.length; i += 4) flood[i] = 0x77;
      const e = decodeError(() => decodeAAssociateRq(rqBody(APP, flood)));
      expect(e.abortReason).toBe(6);
      expect(e.message).toMatch(/more than 1024 items/);
      const inUserInfo = new Uint8Array(2000 * 4).map((_, i) => (i % 4 === 0 ? 0x70 : 0));
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, pc(1), item(0x50, inUserInfo)))).abortReason).toBe(6);
      const inContext = new Uint8Array(2000 * 4).map((_, i) => (i % 4 === 0 ? 0x40 : 0));
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, item(0x20, Uint8Array.from([1, 0, 0, 0, ...item(0x30, '1.2'), ...inContext]))))).abortReason).toBe(6);
    });

    it('item lengths that run past their container (6)', () => {
      const b = body(VERIFICATION_RQ).slice();
      b[68 + 3] = 0xff; // application context item length 255
      expect(decodeError(() => decodeAAssociateRq(b)).abortReason).toBe(6);
      const c = body(VERIFICATION_RQ).slice();
      c[68 + 25 + 4 + 4 + 3] = 0x40; // abstract syntax sub-item length 64 runs past the presentation context item
      expect(decodeError(() => decodeAAssociateRq(c)).abortReason).toBe(6);
      const d = body(VERIFICATION_RQ).slice();
      d[68 + 25 + 3] = 0xff; // presentation context item length runs past the PDU
      expect(decodeError(() => decodeAAssociateRq(d)).abortReason).toBe(6);
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, pc(1), bytes('50 00')))).abortReason).toBe(6);
    });

    it('UIDs longer than 64 characters or with control characters, and AE titles that are not ISO 646 (6)', () => {
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, pc(1, '1.'.repeat(33)), USER))).abortReason).toBe(6);
      expect(decodeError(() => decodeAAssociateRq(rqBody(APP, pc(1, '1.2\n3'), USER))).abortReason).toBe(6);
      const b = rqBody(APP, pc(1), USER);
      b[6] = 0x1b; // ESC inside the called AE title
      expect(decodeError(() => decodeAAssociateRq(b)).abortReason).toBe(6);
    });
  });

  describe('encoding refuses', () => {
    it('AE titles over 16 characters, even context IDs and non-ASCII UIDs', () => {
      expect(() => encodeAAssociateRq({ ...VERIFICATION, calledAeTitle: 'X'.repeat(17) })).toThrow(/longer than 16/);
      expect(() => encodeAAssociateRq({ ...VERIFICATION, presentationContexts: [{ id: 2, abstractSyntax: '1.2', transferSyntaxes: ['1.2'] }] })).toThrow(/odd/);
      expect(() => encodeAAssociateRq({ ...VERIFICATION, applicationContext: '1.2.é' })).toThrow(/ISO 646/);
      const twice = { id: 1, abstractSyntax: '1.2', transferSyntaxes: ['1.2'] };
      expect(() => encodeAAssociateRq({ ...VERIFICATION, presentationContexts: [twice, twice] })).toThrow(/used twice/);
    });
  });
});
