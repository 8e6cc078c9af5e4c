/** Dispatch by PDU type (PS3.8 §9.3): encode any Pdu, decode a body or a whole PDU, check a PDU header. */
import { PduDecodeError } from '../../core/errors.js';
import { decodeAAbort, encodeAAbort } from './a-abort.js';
import { decodeAAssociateAc, encodeAAssociateAc } from './a-associate-ac.js';
import { decodeAAssociateRj, encodeAAssociateRj } from './a-associate-rj.js';
import { decodeAAssociateRq, encodeAAssociateRq } from './a-associate-rq.js';
import { decodeAReleaseRp, encodeAReleaseRp } from './a-release-rp.js';
import { decodeAReleaseRq, encodeAReleaseRq } from './a-release-rq.js';
import { hex2, PDU_HEADER_LENGTH, readU32 } from './bytes.js';
import { FIXED_PDU_BODY_LENGTH } from './fixed-pdu.js';
import { type ResolvedPduLimits, resolvePduLimits } from './limits.js';
import { decodePDataTf, encodePDataTf } from './p-data-tf.js';
import { type Pdu, type PduLimits, PduType } from './types.js';

const NAMES = ['', 'A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC', 'A-ASSOCIATE-RJ', 'P-DATA-TF', 'A-RELEASE-RQ', 'A-RELEASE-RP', 'A-ABORT'];

/** The PS3.8 name of a PDU type ('P-DATA-TF'), or its hex value when it is not one. */
export const pduName = (type: number): string => NAMES[type] || `PDU type ${hex2(type)}`;

/** The whole PDU, header included. Throws DicomEncodeError for values that do not fit their fields. */
export function encodePdu(pdu: Pdu): Uint8Array {
  switch (pdu.type) {
    case PduType.A_ASSOCIATE_RQ:
      return encodeAAssociateRq(pdu);
    case PduType.A_ASSOCIATE_AC:
      return encodeAAssociateAc(pdu);
    case PduType.A_ASSOCIATE_RJ:
      return encodeAAssociateRj(pdu);
    case PduType.P_DATA_TF:
      return encodePDataTf(pdu);
    case PduType.A_RELEASE_RQ:
      return encodeAReleaseRq(pdu);
    case PduType.A_RELEASE_RP:
      return encodeAReleaseRp(pdu);
    case PduType.A_ABORT:
      return encodeAAbort(pdu);
  }
}

/**
 * Checks a PDU header before any of its body is held: an unknown type is unrecognized-PDU (1); a PDU-length over the
 * cap for its type (limits bound the whole PDU, header included), or a fixed-size PDU whose length is not 4, is
 * invalid-PDU-parameter-value (6). Returns the size of the whole PDU.
 */
export function checkPduHeader(type: number, length: number, limits: ResolvedPduLimits): number {
  const total = PDU_HEADER_LENGTH + length;
  switch (type) {
    case PduType.P_DATA_TF:
      if (total > limits.maxPDataLength) {
        throw new PduDecodeError(6, `P-DATA-TF PDU-length ${length} is over the ${limits.maxPDataLength - PDU_HEADER_LENGTH} accepted`, 2);
      }
      return total;
    case PduType.A_ASSOCIATE_RQ:
    case PduType.A_ASSOCIATE_AC:
      if (total > limits.maxAssociateLength) {
        throw new PduDecodeError(6, `${NAMES[type]} PDU-length ${length} is over the ${limits.maxAssociateLength - PDU_HEADER_LENGTH} accepted`, 2);
      }
      return total;
    case PduType.A_ASSOCIATE_RJ:
    case PduType.A_RELEASE_RQ:
    case PduType.A_RELEASE_RP:
    case PduType.A_ABORT:
      if (length !== FIXED_PDU_BODY_LENGTH) throw new PduDecodeError(6, `${NAMES[type]} has PDU-length ${length}, not 4`, 2);
      return total;
    default:
      throw unrecognized(type);
  }
}

/** Unrecognized-PDU (1): the first byte is not a PDU type (e.g. 0x47 'G' of an HTTP request, 0x16 of a TLS record). */
export function unrecognized(type: number): PduDecodeError {
  return new PduDecodeError(1, `unrecognized PDU type ${hex2(type)}`, 0);
}

/** Decodes the body (the bytes after the 6-byte header) of a PDU of `type`. Throws PduDecodeError. */
export function decodePduBody(type: number, body: Uint8Array, limits?: PduLimits): Pdu {
  switch (type) {
    case PduType.P_DATA_TF:
      return decodePDataTf(body, limits);
    case PduType.A_ASSOCIATE_RQ:
      return decodeAAssociateRq(body, limits);
    case PduType.A_ASSOCIATE_AC:
      return decodeAAssociateAc(body, limits);
    case PduType.A_ASSOCIATE_RJ:
      return decodeAAssociateRj(body);
    case PduType.A_RELEASE_RQ:
      return decodeAReleaseRq(body);
    case PduType.A_RELEASE_RP:
      return decodeAReleaseRp(body);
    case PduType.A_ABORT:
      return decodeAAbort(body);
    default:
      throw unrecognized(type);
  }
}

/** Decodes exactly one whole PDU, header included (the header is checked as PduReader checks it). */
export function decodePdu(bytes: Uint8Array, limits?: PduLimits): Pdu {
  if (bytes.length === 0) throw new PduDecodeError(6, 'no bytes to decode', 0);
  const type = bytes[0];
  if (bytes.length < PDU_HEADER_LENGTH) {
    checkPduType(type);
    throw new PduDecodeError(6, `${bytes.length} bytes are too few for a PDU header`, 0);
  }
  const length = readU32(bytes, 2);
  const resolved = resolvePduLimits(limits);
  const total = checkPduHeader(type, length, resolved);
  if (total !== bytes.length) {
    throw new PduDecodeError(6, `${pduName(type)} PDU-length ${length} does not match the ${bytes.length - PDU_HEADER_LENGTH} bytes given`, 2);
  }
  return decodePduBody(type, bytes.subarray(PDU_HEADER_LENGTH), resolved);
}

/** Throws unrecognized-PDU (1) unless `type` is one of the seven PDU types. */
export function checkPduType(type: number): void {
  if (type < PduType.A_ASSOCIATE_RQ || type > PduType.A_ABORT) throw unrecognized(type);
}
