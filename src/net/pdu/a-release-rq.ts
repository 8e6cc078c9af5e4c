/** A-RELEASE-RQ PDU (PS3.8 §9.3.6, Table 9-24): four reserved bytes. */
import { checkFixedBody, encodeFixedPdu } from './fixed-pdu.js';
import { type AReleaseRq, PduType } from './types.js';

const A_RELEASE_RQ: AReleaseRq = Object.freeze({ type: PduType.A_RELEASE_RQ });

export function encodeAReleaseRq(_pdu: AReleaseRq = A_RELEASE_RQ): Uint8Array {
  return encodeFixedPdu(PduType.A_RELEASE_RQ, 0, 0, 0, 'A-RELEASE-RQ');
}

/** The reserved bytes are not tested. */
export function decodeAReleaseRq(body: Uint8Array): AReleaseRq {
  checkFixedBody(body, 'A-RELEASE-RQ');
  return A_RELEASE_RQ;
}
