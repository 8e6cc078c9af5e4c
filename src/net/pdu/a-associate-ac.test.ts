import { describe, expect, it } from 'vitest';
import { PduDecodeError } from '../../core/errors.js';
import { decodeAAssociateAc, encodeAAssociateAc } from './a-associate-ac.js';
import { decodePdu } from './pdu-codec.js';
import { type AAssociateAc, PduType, PresentationContextResult } from './types.js';
import { thrownBy } from '../../../test/support/thrown.js';

/** Hex bytes ('01 00 ff') and ASCII text ("'1.2'") joined. */
function bytes(...parts: string[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (p.startsWith("'")) for (const c of p.slice(1, -1)) out.push(c.charCodeAt(0));
    else for (const h of p.split(/\s+/).filter(Boolean)) out.push(parseInt(h, 16));
  }
  return Uint8Array.from(out);
}

const reasonOf = (run: () => unknown): number => thrownBy(PduDecodeError, run).abortReason;

/**
 * A-ASSOCIATE-AC from ANY-SCP accepting Verification on context 1 with Implicit VR Little Endian and rejecting
 * context 3 (abstract syntax not supported, empty transfer syntax sub-item) (PS3.8 Tables 9-17, 9-18, 9-19).
 */
const VERIFICATION_AC = bytes(
  '02 00 00 00 00 ac', // PDU-type 2, reserved, PDU-length 172
  '00 01 00 00', // protocol version bit 0, reserved
  "'ANY-SCP         '", // called AE title echoed from the RQ (not tested on receipt)
  "'ECHOSCU         '", // calling AE title echoed
  '00 '.repeat(32), // reserved
  '10 00 00 15', "'1.2.840.10008.3.1.1.1'", // application context item
  '21 00 00 19', // presentation context item (AC), length 25
  '01 00 00 00', //   ID 1, reserved, result 0 acceptance, reserved
  '40 00 00 11', "'1.2.840.10008.1.2'", //   transfer syntax sub-item: Implicit VR Little Endian
  '21 00 00 08', // presentation context item (AC), length 8
  '03 00 03 00', //   ID 3, reserved, result 3 abstract-syntax-not-supported, reserved
  '40 00 00 00', //   transfer syntax sub-item, empty (not significant)
  '50 00 00 22', // user information item, length 34
  '51 00 00 04 00 00 40 00', //   maximum length 16384
  '52 00 00 07', "'1.2.3.4'", //   implementation class UID
  '55 00 00 0b', "'PORTICO_010'", //   implementation version name
);

const VERIFICATION: AAssociateAc = {
  type: PduType.A_ASSOCIATE_AC,
  protocolVersion: 1,
  calledAeTitle: 'ANY-SCP',
  callingAeTitle: 'ECHOSCU',
  applicationContext: '1.2.840.10008.3.1.1.1',
  presentationContexts: [
    { id: 1, result: PresentationContextResult.ACCEPTANCE, transferSyntax: '1.2.840.10008.1.2' },
    { id: 3, result: PresentationContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED, transferSyntax: '' },
  ],
  userInformation: { maxPduLength: 16384, implementationClassUid: '1.2.3.4', implementationVersionName: 'PORTICO_010' },
};

const body = (pdu: Uint8Array): Uint8Array => pdu.subarray(6);

describe('A-ASSOCIATE-AC', () => {
  it('encodes to the golden bytes', () => {
    expect(encodeAAssociateAc(VERIFICATION)).toEqual(VERIFICATION_AC);
  });

  it('decodes the golden bytes', () => {
    expect(decodeAAssociateAc(body(VERIFICATION_AC))).toEqual(VERIFICATION);
    expect(decodePdu(VERIFICATION_AC)).toEqual(VERIFICATION); // the PDU-length in the header matches too
  });

  it('round-trips every result, role selections, asynchronous window and a user identity response', () => {
    const ac: AAssociateAc = {
      ...VERIFICATION,
      presentationContexts: [0, 1, 2, 3, 4].map((r) => ({
        id: 2 * r + 1,
        result: r as AAssociateAc['presentationContexts'][number]['result'],
        transferSyntax: r === 0 ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2',
      })),
      userInformation: {
        maxPduLength: 0,
        asyncOperationsWindow: { maxOperationsInvoked: 1, maxOperationsPerformed: 1 },
        roleSelections: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', scuRole: true, scpRole: false }],
        userIdentityAc: { serverResponse: bytes("'ticket'") },
      },
    };
    expect(decodeAAssociateAc(body(encodeAAssociateAc(ac)))).toEqual(ac);
  });

  it('does not test the AE title fields (PS3.8 Table 9-17)', () => {
    const b = body(VERIFICATION_AC).slice();
    b.set([0x1b, 0xff, 0x80], 4);
    expect(() => decodeAAssociateAc(b)).not.toThrow();
  });

  it('accepts a rejected context without a transfer syntax sub-item, or with garbage in it', () => {
    const noSub = decodeAAssociateAc(
      bytes('00 01 00 00', "'ANY-SCP         ECHOSCU         '", '00 '.repeat(32), '10 00 00 05', "'1.2.3'", '21 00 00 04', '05 00 04 00'),
    );
    expect(noSub.presentationContexts).toEqual([{ id: 5, result: 4, transferSyntax: '' }]);
    const garbage = decodeAAssociateAc(
      bytes('00 01 00 00', "'ANY-SCP         ECHOSCU         '", '00 '.repeat(32), '10 00 00 05', "'1.2.3'", '21 00 00 0a', '07 00 02 00', '40 00 00 02', '1b 00'),
    );
    expect(garbage.presentationContexts).toEqual([{ id: 7, result: 2, transferSyntax: '' }]);
  });

  it('skips an RQ-type presentation context item as unrecognized in an AC', () => {
    const ac = decodeAAssociateAc(
      bytes('00 01 00 00', "'A               B               '", '00 '.repeat(32), '10 00 00 03', "'1.2'", '20 00 00 04', '01 00 00 00'),
    );
    expect(ac.presentationContexts).toEqual([]);
  });

  describe('rejects', () => {
    it('an accepted context without transfer syntax (6)', () => {
      const b = bytes('00 01 00 00', "'A               B               '", '00 '.repeat(32), '10 00 00 03', "'1.2'", '21 00 00 04', '01 00 00 00');
      expect(reasonOf(() => decodeAAssociateAc(b))).toBe(6);
    });

    it('a result/reason above 4 (6)', () => {
      const b = body(VERIFICATION_AC).slice();
      b[68 + 25 + 4 + 2] = 5;
      expect(reasonOf(() => decodeAAssociateAc(b))).toBe(6);
    });

    it('an even or repeated context ID (6)', () => {
      const even = body(VERIFICATION_AC).slice();
      even[68 + 25 + 4] = 2;
      expect(reasonOf(() => decodeAAssociateAc(even))).toBe(6);
      const repeated = body(VERIFICATION_AC).slice();
      repeated[68 + 25 + 29 + 4] = 1;
      expect(reasonOf(() => decodeAAssociateAc(repeated))).toBe(6);
    });

    it('two transfer syntax sub-items in one context (5)', () => {
      const b = bytes('00 01 00 00', "'A               B               '", '00 '.repeat(32), '10 00 00 03', "'1.2'", '21 00 00 12', '01 00 00 00', '40 00 00 03', "'1.2'", '40 00 00 03', "'1.3'");
      expect(reasonOf(() => decodeAAssociateAc(b))).toBe(5);
    });

    it('a user information item whose length lies (6)', () => {
      const b = body(VERIFICATION_AC).slice();
      b[68 + 25 + 29 + 12 + 3] = 0x23;
      expect(reasonOf(() => decodeAAssociateAc(b))).toBe(6);
    });
  });
});
