/** A-ABORT PDU (PS3.8 §9.3.8, Table 9-26): reserved, reserved, source, reason/diag. */
import { checkFixedBody, encodeFixedPdu } from './fixed-pdu.js';
import { type AAbort, PduType } from './types.js';

/** A-ABORT source (Table 9-26): 1 is reserved. */
export const AbortSource = {
  SERVICE_USER: 0,
  SERVICE_PROVIDER: 2,
} as const;

/** A-ABORT reason/diag when the source is the service provider (Table 9-26); the values of PduDecodeError.abortReason. */
export const AbortReason = {
  NOT_SPECIFIED: 0,
  UNRECOGNIZED_PDU: 1,
  UNEXPECTED_PDU: 2,
  UNRECOGNIZED_PDU_PARAMETER: 4,
  UNEXPECTED_PDU_PARAMETER: 5,
  INVALID_PDU_PARAMETER_VALUE: 6,
} as const;

export function encodeAAbort(pdu: AAbort): Uint8Array {
  return encodeFixedPdu(PduType.A_ABORT, 0, pdu.source, pdu.reason, 'A-ABORT');
}

/** Source and reason are returned as sent (an abort is honoured whatever they say). */
export function decodeAAbort(body: Uint8Array): AAbort {
  checkFixedBody(body, 'A-ABORT');
  return { type: PduType.A_ABORT, source: body[2], reason: body[3] };
}
