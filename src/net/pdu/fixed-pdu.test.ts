import { describe, expect, it } from 'vitest';
import { PduDecodeError } from '../../core/errors.js';
import { AbortReason, AbortSource, decodeAAbort, encodeAAbort } from './a-abort.js';
import { decodeAAssociateRj, encodeAAssociateRj } from './a-associate-rj.js';
import { decodeAReleaseRp, encodeAReleaseRp } from './a-release-rp.js';
import { decodeAReleaseRq, encodeAReleaseRq } from './a-release-rq.js';
import { PduType } from './types.js';
import { thrownBy } from '../../../test/support/thrown.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(/\s+/).filter(Boolean), (h) => parseInt(h, 16));

const reasonOf = (run: () => unknown): number => thrownBy(PduDecodeError, run).abortReason;

describe('the fixed-size PDUs', () => {
  it('A-ASSOCIATE-RJ: golden bytes and round trip (PS3.8 Table 9-21)', () => {
    // PDU-type 3, reserved, PDU-length 4, reserved, result 1 rejected-permanent, source 1 service-user, reason 3 calling-AE-title-not-recognized
    const golden = hex('03 00 00 00 00 04 00 01 01 03');
    const rj = { type: PduType.A_ASSOCIATE_RJ, result: 1, source: 1, reason: 3 } as const;
    expect(encodeAAssociateRj(rj)).toEqual(golden);
    expect(decodeAAssociateRj(golden.subarray(6))).toEqual(rj);
    const transient = { type: PduType.A_ASSOCIATE_RJ, result: 2, source: 3, reason: 2 } as const;
    expect(decodeAAssociateRj(encodeAAssociateRj(transient).subarray(6))).toEqual(transient);
  });

  it('A-RELEASE-RQ and A-RELEASE-RP: golden bytes and round trip (PS3.8 Tables 9-24, 9-25)', () => {
    // PDU-type 5 / 6, reserved, PDU-length 4, four reserved bytes
    expect(encodeAReleaseRq({ type: PduType.A_RELEASE_RQ })).toEqual(hex('05 00 00 00 00 04 00 00 00 00'));
    expect(encodeAReleaseRp({ type: PduType.A_RELEASE_RP })).toEqual(hex('06 00 00 00 00 04 00 00 00 00'));
    expect(encodeAReleaseRq()).toEqual(hex('05 00 00 00 00 04 00 00 00 00'));
    expect(decodeAReleaseRq(hex('00 00 00 00'))).toEqual({ type: PduType.A_RELEASE_RQ });
    expect(decodeAReleaseRp(hex('00 00 00 00'))).toEqual({ type: PduType.A_RELEASE_RP });
  });

  it('A-ABORT: golden bytes and round trip (PS3.8 Table 9-26)', () => {
    // PDU-type 7, reserved, PDU-length 4, reserved, reserved, source 2 service-provider, reason 6 invalid-PDU-parameter-value
    const golden = hex('07 00 00 00 00 04 00 00 02 06');
    const abort = { type: PduType.A_ABORT, source: AbortSource.SERVICE_PROVIDER, reason: AbortReason.INVALID_PDU_PARAMETER_VALUE } as const;
    expect(encodeAAbort(abort)).toEqual(golden);
    expect(decodeAAbort(golden.subarray(6))).toEqual(abort);
    const user = { type: PduType.A_ABORT, source: 0, reason: 0 } as const;
    expect(decodeAAbort(encodeAAbort(user).subarray(6))).toEqual(user);
  });

  it('does not test reserved bytes', () => {
    expect(decodeAReleaseRq(hex('ff ff ff ff'))).toEqual({ type: PduType.A_RELEASE_RQ });
    expect(decodeAAbort(hex('ff ff 00 00'))).toEqual({ type: PduType.A_ABORT, source: 0, reason: 0 });
    expect(decodeAAssociateRj(hex('ff 01 02 01'))).toEqual({ type: PduType.A_ASSOCIATE_RJ, result: 1, source: 2, reason: 1 });
  });

  it('rejects a body that is not exactly 4 bytes (6)', () => {
    for (const body of [hex(''), hex('00 00 00'), hex('00 00 00 00 00')]) {
      expect(reasonOf(() => decodeAAssociateRj(body))).toBe(6);
      expect(reasonOf(() => decodeAReleaseRq(body))).toBe(6);
      expect(reasonOf(() => decodeAReleaseRp(body))).toBe(6);
      expect(reasonOf(() => decodeAAbort(body))).toBe(6);
    }
  });

  it('refuses to encode fields that are not bytes', () => {
    expect(() => encodeAAbort({ type: PduType.A_ABORT, source: 256, reason: 0 })).toThrow(/not a byte/);
    expect(() => encodeAAssociateRj({ type: PduType.A_ASSOCIATE_RJ, result: -1, source: 1, reason: 1 })).toThrow(/not a byte/);
  });
});
