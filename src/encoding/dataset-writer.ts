import { DicomEncodeError } from '../core/errors.js';
import { BulkDataRef, EncapsulatedPixelData, type Fragment } from '../data/bulk-data.js';
import { SpecificCharacterSet } from '../data/charset/specific-character-set.js';
import type { Dataset } from '../data/dataset.js';
import { type Element, type ElementValue, swapBytes } from '../data/element.js';
import {
  formatTag,
  ITEM,
  ITEM_DELIMITATION,
  isGroupLength,
  SEQUENCE_DELIMITATION,
  SPECIFIC_CHARACTER_SET,
  type Tag,
  tagGroup,
} from '../data/tag.js';
import { type VR, VR_INFO } from '../data/vr.js';
import { ByteSink } from './byte-sink.js';

/** How sequences and items are delimited in the output. */
export type LengthEncoding = 'keep' | 'undefined' | 'defined';

export interface EncodeOptions {
  readonly littleEndian: boolean;
  readonly explicitVR: boolean;
  /** `keep` (default): as read; new sequences get undefined length. */
  readonly sequenceLength?: LengthEncoding;
}

interface Level {
  readonly charset: SpecificCharacterSet;
}

/**
 * Encodes a dataset into a ByteSink. Elements that still hold their raw bytes are copied unchanged when byte
 * order and character set allow (lossless, and fast); otherwise their values are decoded and encoded again.
 */
export function encodeDataset(dataset: Dataset, options: EncodeOptions, sink = new ByteSink(options.littleEndian)): ByteSink {
  new DatasetEncoder(options).dataset(dataset, sink, { charset: SpecificCharacterSet.DEFAULT });
  return sink;
}

class DatasetEncoder {
  readonly #le: boolean;
  readonly #explicit: boolean;
  readonly #lengths: LengthEncoding;

  constructor(options: EncodeOptions) {
    this.#le = options.littleEndian;
    this.#explicit = options.explicitVR;
    this.#lengths = options.sequenceLength ?? 'keep';
  }

  dataset(dataset: Dataset, sink: ByteSink, parent: Level): void {
    const charsetElement = dataset.get(SPECIFIC_CHARACTER_SET);
    const level: Level = charsetElement ? { charset: SpecificCharacterSet.fromLenient(charsetElement.strings) } : parent;
    const elements = [...dataset];
    for (let k = 0; k < elements.length; k++) {
      const e = elements[k]!;
      if (isGroupLength(e.tag)) {
        // Group lengths are recalculated from what is actually written.
        const group = tagGroup(e.tag);
        const inner = new ByteSink(this.#le);
        let j = k + 1;
        for (; j < elements.length && tagGroup(elements[j]!.tag) === group; j++) this.element(elements[j]!, inner, level);
        this.#header(sink, e.tag, 'UL', 4);
        sink.uint32(inner.length);
        sink.append(inner);
        k = j - 1;
        continue;
      }
      this.element(e, sink, level);
    }
  }

  element(e: Element, sink: ByteSink, level: Level): void {
    const vr = e.vr;
    if (vr === 'SQ') {
      this.#sequence(e, sink, level);
      return;
    }
    const raw = e.hasRaw ? e.raw : undefined;
    if (raw !== undefined && this.#canCopyRaw(e, vr, level)) {
      this.#value(sink, e.tag, vr, raw);
      return;
    }
    const value = e.value;
    if (value instanceof EncapsulatedPixelData) {
      this.#encapsulated(e, value, sink);
      return;
    }
    if (value instanceof BulkDataRef) {
      // The reference reads little endian; big endian output swaps it back word by word while copying.
      this.#header(sink, e.tag, vr, value.length + (value.length & 1));
      sink.bulk(this.#le ? value : value.swapped(VR_INFO[vr].size));
      if (value.length & 1) sink.byte(0);
      return;
    }
    this.#value(sink, e.tag, vr, encodeValue(e.tag, vr, value, level.charset, this.#le));
  }

  #canCopyRaw(e: Element, vr: VR, level: Level): boolean {
    const info = VR_INFO[vr];
    const ctx = e.context;
    if (info.charset && !ctx.charset.equals(level.charset)) return false;
    if (ctx.littleEndian === this.#le) return true;
    return info.kind === 'string' || info.kind === 'text' || info.size === 1;
  }

  #value(sink: ByteSink, tag: Tag, vr: VR, bytes: Uint8Array): void {
    const odd = bytes.length & 1;
    this.#header(sink, tag, vr, bytes.length + odd);
    sink.bytes(bytes);
    if (odd) sink.byte(VR_INFO[vr].pad);
  }

  #header(sink: ByteSink, tag: Tag, vr: VR, length: number): void {
    sink.tag(tag);
    if (!this.#explicit) {
      sink.uint32(length);
      return;
    }
    const info = VR_INFO[vr];
    if (info.longLength) {
      sink.ascii2(vr);
      sink.uint16(0);
      sink.uint32(length);
    } else if (length > 0xffff) {
      // Too long for a 2-byte length: PS3.5 §6.2.2 allows UN, which has a 4-byte length.
      sink.ascii2('UN');
      sink.uint16(0);
      sink.uint32(length);
    } else {
      sink.ascii2(vr);
      sink.uint16(length);
    }
  }

  #sequence(e: Element, sink: ByteSink, level: Level): void {
    const items = e.items;
    const undefinedLength = this.#lengths === 'undefined' || (this.#lengths === 'keep' && e.undefinedLength !== false);
    if (undefinedLength) {
      this.#header(sink, e.tag, 'SQ', 0xffffffff);
      for (const item of items) this.#item(item, sink, level);
      sink.tag(SEQUENCE_DELIMITATION);
      sink.uint32(0);
      return;
    }
    const inner = new ByteSink(this.#le);
    for (const item of items) this.#item(item, inner, level);
    this.#header(sink, e.tag, 'SQ', inner.length);
    sink.append(inner);
  }

  #item(item: Dataset, sink: ByteSink, level: Level): void {
    const undefinedLength = this.#lengths === 'undefined' || (this.#lengths === 'keep' && item.undefinedLength !== false);
    sink.tag(ITEM);
    if (undefinedLength) {
      sink.uint32(0xffffffff);
      this.dataset(item, sink, level);
      sink.tag(ITEM_DELIMITATION);
      sink.uint32(0);
      return;
    }
    const inner = new ByteSink(this.#le);
    this.dataset(item, inner, level);
    sink.uint32(inner.length);
    sink.append(inner);
  }

  #encapsulated(e: Element, pixels: EncapsulatedPixelData, sink: ByteSink): void {
    if (!this.#le || !this.#explicit) {
      throw new DicomEncodeError(`${formatTag(e.tag)}: encapsulated Pixel Data needs an explicit VR little endian transfer syntax`);
    }
    this.#header(sink, e.tag, e.vr === 'OW' ? 'OW' : 'OB', 0xffffffff);
    for (const f of [pixels.basicOffsetTable, ...pixels.fragments]) this.#fragment(f, sink);
    sink.tag(SEQUENCE_DELIMITATION);
    sink.uint32(0);
  }

  #fragment(f: Fragment, sink: ByteSink): void {
    const odd = f.length & 1;
    sink.tag(ITEM);
    sink.uint32(f.length + odd);
    if (f.bytes instanceof BulkDataRef) sink.bulk(f.bytes);
    else sink.bytes(f.bytes);
    if (odd) sink.byte(0);
  }
}

const EMPTY_BYTES = new Uint8Array(0);

/** Encodes a JS value for a VR (strings joined with `\` and encoded in the character set; numbers in byte order). */
export function encodeValue(tag: Tag, vr: VR, value: ElementValue, charset: SpecificCharacterSet, littleEndian: boolean): Uint8Array {
  const info = VR_INFO[vr];
  if (value instanceof Uint8Array) {
    if (info.kind === 'binary') return littleEndian || info.size === 1 ? value : swapBytes(value, info.size);
    throw new DicomEncodeError(`${formatTag(tag)}: bytes given for ${vr}, which holds ${info.kind} values`);
  }
  if (!Array.isArray(value)) throw new DicomEncodeError(`${formatTag(tag)}: cannot encode this value as ${vr}`);
  if (value.length === 0) return EMPTY_BYTES;
  switch (info.kind) {
    case 'string':
    case 'text': {
      const text = (value as unknown[]).map((v) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v))).join('\\');
      if (info.charset) return charset.encode(text, vr);
      for (let i = 0; i < text.length; i++) {
        if (text.charCodeAt(i) > 0x7f) throw new DicomEncodeError(`${formatTag(tag)}: ${vr} allows only the default character repertoire, got '${text}'`);
      }
      return Buffer.from(text, 'latin1');
    }
    case 'number':
    case 'tag':
    case 'bigint':
      return encodeNumbers(tag, vr, value as readonly (number | bigint)[], littleEndian);
    default:
      throw new DicomEncodeError(`${formatTag(tag)}: cannot encode a list as ${vr}`);
  }
}

function encodeNumbers(tag: Tag, vr: VR, values: readonly (number | bigint)[], le: boolean): Uint8Array {
  const size = VR_INFO[vr].size;
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const p = i * size;
    if (vr === 'SV' || vr === 'UV') {
      const b = typeof v === 'bigint' ? v : BigInt(v);
      if (vr === 'SV') view.setBigInt64(p, b, le);
      else view.setBigUint64(p, b, le);
      continue;
    }
    const n = Number(v);
    if (!Number.isFinite(n) && vr !== 'FL' && vr !== 'FD') throw new DicomEncodeError(`${formatTag(tag)}: ${v} is not a valid ${vr}`);
    switch (vr) {
      case 'US': checkRange(tag, vr, n, 0, 0xffff); view.setUint16(p, n, le); break;
      case 'SS': checkRange(tag, vr, n, -0x8000, 0x7fff); view.setInt16(p, n, le); break;
      case 'UL': checkRange(tag, vr, n, 0, 0xffffffff); view.setUint32(p, n, le); break;
      case 'SL': checkRange(tag, vr, n, -0x80000000, 0x7fffffff); view.setInt32(p, n, le); break;
      case 'FL': view.setFloat32(p, n, le); break;
      case 'FD': view.setFloat64(p, n, le); break;
      case 'AT': view.setUint16(p, n >>> 16, le); view.setUint16(p + 2, n & 0xffff, le); break;
    }
  }
  return out;
}

function checkRange(tag: Tag, vr: VR, n: number, min: number, max: number): void {
  if (!Number.isInteger(n) || n < min || n > max) throw new DicomEncodeError(`${formatTag(tag)}: ${n} is out of range for ${vr}`);
}
