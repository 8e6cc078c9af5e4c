/** A-RELEASE-RP PDU (PS3.8 §9.3.7, Table 9-25): four reserved bytes. */
import { checkFixedBody, encodeFixedPdu } from './fixed-pdu.js';
import { type AReleaseRp, PduType } from './types.js';

const A_RELEASE_RP: AReleaseRp = Object.freeze({ type: PduType.A_RELEASE_RP });

export function encodeAReleaseRp(_pdu: AReleaseRp = A_RELEASE_RP): Uint8Array {
  return encodeFixedPdu(PduType.A_RELEASE_RP, 0, 0, 0, 'A-RELEASE-RP');
}

/** The reserved bytes are not tested. */
export function decodeAReleaseRp(body: Uint8Array): AReleaseRp {
  checkFixedBody(body, 'A-RELEASE-RP');
  return A_RELEASE_RP;
}
