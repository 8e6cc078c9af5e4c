/** A-ASSOCIATE-RJ PDU (PS3.8 §9.3.4, Table 9-21): reserved, result, source, reason/diag. */
import { checkFixedBody, encodeFixedPdu } from './fixed-pdu.js';
import { type AAssociateRj, PduType } from './types.js';

export function encodeAAssociateRj(pdu: AAssociateRj): Uint8Array {
  return encodeFixedPdu(PduType.A_ASSOCIATE_RJ, pdu.result, pdu.source, pdu.reason, 'A-ASSOCIATE-RJ');
}

/** Result, source and reason are returned as sent; the ACSE layer interprets them. */
export function decodeAAssociateRj(body: Uint8Array): AAssociateRj {
  checkFixedBody(body, 'A-ASSOCIATE-RJ');
  return { type: PduType.A_ASSOCIATE_RJ, result: body[1], source: body[2], reason: body[3] };
}
