/**
 * Splits an encoded command set or data set into Presentation Data Values (PS3.8 §9.3.5.1, Annex E) that fit the
 * peer's Maximum Length (PS3.8 §D.1): that limit bounds the variable field of a P-DATA-TF PDU, which for one PDV
 * is the 4-byte PDV item length, the presentation context ID, the message control header and the data. So each
 * PDV carries at most `maxPduLength - 6` bytes. A maximum length of 0 means "no limit"; we still cut messages into
 * `NO_LIMIT_PDV_DATA` pieces so that a large data set streams.
 */
import { DicomEncodeError } from '../../core/errors.js';
import type { Pdv } from '../pdu/types.js';

/** Bytes of a one-PDV P-DATA-TF variable field that are not data: item length (4), context ID (1), header (1). */
export const PDV_OVERHEAD = 6;

/** PDV data size used when the peer sets no limit (Maximum Length 0). */
export const NO_LIMIT_PDV_DATA = 1024 * 1024;

/**
 * The most data one PDV may carry when the peer's Maximum Length is `maxPduLength`. Throws `DicomEncodeError`
 * for a value that leaves no room for data (1–6) or is not a 32-bit unsigned integer.
 */
export function maxPdvData(maxPduLength: number): number {
  if (!Number.isInteger(maxPduLength) || maxPduLength < 0 || maxPduLength > 0xffffffff) {
    throw new DicomEncodeError(`invalid maximum PDU length ${maxPduLength}`);
  }
  if (maxPduLength === 0) return NO_LIMIT_PDV_DATA;
  if (maxPduLength <= PDV_OVERHEAD) throw new DicomEncodeError(`maximum PDU length ${maxPduLength} leaves no room for data`);
  return maxPduLength - PDV_OVERHEAD;
}

/**
 * The PDVs of one message fragment (its command set or its data set). Each PDV's data is a subarray of `bytes`
 * (nothing is copied); only the last has `isLast`. An empty message is one empty last PDV.
 */
export function* pdvsFor(contextId: number, isCommand: boolean, bytes: Uint8Array, maxPduLength: number): Generator<Pdv> {
  const max = maxPdvData(maxPduLength);
  let offset = 0;
  do {
    const end = Math.min(offset + max, bytes.length);
    yield { contextId, isCommand, isLast: end === bytes.length, data: bytes.subarray(offset, end) };
    offset = end;
  } while (offset < bytes.length);
}

/**
 * The PDVs of a message whose bytes arrive as a stream (a data set read from a file). Chunks of any size are
 * re-cut to full PDVs; a PDV is held back until the next byte arrives or the stream ends, so only the final one is
 * marked last, and no more than one PDV of data is held at a time. Where a chunk covers a whole PDV its data is
 * a subarray of the chunk (the producer must not reuse a chunk's memory after yielding it); otherwise the bytes are
 * copied into a new PDV-sized buffer. An empty stream gives one empty last PDV.
 */
export async function* pdvsForStream(
  contextId: number,
  isCommand: boolean,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxPduLength: number,
): AsyncGenerator<Pdv> {
  const max = maxPdvData(maxPduLength);
  /** A full PDV waiting to learn whether it is the last. */
  let held: Uint8Array | undefined;
  /** A PDV being filled from several chunks. */
  let partial: Uint8Array | undefined;
  let filled = 0;
  for await (const chunk of source) {
    let offset = 0;
    while (offset < chunk.length) {
      if (held !== undefined) {
        yield { contextId, isCommand, isLast: false, data: held };
        held = undefined;
      }
      if (filled === 0 && chunk.length - offset >= max) {
        held = chunk.subarray(offset, offset + max);
        offset += max;
        continue;
      }
      partial ??= new Uint8Array(max);
      const n = Math.min(max - filled, chunk.length - offset);
      partial.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === max) {
        held = partial;
        partial = undefined;
        filled = 0;
      }
    }
  }
  // A held PDV means nothing was added after it (`partial` is empty): it is the last one.
  if (held !== undefined) yield { contextId, isCommand, isLast: true, data: held };
  else yield { contextId, isCommand, isLast: true, data: partial === undefined ? new Uint8Array(0) : partial.subarray(0, filled) };
}
