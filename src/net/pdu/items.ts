/**
 * The items of the A-ASSOCIATE-RQ/AC variable field (PS3.8 §9.3.2.1–9.3.2.3, §9.3.3.1–9.3.3.3): Application Context
 * (0x10), Presentation Context RQ (0x20) / AC (0x21) with their Abstract Syntax (0x30) and Transfer Syntax (0x40)
 * sub-items. Every item is type (1), reserved (1), item-length (2), value.
 */
import { DicomEncodeError } from '../../core/errors.js';
import { type ByteWriter, decodeUid, hex2, pduError, readU16, tryDecodeUid, writeUid } from './bytes.js';
import type { ResolvedPduLimits } from './limits.js';
import type { PresentationContextAc, PresentationContextResultCode, PresentationContextRq } from './types.js';

export const ItemType = {
  APPLICATION_CONTEXT: 0x10,
  PRESENTATION_CONTEXT_RQ: 0x20,
  PRESENTATION_CONTEXT_AC: 0x21,
  ABSTRACT_SYNTAX: 0x30,
  TRANSFER_SYNTAX: 0x40,
  USER_INFORMATION: 0x50,
  MAXIMUM_LENGTH: 0x51,
  IMPLEMENTATION_CLASS_UID: 0x52,
  ASYNCHRONOUS_OPERATIONS_WINDOW: 0x53,
  SCP_SCU_ROLE_SELECTION: 0x54,
  IMPLEMENTATION_VERSION_NAME: 0x55,
  SOP_CLASS_EXTENDED_NEGOTIATION: 0x56,
  SOP_CLASS_COMMON_EXTENDED_NEGOTIATION: 0x57,
  USER_IDENTITY_RQ: 0x58,
  USER_IDENTITY_AC: 0x59,
} as const;

/** The DICOM Application Context Name (PS3.7 Annex A.2.1). */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/**
 * Checks the item header at `pos` (type, reserved, 2-byte length) against its container ending at `end` and returns
 * where the item's value ends. Lengths that run past the container are invalid-PDU-parameter-value (6).
 */
export function itemEnd(b: Uint8Array, pos: number, end: number, container: string): number {
  if (end - pos < 4) throw pduError(6, `${container}: ${end - pos} trailing bytes are too few for an item header`, pos);
  const length = readU16(b, pos + 2);
  const valueEnd = pos + 4 + length;
  if (valueEnd > end) {
    throw pduError(6, `${container}: item ${hex2(b[pos])} length ${length} runs ${valueEnd - end} bytes past its container`, pos + 2);
  }
  return valueEnd;
}

/** Counts one more item of a list; a list longer than `maxItems` is refused (zero-length item floods). */
export function countItem(count: number, limits: ResolvedPduLimits, container: string, pos: number): number {
  if (count >= limits.maxItems) throw pduError(6, `${container} has more than ${limits.maxItems} items`, pos);
  return count + 1;
}

/** Odd, 1–255 (PS3.8 §9.3.2.2). */
export function checkPresentationContextId(id: number, at: number): void {
  if ((id & 1) === 0) throw pduError(6, `presentation context ID ${id} is not an odd number 1-255`, at);
}

function writeItem(w: ByteWriter, type: number, uid: string, what: string): void {
  w.u8(type).u8(0);
  const at = w.mark16();
  writeUid(w, uid, what);
  w.end16(at, what);
}

export function writeApplicationContextItem(w: ByteWriter, name: string): void {
  writeItem(w, ItemType.APPLICATION_CONTEXT, name, 'application context name');
}

export function checkEncodeContextId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > 255 || (id & 1) === 0) {
    throw new DicomEncodeError(`presentation context ID ${id} is not an odd number 1-255`);
  }
}

/** Presentation Context Item, RQ (PS3.8 Table 9-13): ID, 3 reserved, one abstract syntax, 1..n transfer syntaxes. */
export function writePresentationContextRqItem(w: ByteWriter, pc: PresentationContextRq): void {
  checkEncodeContextId(pc.id);
  if (pc.transferSyntaxes.length === 0) throw new DicomEncodeError(`presentation context ${pc.id} proposes no transfer syntax`);
  w.u8(ItemType.PRESENTATION_CONTEXT_RQ).u8(0);
  const at = w.mark16();
  w.u8(pc.id).zeros(3);
  writeItem(w, ItemType.ABSTRACT_SYNTAX, pc.abstractSyntax, 'abstract syntax name');
  for (const ts of pc.transferSyntaxes) writeItem(w, ItemType.TRANSFER_SYNTAX, ts, 'transfer syntax name');
  w.end16(at, `presentation context ${pc.id}`);
}

/**
 * Presentation Context Item, AC (PS3.8 Table 9-18): ID, reserved, result/reason, reserved, one transfer syntax. The
 * sub-item is always written; when the context is not accepted its value is not significant and may be empty.
 */
export function writePresentationContextAcItem(w: ByteWriter, pc: PresentationContextAc): void {
  checkEncodeContextId(pc.id);
  w.u8(ItemType.PRESENTATION_CONTEXT_AC).u8(0);
  const at = w.mark16();
  w.u8(pc.id).u8(0).u8(pc.result).u8(0);
  writeItem(w, ItemType.TRANSFER_SYNTAX, pc.transferSyntax, 'transfer syntax name');
  w.end16(at, `presentation context ${pc.id}`);
}

/** The value of a Presentation Context Item (RQ) from `start` to `end`. Unrecognized sub-items are skipped (§9.3.1). */
export function decodePresentationContextRqItem(
  b: Uint8Array,
  start: number,
  end: number,
  limits: ResolvedPduLimits,
): PresentationContextRq {
  if (end - start < 4) throw pduError(6, `presentation context item is ${end - start} bytes, shorter than its 4 fixed bytes`, start);
  const id = b[start];
  checkPresentationContextId(id, start);
  const where = `presentation context ${id}`;
  let abstractSyntax: string | undefined;
  const transferSyntaxes: string[] = [];
  let count = 0;
  for (let pos = start + 4; pos < end; ) {
    const valueEnd = itemEnd(b, pos, end, where);
    count = countItem(count, limits, where, pos);
    const type = b[pos];
    if (type === ItemType.ABSTRACT_SYNTAX) {
      if (abstractSyntax !== undefined) throw pduError(5, `${where} has more than one abstract syntax sub-item`, pos);
      abstractSyntax = decodeUid(b, pos + 4, valueEnd, `${where} abstract syntax name`);
    } else if (type === ItemType.TRANSFER_SYNTAX) {
      transferSyntaxes.push(decodeUid(b, pos + 4, valueEnd, `${where} transfer syntax name`));
    }
    pos = valueEnd;
  }
  if (abstractSyntax === undefined || abstractSyntax === '') throw pduError(6, `${where} has no abstract syntax sub-item`, start);
  if (transferSyntaxes.length === 0) throw pduError(6, `${where} has no transfer syntax sub-item`, start);
  return { id, abstractSyntax, transferSyntaxes };
}

/**
 * The value of a Presentation Context Item (AC). A result other than acceptance makes the transfer syntax not
 * significant (PS3.8 Table 9-18): it is then not tested, may be missing, and reads as '' unless it is a clean UID.
 */
export function decodePresentationContextAcItem(
  b: Uint8Array,
  start: number,
  end: number,
  limits: ResolvedPduLimits,
): PresentationContextAc {
  if (end - start < 4) throw pduError(6, `presentation context item is ${end - start} bytes, shorter than its 4 fixed bytes`, start);
  const id = b[start];
  checkPresentationContextId(id, start);
  const where = `presentation context ${id}`;
  const result = b[start + 2];
  if (result > 4) throw pduError(6, `${where} has result/reason ${result}, not 0-4`, start + 2);
  let transferSyntax: string | undefined;
  let count = 0;
  for (let pos = start + 4; pos < end; ) {
    const valueEnd = itemEnd(b, pos, end, where);
    count = countItem(count, limits, where, pos);
    if (b[pos] === ItemType.TRANSFER_SYNTAX) {
      if (transferSyntax !== undefined) throw pduError(5, `${where} has more than one transfer syntax sub-item`, pos);
      transferSyntax =
        result === 0
          ? decodeUid(b, pos + 4, valueEnd, `${where} transfer syntax name`)
          : (tryDecodeUid(b, pos + 4, valueEnd) ?? '');
    }
    pos = valueEnd;
  }
  if (result === 0 && (transferSyntax === undefined || transferSyntax === '')) {
    throw pduError(6, `${where} is accepted but has no transfer syntax`, start);
  }
  return { id, result: result as PresentationContextResultCode, transferSyntax: transferSyntax ?? '' };
}
