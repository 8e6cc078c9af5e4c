/** The 10-byte PDUs (A-ASSOCIATE-RJ, A-RELEASE-RQ/RP, A-ABORT): a 6-byte header and a body of exactly 4 bytes. */
import { DicomEncodeError, PduDecodeError } from '../../core/errors.js';
import { writePduHeader } from './bytes.js';

/** The PDU-length of every fixed-size PDU. */
export const FIXED_PDU_BODY_LENGTH = 4;

/** A whole 10-byte PDU whose body is reserved, reserved, `b3`, `b4` (`b2` is the RJ result; 0 for the others). */
export function encodeFixedPdu(type: number, b2: number, b3: number, b4: number, what: string): Uint8Array {
  for (const v of [b2, b3, b4]) {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new DicomEncodeError(`${what} field ${v} is not a byte`);
  }
  const out = new Uint8Array(10);
  writePduHeader(out, 0, type, FIXED_PDU_BODY_LENGTH);
  out[7] = b2;
  out[8] = b3;
  out[9] = b4;
  return out;
}

export function checkFixedBody(body: Uint8Array, what: string): void {
  if (body.length !== FIXED_PDU_BODY_LENGTH) {
    // Offset 2: the PDU-length field of the header.
    throw new PduDecodeError(6, `${what} has PDU-length ${body.length}, not ${FIXED_PDU_BODY_LENGTH}`, 2);
  }
}
