import { DESIGNATIONS, type GraphicSet, REPLACEMENT } from './graphic-sets.js';

/**
 * ISO 2022 code extension as DICOM uses it (PS3.5 §6.1.2.5): 8-bit code, G0 invoked in GL (0x21..0x7E), G1 in GR
 * (0xA0..0xFF), sets switched by designation escape sequences, and the initial designations (those of value 1 of
 * Specific Character Set) back in force at every delimiter.
 */

const ESC = 0x1b;

/** The state a value starts in, and what an encoder may designate. */
export interface Iso2022Context {
  readonly initialG0: GraphicSet;
  readonly initialG1: GraphicSet | null;
  /** Sets an encoder may designate, in order of preference (the order of the Defined Terms). Empty: no code extensions. */
  readonly designatable: readonly GraphicSet[];
}

/**
 * The bytes (all below 0x80) at which the initial designations are restored: CR, LF, FF, TAB always; `\` in
 * multi-valued VRs; `^` and `=` in PN (PS3.5 §6.1.2.5.3). Index by byte value; non-zero means delimiter.
 */
export type Delimiters = Uint8Array;

const delimiters = (chars: string): Delimiters => {
  const table = new Uint8Array(128);
  for (const c of `\r\n\f\t${chars}`) table[c.charCodeAt(0)] = 1;
  return table;
};

export const TEXT_DELIMITERS: Delimiters = delimiters('');
export const VALUE_DELIMITERS: Delimiters = delimiters('\\');
export const PN_DELIMITERS: Delimiters = delimiters('\\^=');

/** Length of the escape sequence at `i` (ESC, intermediates 0x20..0x2F, one final byte 0x30..0x7E), or 0. */
const escapeLength = (bytes: Uint8Array, i: number): number => {
  let j = i + 1;
  while (j < bytes.length && bytes[j] >= 0x20 && bytes[j] <= 0x2f) j++;
  if (j >= bytes.length || bytes[j] < 0x30 || bytes[j] > 0x7e || j === i + 1) return 0;
  return j + 1 - i;
};

const unitsToString = (units: Uint16Array, length: number): string => {
  let text = '';
  for (let i = 0; i < length; i += 0x2000) {
    text += String.fromCharCode.apply(null, units.subarray(i, Math.min(length, i + 0x2000)) as unknown as number[]);
  }
  return text;
};

/**
 * Decodes a whole value. Escape sequences switch G0/G1 (any set Portico knows is accepted, declared or not);
 * unknown escape sequences are kept as they are. A delimiter read as a single-byte G0 character, or CR/LF/FF/TAB,
 * restores the initial designations; inside a two-byte G0 set the bytes 0x5C, 0x5E, 0x3D are halves of a character,
 * not delimiters. GR bytes without a G1 set, and C1 bytes (0x80..0x9F), read as ISO 8859-1. Invalid bytes read as
 * U+FFFD.
 */
export const decodeIso2022 = (bytes: Uint8Array, context: Iso2022Context, delims: Delimiters): string => {
  const { initialG0, initialG1 } = context;
  const length = bytes.length;
  const out = new Uint16Array(length);
  let n = 0;
  let g0 = initialG0;
  let g1 = initialG1;
  let t0 = g0.table;
  let t1 = g1 === null ? null : g1.table;
  let i = 0;
  while (i < length) {
    const b = bytes[i];
    if (b === ESC) {
      const len = escapeLength(bytes, i);
      const designation = len === 0 ? undefined : DESIGNATIONS.get(latin1(bytes, i + 1, i + len));
      if (designation === undefined) {
        out[n++] = b;
        i++;
      } else {
        if (designation.element === 0) {
          g0 = designation.set;
          t0 = g0.table;
        } else {
          g1 = designation.set;
          t1 = g1.table;
        }
        i += len;
      }
      continue;
    }
    if (b < 0x80) {
      if (b <= 0x20 || b === 0x7f || g0.kind === 'single') {
        out[n++] = b <= 0x20 || b === 0x7f ? b : t0[b];
        i++;
        if (delims[b] === 1 && (g0 !== initialG0 || g1 !== initialG1)) {
          g0 = initialG0;
          g1 = initialG1;
          t0 = g0.table;
          t1 = g1 === null ? null : g1.table;
        }
        continue;
      }
      const b2 = i + 1 < length ? bytes[i + 1] : 0;
      if (b2 > 0x20 && b2 < 0x7f) {
        out[n++] = t0[(b - 0x21) * 94 + b2 - 0x21];
        i += 2;
      } else {
        out[n++] = REPLACEMENT;
        i++;
      }
      continue;
    }
    if (b < 0xa0 || g1 === null || t1 === null) {
      out[n++] = b;
      i++;
      continue;
    }
    if (g1.kind === 'single') {
      out[n++] = t1[b & 0x7f];
      i++;
      continue;
    }
    const b2 = i + 1 < length ? bytes[i + 1] : 0;
    if (b >= 0xa1 && b <= 0xfe && b2 >= 0xa1 && b2 <= 0xfe) {
      out[n++] = t1[(b - 0xa1) * 94 + b2 - 0xa1];
      i += 2;
    } else {
      out[n++] = REPLACEMENT;
      i++;
    }
  }
  return unitsToString(out, n);
};

const latin1 = (bytes: Uint8Array, start: number, end: number): string =>
  String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);

/** Growable byte buffer for the encoder. */
class ByteSink {
  bytes = new Uint8Array(64);
  length = 0;

  #reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  push(b: number): void {
    this.#reserve(1);
    this.bytes[this.length++] = b;
  }

  pushAll(bs: Uint8Array): void {
    this.#reserve(bs.length);
    this.bytes.set(bs, this.length);
    this.length += bs.length;
  }

  insertAt(at: number, bs: Uint8Array): void {
    this.#reserve(bs.length);
    this.bytes.copyWithin(at + bs.length, at, this.length);
    this.bytes.set(bs, at);
    this.length += bs.length;
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** A character no set can represent: the encoder reports it with its offset in the string. */
export interface Unencodable {
  readonly codePoint: number;
  readonly index: number;
}

/**
 * Encodes a whole value with the fewest escape sequences, in the form of the examples of PS3.5 Annexes H, I and K:
 *
 * - a character is written in the current G0 or G1 if either has it, else in the first designatable set that has
 *   it, after that set's designation escape sequence;
 * - before a delimiter (and at the end of the value) G0 is switched back to the initial G0 if it was changed
 *   (`ESC ( B` in H.3.1, `ESC ( J` in H.3.2); G1 is not switched back explicitly, it is taken to be the initial G1
 *   again after the delimiter, so a G1 set is designated anew in each component that uses it (I.2, K.2);
 * - KS X 1001 is designated at the head of the line or component that uses it (I.3), other sets just before the
 *   first character that needs them (K.3).
 *
 * Control characters are written as they are. Returns the bytes, or the first character that cannot be encoded.
 */
export const encodeIso2022 = (
  text: string,
  context: Iso2022Context,
  delims: Delimiters,
): Uint8Array | Unencodable => {
  const { initialG0, initialG1, designatable } = context;
  const sink = new ByteSink();
  let g0 = initialG0;
  let g1 = initialG1;
  let segmentStart = 0;
  let segmentUsedG1 = false;
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const at = index;
    index += ch.length;
    if (cp < 0x80 && delims[cp] === 1) {
      if (g0 !== initialG0) {
        sink.pushAll(initialG0.escape);
        g0 = initialG0;
      }
      g1 = initialG1;
      sink.push(cp);
      segmentStart = sink.length;
      segmentUsedG1 = false;
      continue;
    }
    if (cp < 0x20 || cp === 0x7f) {
      sink.push(cp);
      continue;
    }
    let code = g0.encode(cp);
    if (code !== undefined) {
      writeCode(sink, g0, code, 0);
      continue;
    }
    if (g1 !== null) {
      code = g1.encode(cp);
      if (code !== undefined) {
        writeCode(sink, g1, code, 0x80);
        segmentUsedG1 = true;
        continue;
      }
    }
    let found: GraphicSet | undefined;
    for (const set of designatable) {
      if (set === g0 || set === g1) continue;
      code = set.encode(cp);
      if (code !== undefined) {
        found = set;
        break;
      }
    }
    if (found === undefined || code === undefined) return { codePoint: cp, index: at };
    if (found.element === 0) {
      sink.pushAll(found.escape);
      g0 = found;
      writeCode(sink, found, code, 0);
    } else {
      if (found.designateAtSegmentStart && !segmentUsedG1) sink.insertAt(segmentStart, found.escape);
      else sink.pushAll(found.escape);
      g1 = found;
      segmentUsedG1 = true;
      writeCode(sink, found, code, 0x80);
    }
  }
  if (g0 !== initialG0) sink.pushAll(initialG0.escape);
  return sink.result();
};

const writeCode = (sink: ByteSink, set: GraphicSet, code: number, high: number): void => {
  if (set.kind === 'double') {
    sink.push((code >> 8) | high);
    sink.push((code & 0xff) | high);
  } else {
    sink.push(code | high);
  }
};
