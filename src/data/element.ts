import { DicomValueError } from '../core/errors.js';
import type { BulkDataRef, EncapsulatedPixelData } from './bulk-data.js';
import type { Dataset } from './dataset.js';
import { type DecodeContext, LITTLE_ENDIAN_DEFAULT } from './decode-context.js';
import { formatTag, type Tag } from './tag.js';
import { type VR, VR_INFO } from './vr.js';

/**
 * The decoded value of an element, by VR kind:
 * strings (AE AS CS DA DS DT IS LO PN SH TM UC UI, one string per value; LT ST UT UR as one string),
 * numbers (US SS UL SL FL FD; AT as tags), bigints (SV UV), bytes in little-endian order (OB OD OF OL OV OW UN),
 * items (SQ), encapsulated pixel data, or a reference to bytes left in a file.
 */
export type ElementValue =
  | readonly string[]
  | readonly number[]
  | readonly bigint[]
  | Uint8Array
  | readonly Dataset[]
  | EncapsulatedPixelData
  | BulkDataRef;

/**
 * A data element. Values read from a file keep their raw bytes and decoding context and are decoded on first
 * read (pydicom's RawDataElement), so that parsing stays cheap and unchanged elements are written back as they came.
 */
export class Element {
  #buf: Uint8Array | undefined;
  #offset = 0;
  #length = 0;
  #ctx: DecodeContext = LITTLE_ENDIAN_DEFAULT;
  #value: ElementValue | undefined;
  /** For SQ: whether the sequence was read with undefined length; unset for new sequences (written undefined). */
  undefinedLength: boolean | undefined;

  constructor(
    readonly tag: Tag,
    readonly vr: VR,
    value?: ElementValue,
  ) {
    this.#value = value;
  }

  /** An element whose value is `length` bytes of `buf` at `offset`, encoded as `ctx` says. */
  static fromRaw(tag: Tag, vr: VR, buf: Uint8Array, offset: number, length: number, ctx: DecodeContext): Element {
    const e = new Element(tag, vr);
    e.#buf = buf;
    e.#offset = offset;
    e.#length = length;
    e.#ctx = ctx;
    return e;
  }

  /** The raw value bytes as read (in the source byte order and character set), if this element has them. */
  get raw(): Uint8Array | undefined {
    return this.#buf?.subarray(this.#offset, this.#offset + this.#length);
  }

  /** The context the raw bytes were read with. */
  get context(): DecodeContext {
    return this.#ctx;
  }

  /** Length of the raw value as read (undefined for values set in code). */
  get rawLength(): number | undefined {
    return this.#buf === undefined ? undefined : this.#length;
  }

  get hasRaw(): boolean {
    return this.#buf !== undefined;
  }

  get value(): ElementValue {
    if (this.#value === undefined) {
      this.#value = this.#buf ? decodeValue(this.vr, this.#buf, this.#offset, this.#length, this.#ctx) : EMPTY;
    }
    return this.#value;
  }

  set value(value: ElementValue) {
    this.#value = value;
    this.#buf = undefined;
  }

  /** Values as strings (for string VRs the values; numbers formatted; empty for binary and SQ). */
  get strings(): readonly string[] {
    const v = this.value;
    if (Array.isArray(v)) {
      if (v.length === 0 || typeof v[0] === 'string') return v as readonly string[];
      if (this.vr === 'AT') return (v as number[]).map(formatTag);
      if (typeof v[0] === 'number' || typeof v[0] === 'bigint') return (v as number[]).map(String);
    }
    return [];
  }

  /** The first value as a string, or undefined when there is none. */
  get string(): string | undefined {
    return this.strings[0];
  }

  /** Values as numbers: US SS UL SL FL FD AT directly, IS and DS parsed. */
  get numbers(): readonly number[] {
    const v = this.value;
    if (!Array.isArray(v) || v.length === 0) return [];
    if (typeof v[0] === 'number') return v as readonly number[];
    if (typeof v[0] === 'bigint') return (v as bigint[]).map(Number);
    if (this.vr === 'IS' || this.vr === 'DS') {
      return (v as string[]).map((s) => {
        const n = Number(s.trim());
        if (s.trim() === '' || !Number.isFinite(n)) throw new DicomValueError(this.vr, `${formatTag(this.tag)}: '${s}' is not a number`);
        return n;
      });
    }
    return [];
  }

  get number(): number | undefined {
    return this.numbers[0];
  }

  get items(): readonly Dataset[] {
    return this.vr === 'SQ' ? (this.value as readonly Dataset[]) : [];
  }

  /** Number of values (VM) as DICOM counts them. */
  get vm(): number {
    const v = this.value;
    if (Array.isArray(v)) return this.vr === 'SQ' ? 1 : v.length;
    if (v instanceof Uint8Array) return v.length > 0 ? 1 : 0;
    return 1;
  }
}

const EMPTY: readonly string[] = Object.freeze([]);

/** Decodes raw value bytes by VR. Exported for the writer's transcoding path and for tests. */
export function decodeValue(vr: VR, buf: Uint8Array, offset: number, length: number, ctx: DecodeContext): ElementValue {
  const info = VR_INFO[vr];
  switch (info.kind) {
    case 'string':
    case 'text': {
      if (length === 0) return EMPTY;
      const text = info.charset ? ctx.charset.decode(buf.subarray(offset, offset + length), vr) : latin1(buf, offset, offset + length);
      return splitAndTrim(vr, text, info.kind === 'text');
    }
    case 'number':
    case 'tag':
    case 'bigint':
      return decodeNumbers(vr, buf, offset, length, ctx.littleEndian);
    case 'binary': {
      const bytes = buf.subarray(offset, offset + length);
      if (ctx.littleEndian || info.size === 1) return bytes;
      return swapBytes(bytes, info.size);
    }
    case 'sequence':
      // Sequences are parsed by the reader into items; raw SQ bytes only exist for UN re-read as SQ.
      return [];
  }
}

/** ISO 8859-1 text of `buf[start, end)` without creating a view (the parser's windows are Buffers). */
const latin1 = (buf: Uint8Array, start: number, end: number): string =>
  Buffer.isBuffer(buf) ? buf.toString('latin1', start, end) : Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');

// Leading spaces are insignificant for these (PS3.5 Table 6.2-1); for LO, SH, PN, UC, AE... only trailing ones.
const TRIM_LEADING: ReadonlySet<VR> = new Set<VR>(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM']);

/**
 * Splits a decoded string into values and removes padding in one pass: trailing spaces and NULs always, leading
 * spaces where PS3.5 Table 6.2-1 says they are insignificant. Text VRs (LT ST UT UR) are single-valued and keep
 * leading spaces.
 */
function splitAndTrim(vr: VR, text: string, isText: boolean): readonly string[] {
  const trimLeading = !isText && TRIM_LEADING.has(vr);
  const out: string[] = [];
  let start = 0;
  const n = text.length;
  for (;;) {
    let end = isText ? n : text.indexOf('\\', start);
    if (end < 0) end = n;
    let a = start;
    let b = end;
    if (trimLeading) while (a < b && text.charCodeAt(a) === 0x20) a++;
    while (b > a) {
      const c = text.charCodeAt(b - 1);
      if (c !== 0x20 && c !== 0) break;
      b--;
    }
    out.push(a === 0 && b === n ? text : text.slice(a, b));
    if (end === n) return out;
    start = end + 1;
  }
}

function decodeNumbers(vr: VR, buf: Uint8Array, offset: number, length: number, le: boolean): number[] | bigint[] {
  const size = VR_INFO[vr].size;
  const count = Math.floor(length / size);
  const view = new DataView(buf.buffer, buf.byteOffset + offset, length);
  if (vr === 'SV' || vr === 'UV') {
    const out: bigint[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = vr === 'SV' ? view.getBigInt64(i * 8, le) : view.getBigUint64(i * 8, le);
    return out;
  }
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const p = i * size;
    switch (vr) {
      case 'US': out[i] = view.getUint16(p, le); break;
      case 'SS': out[i] = view.getInt16(p, le); break;
      case 'UL': out[i] = view.getUint32(p, le); break;
      case 'SL': out[i] = view.getInt32(p, le); break;
      case 'FL': out[i] = view.getFloat32(p, le); break;
      case 'FD': out[i] = view.getFloat64(p, le); break;
      case 'AT': out[i] = ((view.getUint16(p, le) << 16) | view.getUint16(p + 2, le)) >>> 0; break;
    }
  }
  return out;
}

/** A copy of `bytes` with each `size`-byte word reversed (big ↔ little endian). A trailing partial word is copied. */
export function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  const out = Buffer.from(bytes);
  const whole = out.subarray(0, out.length - (out.length % size));
  if (size === 2) whole.swap16();
  else if (size === 4) whole.swap32();
  else if (size === 8) whole.swap64();
  return out;
}
