/**
 * Byte helpers shared by the PDU codecs (PS3.8 §9.3.1: big endian, strings of ISO 646 characters). Nothing here
 * allocates from a length read off the wire.
 */
import { DicomEncodeError, PduDecodeError } from '../../core/errors.js';

/** PDU-type, reserved and the 4-byte PDU-length (PS3.8 Table 9-11 bytes 1–6). */
export const PDU_HEADER_LENGTH = 6;

/** Longest UID (PS3.5 §9.1). */
const UID_MAX_LENGTH = 64;

export function readU16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

export function readU32(b: Uint8Array, at: number): number {
  return b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}

export function writeU16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v;
}

export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

/** Writes the 6-byte PDU header (type, reserved 0, length) at `at`. */
export function writePduHeader(b: Uint8Array, at: number, type: number, length: number): void {
  b[at] = type;
  b[at + 1] = 0;
  writeU32(b, at + 2, length);
}

export const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/**
 * A decode failure at `bodyOffset` in a PDU body. Offsets in PduDecodeError count from the PDU-type byte, as PS3.8
 * numbers PDU bytes (byte 1 there is offset 0 here), so the 6-byte header is added.
 */
export function pduError(reason: 0 | 1 | 2 | 4 | 5 | 6, message: string, bodyOffset: number): PduDecodeError {
  return new PduDecodeError(reason, message, bodyOffset + PDU_HEADER_LENGTH);
}

/**
 * A copy of `b[start, end)` in a new plain Uint8Array. (Not `b.slice()`: on a Node Buffer, which the reader hands
 * out, `slice` returns a view.)
 */
export function copyBytes(b: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(b.subarray(start, end));
}

/** Characters of the ISO 646 basic G0 set allowed in AE titles and UIDs: printable ASCII. */
const isPrintable = (c: number): boolean => c >= 0x20 && c <= 0x7e;

/**
 * A 16-byte AE title field: leading and trailing spaces are not significant (PS3.8 Table 9-11); trailing NULs, which
 * some peers send, are dropped too. `strict` rejects anything but printable ASCII (A-ASSOCIATE-RQ); the A-ASSOCIATE-AC
 * copies are "not tested" (PS3.8 Table 9-17) and are read as Latin-1.
 */
export function decodeAeTitle(b: Uint8Array, at: number, strict: boolean, what: string): string {
  let s = at;
  let e = at + 16;
  while (s < e && (b[s] === 0x20 || b[s] === 0)) s++;
  while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0)) e--;
  let out = '';
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (strict && !isPrintable(c)) throw pduError(6, `${what} has a byte ${hex2(c)} that is not an ISO 646 character`, i);
    out += String.fromCharCode(c);
  }
  return out;
}

/** Reads a UID field of an item: a trailing NUL pad (or space, sent by a few peers) is dropped. */
export function decodeUid(b: Uint8Array, start: number, end: number, what: string): string {
  const text = tryDecodeUid(b, start, end);
  if (text === undefined) {
    throw pduError(6, `${what} is not a UID of at most ${UID_MAX_LENGTH} printable characters`, start);
  }
  return text;
}

/** As decodeUid, but `undefined` instead of an error (for fields whose value is not tested). */
export function tryDecodeUid(b: Uint8Array, start: number, end: number): string | undefined {
  while (end > start && (b[end - 1] === 0 || b[end - 1] === 0x20)) end--;
  if (end - start > UID_MAX_LENGTH) return undefined;
  let out = '';
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (!isPrintable(c)) return undefined;
    out += String.fromCharCode(c);
  }
  return out;
}

/** A short text field (Implementation Version Name): printable ASCII, trailing spaces and NULs dropped. */
export function decodeShortText(b: Uint8Array, start: number, end: number, max: number, what: string): string {
  while (end > start && (b[end - 1] === 0 || b[end - 1] === 0x20)) end--;
  if (end - start > max) throw pduError(6, `${what} is longer than ${max} characters`, start);
  let out = '';
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (!isPrintable(c)) throw pduError(6, `${what} has a byte ${hex2(c)} that is not an ISO 646 character`, i);
    out += String.fromCharCode(c);
  }
  return out;
}

/**
 * A growable byte buffer for the association PDUs (built once per association, so simplicity beats speed). Lengths
 * are reserved with `mark16`/`mark32` and written by `end16`/`end32` once the content is known.
 */
export class ByteWriter {
  #buf: Uint8Array;
  #len = 0;

  constructor(initial = 512) {
    this.#buf = new Uint8Array(initial);
  }

  get length(): number {
    return this.#len;
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  u8(v: number): this {
    this.#room(1);
    this.#buf[this.#len++] = v;
    return this;
  }

  u16(v: number): this {
    this.#room(2);
    writeU16(this.#buf, this.#len, v);
    this.#len += 2;
    return this;
  }

  u32(v: number): this {
    this.#room(4);
    writeU32(this.#buf, this.#len, v);
    this.#len += 4;
    return this;
  }

  zeros(n: number): this {
    this.#room(n);
    this.#buf.fill(0, this.#len, this.#len + n);
    this.#len += n;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#room(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  /** Printable ASCII only; anything else is a DicomEncodeError naming `what`. */
  ascii(text: string, what: string): this {
    this.#room(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (!isPrintable(c)) throw new DicomEncodeError(`${what} ${JSON.stringify(text)} has a character outside ISO 646`);
      this.#buf[this.#len++] = c;
    }
    return this;
  }

  /** Reserves a 2-byte length field; returns its position for `end16`. */
  mark16(): number {
    const at = this.#len;
    this.u16(0);
    return at;
  }

  /** Writes the number of bytes after the length field at `at`. */
  end16(at: number, what: string): void {
    const n = this.#len - at - 2;
    if (n > 0xffff) throw new DicomEncodeError(`${what} is ${n} bytes; an item holds at most 65535`);
    writeU16(this.#buf, at, n);
  }

  mark32(): number {
    const at = this.#len;
    this.u32(0);
    return at;
  }

  end32(at: number): void {
    writeU32(this.#buf, at, this.#len - at - 4);
  }

  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}

/** Encodes an AE title into its 16-byte field, space padded (PS3.8 Table 9-11). */
export function writeAeTitle(w: ByteWriter, title: string, what: string): void {
  if (title.length > 16) throw new DicomEncodeError(`${what} ${JSON.stringify(title)} is longer than 16 characters`);
  if (title.includes('\\')) throw new DicomEncodeError(`${what} ${JSON.stringify(title)} contains a backslash`);
  w.ascii(title, what);
  for (let i = title.length; i < 16; i++) w.u8(0x20);
}

/** Writes a UID (no padding inside items, PS3.8 Annex F) after checking its length. */
export function writeUid(w: ByteWriter, uid: string, what: string): void {
  if (uid.length > UID_MAX_LENGTH) throw new DicomEncodeError(`${what} ${JSON.stringify(uid)} is longer than ${UID_MAX_LENGTH} characters`);
  w.ascii(uid, what);
}
