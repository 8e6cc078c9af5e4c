import { describe, expect, it } from 'vitest';
import { PduDecodeError } from '../../core/errors.js';
import { DEFAULT_PDU_LIMITS } from './limits.js';
import { checkPduHeader, decodePdu, decodePduBody, encodePdu, pduName } from './pdu-codec.js';
import { type Pdu, PduType } from './types.js';
import { thrownBy } from '../../../test/support/thrown.js';

const errorOf = (run: () => unknown): PduDecodeError => thrownBy(PduDecodeError, run);

/** Decoded PDV data are views of (possibly Buffer) input; compare them as plain Uint8Arrays. */
function plain(pdu: Pdu): Pdu {
  if (pdu.type !== PduType.P_DATA_TF) return pdu;
  return { ...pdu, pdvs: pdu.pdvs.map((v) => ({ ...v, data: new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.length) })) };
}

const SAMPLES: readonly Pdu[] = [
  {
    type: PduType.A_ASSOCIATE_RQ,
    protocolVersion: 1,
    calledAeTitle: 'ANY-SCP',
    callingAeTitle: 'STORESCU',
    applicationContext: '1.2.840.10008.3.1.1.1',
    presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.5.1.4.1.1.7', transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] }],
    userInformation: { maxPduLength: 16384, implementationClassUid: '1.2.3', implementationVersionName: 'V1' },
  },
  {
    type: PduType.A_ASSOCIATE_AC,
    protocolVersion: 1,
    calledAeTitle: 'ANY-SCP',
    callingAeTitle: 'STORESCU',
    applicationContext: '1.2.840.10008.3.1.1.1',
    presentationContexts: [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2.1' }],
    userInformation: { maxPduLength: 32768 },
  },
  { type: PduType.A_ASSOCIATE_RJ, result: 1, source: 2, reason: 2 },
  { type: PduType.P_DATA_TF, pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: Uint8Array.of(1, 2, 3) }] },
  { type: PduType.A_RELEASE_RQ },
  { type: PduType.A_RELEASE_RP },
  { type: PduType.A_ABORT, source: 2, reason: 6 },
];

describe('pdu-codec', () => {
  for (const pdu of SAMPLES) {
    it(`round-trips ${pduName(pdu.type)} through encodePdu / decodePdu`, () => {
      const bytes = encodePdu(pdu);
      expect(bytes[0]).toBe(pdu.type);
      expect(plain(decodePdu(bytes))).toEqual(pdu);
      expect(plain(decodePduBody(pdu.type, bytes.subarray(6)))).toEqual(pdu);
    });
  }

  it('names the PDU types as PS3.8 does', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(pduName)).toEqual(['A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC', 'A-ASSOCIATE-RJ', 'P-DATA-TF', 'A-RELEASE-RQ', 'A-RELEASE-RP', 'A-ABORT']);
    expect(pduName(0x47)).toBe('PDU type 0x47');
  });

  it('rejects unknown PDU types as unrecognized-PDU (1)', () => {
    for (const type of [0, 8, 0x16, 0x47, 0xff]) {
      expect(errorOf(() => decodePduBody(type, new Uint8Array(4))).abortReason).toBe(1);
      expect(errorOf(() => checkPduHeader(type, 4, DEFAULT_PDU_LIMITS)).abortReason).toBe(1);
      expect(errorOf(() => decodePdu(Uint8Array.of(type, 0, 0, 0, 0, 0))).abortReason).toBe(1);
    }
    expect(errorOf(() => decodePdu(Uint8Array.of(0x47, 0x45))).abortReason).toBe(1);
  });

  it('checks a header against the caps (limits bound the whole PDU, header included)', () => {
    const limits = { ...DEFAULT_PDU_LIMITS, maxPDataLength: 1006, maxAssociateLength: 2006 };
    expect(checkPduHeader(PduType.P_DATA_TF, 1000, limits)).toBe(1006);
    expect(errorOf(() => checkPduHeader(PduType.P_DATA_TF, 1001, limits)).abortReason).toBe(6);
    expect(checkPduHeader(PduType.A_ASSOCIATE_RQ, 2000, limits)).toBe(2006);
    expect(errorOf(() => checkPduHeader(PduType.A_ASSOCIATE_AC, 2001, limits)).abortReason).toBe(6);
    expect(errorOf(() => checkPduHeader(PduType.P_DATA_TF, 0xffffffff, DEFAULT_PDU_LIMITS)).abortReason).toBe(6);
    for (const type of [PduType.A_ASSOCIATE_RJ, PduType.A_RELEASE_RQ, PduType.A_RELEASE_RP, PduType.A_ABORT]) {
      expect(checkPduHeader(type, 4, DEFAULT_PDU_LIMITS)).toBe(10);
      for (const length of [0, 3, 5, 0xffffffff]) expect(errorOf(() => checkPduHeader(type, length, DEFAULT_PDU_LIMITS)).abortReason).toBe(6);
    }
  });

  it('decodePdu rejects a PDU-length that does not match the bytes given (6)', () => {
    const bytes = encodePdu(SAMPLES[3]!);
    expect(errorOf(() => decodePdu(bytes.subarray(0, bytes.length - 1))).abortReason).toBe(6);
    expect(errorOf(() => decodePdu(Uint8Array.of(...bytes, 0))).abortReason).toBe(6);
    expect(errorOf(() => decodePdu(bytes.subarray(0, 4))).abortReason).toBe(6);
    expect(errorOf(() => decodePdu(new Uint8Array(0))).abortReason).toBe(6);
  });
});
