/**
 * P-DATA-TF PDU (PS3.8 §9.3.5, Table 9-22): one or more Presentation Data Value items (Table 9-23), each an item-length
 * (4, counting the context ID and the message control header), a presentation context ID (1), a message control
 * header (1, Annex E.2: bit 0 set = command, clear = data set; bit 1 set = last fragment; bits 2-7 not tested) and
 * the fragment. Decoded PDV data are views of the input, never copies.
 */
import { DicomEncodeError } from '../../core/errors.js';
import { pduError, writePduHeader, writeU32 } from './bytes.js';
import { DEFAULT_PDU_LIMITS } from './limits.js';
import { type PDataTf, type PduLimits, type Pdv, PduType } from './types.js';

/** Item-length (4), presentation context ID (1), message control header (1). */
export const PDV_ITEM_HEADER_LENGTH = 6;
/** PDU header plus one PDV item header: what precedes the fragment in a single-PDV P-DATA-TF. */
export const P_DATA_TF_HEADER_LENGTH = 12;

/** Message control header bits (PS3.8 Annex E.2). */
export const MessageControlHeader = {
  COMMAND: 0x01,
  LAST_FRAGMENT: 0x02,
} as const;

/** Largest fragment that fits a P-DATA-TF whose PDU-length may not exceed `maxPduLength` (the peer's Maximum Length). */
export const maxPdvDataLength = (maxPduLength: number): number => maxPduLength - PDV_ITEM_HEADER_LENGTH;

function checkPdv(contextId: number, length: number): void {
  if (!(contextId >= 1 && contextId <= 255 && (contextId & 1) === 1 && (contextId | 0) === contextId)) {
    throw new DicomEncodeError(`presentation context ID ${contextId} is not an odd number 1-255`);
  }
  if (length > 0xffffffff - PDV_ITEM_HEADER_LENGTH) throw new DicomEncodeError(`a PDV of ${length} bytes does not fit a PDU`);
}

/** Writes the PDU header and one PDV item header (12 bytes) at 0 of `out`. */
function writeSinglePdvHeader(out: Uint8Array, contextId: number, isCommand: boolean, isLast: boolean, length: number): void {
  writePduHeader(out, 0, PduType.P_DATA_TF, length + PDV_ITEM_HEADER_LENGTH);
  writeU32(out, 6, length + 2);
  out[10] = contextId;
  out[11] = (isCommand ? MessageControlHeader.COMMAND : 0) | (isLast ? MessageControlHeader.LAST_FRAGMENT : 0);
}

/**
 * A P-DATA-TF with one PDV as two chunks: the 12-byte header and `data` itself (not copied), for a transport that
 * writes them with writev / cork. `data` must not change until it has been written.
 */
export function encodePDataTfChunks(
  contextId: number,
  isCommand: boolean,
  isLast: boolean,
  data: Uint8Array,
): readonly [header: Uint8Array, data: Uint8Array] {
  checkPdv(contextId, data.length);
  const header = Buffer.allocUnsafe(P_DATA_TF_HEADER_LENGTH);
  writeSinglePdvHeader(header, contextId, isCommand, isLast, data.length);
  return [header, data];
}

/** A whole P-DATA-TF PDU: from a PDataTf, or (fast path) from the four fields of a single PDV. */
export function encodePDataTf(pdu: PDataTf): Uint8Array;
export function encodePDataTf(contextId: number, isCommand: boolean, isLast: boolean, data: Uint8Array): Uint8Array;
export function encodePDataTf(pduOrId: PDataTf | number, isCommand = false, isLast = false, data?: Uint8Array): Uint8Array {
  if (typeof pduOrId === 'number') {
    const bytes = data ?? new Uint8Array(0);
    checkPdv(pduOrId, bytes.length);
    const out = Buffer.allocUnsafe(P_DATA_TF_HEADER_LENGTH + bytes.length);
    writeSinglePdvHeader(out, pduOrId, isCommand, isLast, bytes.length);
    out.set(bytes, P_DATA_TF_HEADER_LENGTH);
    return out;
  }
  const pdvs = pduOrId.pdvs;
  if (pdvs.length === 0) throw new DicomEncodeError('a P-DATA-TF needs at least one PDV');
  let length = 0;
  for (const pdv of pdvs) {
    checkPdv(pdv.contextId, pdv.data.length);
    length += PDV_ITEM_HEADER_LENGTH + pdv.data.length;
  }
  if (length > 0xffffffff) throw new DicomEncodeError(`a P-DATA-TF of ${length} bytes does not fit its PDU-length field`);
  const out = Buffer.allocUnsafe(6 + length);
  writePduHeader(out, 0, PduType.P_DATA_TF, length);
  let pos = 6;
  for (const pdv of pdvs) {
    writeU32(out, pos, pdv.data.length + 2);
    out[pos + 4] = pdv.contextId;
    out[pos + 5] = (pdv.isCommand ? MessageControlHeader.COMMAND : 0) | (pdv.isLast ? MessageControlHeader.LAST_FRAGMENT : 0);
    out.set(pdv.data, pos + PDV_ITEM_HEADER_LENGTH);
    pos += PDV_ITEM_HEADER_LENGTH + pdv.data.length;
  }
  return out;
}

/**
 * `body` is the PDU after its 6-byte header. An item-length under 2 (underflow) or past the PDU (overflow), an even or
 * zero context ID, no PDV at all, or more than `maxItems` PDVs are invalid-PDU-parameter-value (6).
 */
export function decodePDataTf(body: Uint8Array, limits?: PduLimits): PDataTf {
  return decodePDataTfParts([body], 0, limits);
}

/**
 * `decodePDataTf` of a PDU held as several views (one that spanned socket reads), its body starting at `start` of the
 * first: nothing is joined or copied. A PDV whose data runs from one view into the next comes out as consecutive
 * fragments of the same message, all but the last with isLast clear, which the DIMSE layer reassembles as it does any
 * fragmentation (PS3.8 Annex E). The item count and every check are those of the PDU as sent.
 */
export function decodePDataTfParts(parts: readonly Uint8Array[], start: number, limits?: PduLimits): PDataTf {
  const maxItems = limits?.maxItems ?? DEFAULT_PDU_LIMITS.maxItems;
  let end = -start;
  for (const part of parts) end += part.length;
  if (end <= 0) throw pduError(6, 'P-DATA-TF holds no presentation data value item', 0);
  const pdvs: Pdv[] = [];
  // The cursor: byte `at` of parts[index]; `pos` counts bytes of the body.
  let index = 0;
  let at = start;
  const next = (): Uint8Array => {
    let part = parts[index]!;
    while (at >= part.length) {
      part = parts[++index]!;
      at = 0;
    }
    return part;
  };
  const byte = (): number => next()[at++]!;
  let items = 0;
  let pos = 0;
  while (pos < end) {
    if (end - pos < 4) throw pduError(6, `P-DATA-TF ends with ${end - pos} bytes, too few for a PDV item-length`, pos);
    const length = byte() * 0x1000000 + ((byte() << 16) | (byte() << 8) | byte());
    if (length < 2) throw pduError(6, `PDV item-length ${length} is less than 2`, pos);
    const itemEnd = pos + 4 + length;
    if (itemEnd > end) throw pduError(6, `PDV item-length ${length} runs ${itemEnd - end} bytes past the P-DATA-TF`, pos);
    if (items++ >= maxItems) throw pduError(6, `P-DATA-TF has more than ${maxItems} PDV items`, pos);
    const contextId = byte();
    if ((contextId & 1) === 0) throw pduError(6, `PDV presentation context ID ${contextId} is not an odd number 1-255`, pos + 4);
    const control = byte();
    const isCommand = (control & MessageControlHeader.COMMAND) !== 0;
    const isLast = (control & MessageControlHeader.LAST_FRAGMENT) !== 0;
    let left = length - 2;
    if (left === 0) pdvs.push({ contextId, isCommand, isLast, data: parts[index]!.subarray(at, at) });
    while (left > 0) {
      const part = next();
      const take = Math.min(left, part.length - at);
      left -= take;
      pdvs.push({ contextId, isCommand, isLast: isLast && left === 0, data: part.subarray(at, at + take) });
      at += take;
    }
    pos = itemEnd;
  }
  return { type: PduType.P_DATA_TF, pdvs };
}
