/**
 * A push parser for the Upper Layer byte stream (after pg-protocol's parser): `push(chunk)` returns every PDU the
 * chunk completes and keeps the partial tail. It never touches a socket.
 *
 * Bounds: a PDU header is checked (type, then PDU-length against the cap for that type) as soon as its bytes arrive,
 * before any body is held; nothing is ever allocated from a declared length. A PDU that spans chunks is kept as a list
 * of views of those chunks until its last byte arrives, so the reader holds at most one PDU (within its cap) plus the
 * chunk its first bytes came in. Small pieces (a peer dribbling a few bytes per segment) are copied
 * into a staging buffer that grows with the bytes received, so thousands of tiny chunks cost no more than their bytes.
 * A PDU that lies wholly inside one chunk is decoded from a view of it, and the PDV data of a P-DATA-TF are views of
 * the chunks it came in (a PDV that straddles two comes out as two fragments of its message): nothing is copied.
 * Only the other PDU types, small ones, are joined when they span chunks.
 *
 * After a PduDecodeError the reader is spent: every later push throws the same error (the association is aborted
 * with `error.abortReason`). PDUs completed earlier in the failing chunk are not returned.
 */
import { PDU_HEADER_LENGTH, readU32 } from './bytes.js';
import { type ResolvedPduLimits, resolvePduLimits } from './limits.js';
import { decodePDataTfParts } from './p-data-tf.js';
import { checkPduHeader, checkPduType, decodePduBody } from './pdu-codec.js';
import { type Pdu, type PduLimits, PduType } from './types.js';

/** Pieces at least this long are kept as views of their chunk; shorter ones are copied into the staging buffer. */
const VIEW_MIN = 1024;
/** Staging buffers start this small and double up to STAGE_MAX, never past the bytes the PDU still needs. */
const STAGE_MIN = 256;
const STAGE_MAX = 16 * 1024;

export class PduReader {
  readonly #limits: ResolvedPduLimits;
  /** Header bytes of the current PDU while fewer than 6 have arrived. */
  readonly #head = new Uint8Array(PDU_HEADER_LENGTH);
  /** The bytes of the current PDU once its header is complete: views of chunks and filled staging buffers, in order. */
  #parts: Uint8Array[] = [];
  /** Staging buffer for small pieces (the last part, not yet in #parts) and how much of it is filled. */
  #stage: Uint8Array | undefined;
  #staged = 0;
  /** Bytes of the current PDU held (in #head while < 6, else in #parts). */
  #have = 0;
  /** Size of the current PDU, header included; 0 while its header is incomplete. */
  #need = 0;
  #error: unknown;

  constructor(limits?: PduLimits) {
    this.#limits = resolvePduLimits(limits);
  }

  /** Bytes held for a PDU that is not complete yet. */
  get buffered(): number {
    return this.#have;
  }

  /** Feeds the next chunk of the stream; returns the PDUs it completes, in order. Throws PduDecodeError. */
  push(chunk: Uint8Array): Pdu[] {
    if (this.#error !== undefined) throw this.#error;
    try {
      return this.#push(chunk);
    } catch (error) {
      this.#error = error;
      this.#parts = [];
      this.#stage = undefined;
      this.#have = 0;
      throw error;
    }
  }

  #push(chunk: Uint8Array): Pdu[] {
    const out: Pdu[] = [];
    const len = chunk.length;
    let pos = 0;
    if (this.#have > 0) {
      pos = this.#continue(chunk, out);
      if (pos < 0) return out;
    }
    while (pos < len) {
      const type = chunk[pos];
      const left = len - pos;
      if (left < PDU_HEADER_LENGTH) {
        checkPduType(type);
        this.#head.set(chunk.subarray(pos));
        this.#have = left;
        this.#need = 0;
        break;
      }
      const need = checkPduHeader(type, readU32(chunk, pos + 2), this.#limits);
      if (left >= need) {
        out.push(decodePduBody(type, chunk.subarray(pos + PDU_HEADER_LENGTH, pos + need), this.#limits));
        pos += need;
        continue;
      }
      this.#need = need;
      this.#add(chunk.subarray(pos));
      this.#have = left;
      break;
    }
    return out;
  }

  /** Completes the held PDU from `chunk`; returns where the chunk's unused bytes start, or -1 if it was all used. */
  #continue(chunk: Uint8Array, out: Pdu[]): number {
    const len = chunk.length;
    let pos = 0;
    if (this.#need === 0) {
      const head = this.#head;
      while (this.#have < PDU_HEADER_LENGTH && pos < len) head[this.#have++] = chunk[pos++];
      if (this.#have < PDU_HEADER_LENGTH) return -1;
      this.#need = checkPduHeader(head[0], readU32(head, 2), this.#limits);
      this.#have = 0;
      this.#add(head);
      this.#have = PDU_HEADER_LENGTH;
    }
    const take = Math.min(this.#need - this.#have, len - pos);
    if (take > 0) {
      this.#add(chunk.subarray(pos, pos + take));
      this.#have += take;
      pos += take;
    }
    if (this.#have < this.#need) return -1;
    this.#flushStage();
    const parts = this.#parts;
    const need = this.#need;
    this.#parts = [];
    this.#have = 0;
    this.#need = 0;
    const type = parts[0]![0]!;
    if (parts.length === 1) out.push(decodePduBody(type, parts[0]!.subarray(PDU_HEADER_LENGTH), this.#limits));
    // A P-DATA-TF is decoded from the views as they are: joining 64 KiB PDUs that straddle 64 KiB socket reads cost a
    // fresh buffer per PDU, and the garbage collector most of the receiving thread's time.
    else if (type === PduType.P_DATA_TF) out.push(decodePDataTfParts(parts, PDU_HEADER_LENGTH, this.#limits));
    else {
      const whole = join(parts, need);
      out.push(decodePduBody(type, whole.subarray(PDU_HEADER_LENGTH), this.#limits));
    }
    return pos < len ? pos : -1;
  }

  /** Appends a piece of the current PDU (#have not yet counting it): a view if long, else a copy into the stage. */
  #add(piece: Uint8Array): void {
    if (piece.length >= VIEW_MIN) {
      this.#flushStage();
      this.#parts.push(piece);
      return;
    }
    let stage = this.#stage;
    const filled = this.#staged;
    if (stage === undefined || filled + piece.length > stage.length) {
      // Grow with the bytes received (at most doubling), never past what this PDU still needs.
      const want = Math.max(STAGE_MIN, (stage?.length ?? 0) * 2, filled + piece.length);
      const capacity = Math.min(STAGE_MAX, this.#need - this.#have + filled, want);
      if (stage !== undefined && capacity >= filled + piece.length) {
        const grown = new Uint8Array(capacity);
        grown.set(stage.subarray(0, filled));
        stage = grown;
      } else {
        this.#flushStage();
        stage = new Uint8Array(Math.min(Math.max(STAGE_MIN, piece.length), this.#need - this.#have));
      }
      this.#stage = stage;
    }
    stage.set(piece, this.#staged);
    this.#staged += piece.length;
  }

  #flushStage(): void {
    if (this.#stage !== undefined && this.#staged > 0) this.#parts.push(this.#stage.subarray(0, this.#staged));
    this.#stage = undefined;
    this.#staged = 0;
  }
}

/** Joins the views holding one PDU into one buffer of exactly the bytes received. */
function join(parts: Uint8Array[], total: number): Uint8Array {
  const whole = Buffer.allocUnsafe(total);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}
