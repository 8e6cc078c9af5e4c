import { DicomParseError, type ParseErrorReason } from '../core/errors.js';
import { BulkDataRef, EncapsulatedPixelData, type Fragment } from '../data/bulk-data.js';
import { SpecificCharacterSet } from '../data/charset/specific-character-set.js';
import { Dataset } from '../data/dataset.js';
import { type DecodeContext, withCharset } from '../data/decode-context.js';
import { Element } from '../data/element.js';
import {
  FLOAT_PIXEL_DATA,
  formatTag,
  ITEM,
  ITEM_DELIMITATION,
  isPrivateCreator,
  PIXEL_DATA,
  SEQUENCE_DELIMITATION,
  SPECIFIC_CHARACTER_SET,
  type Tag,
} from '../data/tag.js';
import { type VR, VR_BY_CODE, VR_INFO } from '../data/vr.js';
import { defaultVr, lookupTag } from '../dictionary/attributes.js';
import { DEFAULT_BULK_THRESHOLD, DEFAULT_MAX_DEPTH, DEFAULT_MAX_VALUE_LENGTH, type ReadOptions } from './read-options.js';

const UNDEFINED = 0xffffffff;

interface DatasetFrame {
  readonly kind: 'dataset';
  readonly dataset: Dataset;
  /** Absolute end offset, or -1 for undefined length (ended by an Item Delimitation Item) or the stream's end (root). */
  readonly end: number;
  readonly root: boolean;
  ctx: DecodeContext;
  readonly explicitVR: boolean;
}

interface SequenceFrame {
  readonly kind: 'sequence';
  readonly element: Element;
  readonly items: Dataset[];
  readonly end: number;
  readonly ctx: DecodeContext;
  readonly explicitVR: boolean;
  readonly offset: number;
}

interface PixelFrame {
  readonly kind: 'pixels';
  readonly element: Element;
  readonly fragments: Fragment[];
  readonly ctx: DecodeContext;
  readonly offset: number;
}

type Frame = DatasetFrame | SequenceFrame | PixelFrame;

/** Where the bytes come from: a path lets large values stay in the file; a known length catches lying lengths early. */
export interface ParserSource {
  readonly path?: string;
  /** Absolute offset where the dataset's bytes end, when known (file size or buffer length). */
  readonly end?: number;
  /** Name for error messages. */
  readonly name?: string;
}

/**
 * A resumable dataset parser (pg-protocol style: no I/O). The caller gives it a window of bytes with `setWindow`
 * and calls `step`; `step` parses every element that is whole in the window and returns how many bytes it needs
 * from the current position to go on (0 when the dataset is complete). Nesting is an explicit stack, so depth is
 * bounded by `maxDepth`, not by the JS call stack; no allocation is ever sized from a declared length.
 */
export class DatasetParser {
  readonly root = new Dataset();
  #stack: Frame[];
  #buf: Uint8Array = new Uint8Array(0);
  #view = new DataView(this.#buf.buffer);
  #bufStart = 0;
  /** Absolute offset of the next byte to parse. */
  pos: number;
  #done = false;
  stoppedAt: Tag | undefined;
  readonly #stopAt: number;
  readonly #maxDepth: number;
  readonly #bulk: number;
  readonly #maxValue: number;
  readonly #source: ParserSource;
  #depth = 0;
  /** Pixel Representation 1 seen: the `US or SS` elements of an implicit VR dataset are SS (as DCMTK and pydicom do). */
  #signedPixels = false;

  /** `ctx.littleEndian` gives the byte order; `explicitVR` the VR encoding of the transfer syntax. */
  constructor(
    start: number,
    explicitVR: boolean,
    ctx: DecodeContext,
    options: ReadOptions = {},
    source: ParserSource = {},
  ) {
    this.pos = start;
    this.#stack = [{ kind: 'dataset', dataset: this.root, end: -1, root: true, ctx, explicitVR }];
    this.#stopAt = options.stopBeforePixels ? Math.min(FLOAT_PIXEL_DATA, options.stopAtTag ?? UNDEFINED + 1) : (options.stopAtTag ?? UNDEFINED + 1);
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#bulk = source.path ? (options.bulkDataThreshold ?? DEFAULT_BULK_THRESHOLD) : Number.POSITIVE_INFINITY;
    this.#maxValue = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
    this.#source = source;
  }

  get done(): boolean {
    return this.#done;
  }

  /** The bytes from absolute offset `start`; they must cover `pos` (or start exactly at it). */
  setWindow(buf: Uint8Array, start: number): void {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#bufStart = start;
  }

  get windowEnd(): number {
    return this.#bufStart + this.#buf.length;
  }

  /**
   * Parses as far as the window allows. Returns 0 when done, else the number of bytes needed from `pos`.
   * With `eof`, the window holds everything there is: running out of bytes is then an error (or the end).
   */
  step(eof: boolean): number {
    const buf = this.#buf;
    const view = this.#view;
    for (;;) {
      const frame = this.#stack[this.#stack.length - 1]!;
      const le = frame.ctx.littleEndian;
      const p = this.pos;
      // Close containers whose defined length is used up.
      if (frame.kind !== 'pixels' && frame.end >= 0 && p >= frame.end) {
        if (p > frame.end) this.#fail('INVALID_LENGTH', `an element runs ${p - frame.end} bytes past the end of its ${frame.kind === 'sequence' ? 'sequence' : 'item'}`, frame.end);
        this.#pop();
        continue;
      }
      const avail = this.#bufStart + buf.length - p;
      if (avail < 8) {
        if (!eof) return 8;
        if (avail === 0 && this.#stack.length === 1) return this.#finish();
        if (avail === 0) this.#fail('TRUNCATED', `the data ends inside ${this.#describe(frame)}`, p);
        this.#fail('TRUNCATED', `the data ends inside an element header (${avail} bytes left)`, p);
      }
      const i = p - this.#bufStart;
      const tag = ((view.getUint16(i, le) << 16) | view.getUint16(i + 2, le)) >>> 0;

      if (frame.kind === 'sequence') {
        const len = view.getUint32(i + 4, le);
        if (tag === ITEM) {
          const item = new Dataset();
          frame.items.push(item);
          item.undefinedLength = len === UNDEFINED;
          if (len !== UNDEFINED) this.#checkFits(len, p + 8, 'item');
          this.#push({ kind: 'dataset', dataset: item, end: len === UNDEFINED ? -1 : p + 8 + len, root: false, ctx: frame.ctx, explicitVR: frame.explicitVR });
          this.pos = p + 8;
          continue;
        }
        if (tag === SEQUENCE_DELIMITATION && frame.end < 0) {
          this.pos = p + 8;
          this.#pop();
          continue;
        }
        this.#fail(tag === SEQUENCE_DELIMITATION || tag === ITEM_DELIMITATION ? 'UNEXPECTED_DELIMITER' : 'INVALID_ITEM',
          `expected an item in sequence ${formatTag(frame.element.tag)}, found ${formatTag(tag)}`, p);
      }

      if (frame.kind === 'pixels') {
        const len = view.getUint32(i + 4, le);
        if (tag === SEQUENCE_DELIMITATION) {
          if (frame.fragments.length === 0) this.#fail('INVALID_PIXEL_DATA', 'encapsulated Pixel Data has no Basic Offset Table item', p);
          const [bot, ...rest] = frame.fragments;
          frame.element.value = new EncapsulatedPixelData(bot!, rest);
          this.pos = p + 8;
          this.#pop();
          continue;
        }
        if (tag !== ITEM) this.#fail('INVALID_PIXEL_DATA', `expected a fragment item in encapsulated Pixel Data, found ${formatTag(tag)}`, p);
        if (len === UNDEFINED) this.#fail('INVALID_PIXEL_DATA', 'a Pixel Data fragment has undefined length', p);
        this.#checkFits(len, p + 8, 'fragment');
        if (len >= this.#bulk) {
          frame.fragments.push({ offset: p + 8, length: len, bytes: new BulkDataRef(this.#source.path!, p + 8, len) });
        } else {
          if (avail < 8 + len) return this.#more(8 + len, eof, p);
          frame.fragments.push({ offset: p + 8, length: len, bytes: buf.subarray(i + 8, i + 8 + len) });
        }
        this.pos = p + 8 + len;
        continue;
      }

      // A dataset or item.
      if (tag >= 0xfffe0000) {
        if (tag === ITEM_DELIMITATION && !frame.root && frame.end < 0) {
          this.pos = p + 8;
          this.#pop();
          continue;
        }
        this.#fail(tag === ITEM ? 'INVALID_ITEM' : 'UNEXPECTED_DELIMITER', `unexpected ${formatTag(tag)} ${frame.root ? 'in the dataset' : 'in an item'}`, p);
      }
      if (frame.root && tag >= this.#stopAt) {
        this.stoppedAt = tag;
        return this.#finish();
      }

      let vr: VR;
      let len: number;
      let hdr: number;
      const vrCode = frame.explicitVR ? (buf[i + 4]! << 8) | buf[i + 5]! : 0;
      const explicitVr = frame.explicitVR ? VR_BY_CODE.get(vrCode) : undefined;
      if (explicitVr !== undefined) {
        vr = explicitVr;
        if (VR_INFO[vr].longLength) {
          if (avail < 12) return this.#more(12, eof, p);
          len = view.getUint32(i + 8, le);
          hdr = 12;
        } else {
          len = view.getUint16(i + 6, le);
          hdr = 8;
        }
      } else if (frame.explicitVR && isUpperAlpha(vrCode >> 8) && isUpperAlpha(vrCode & 0xff)) {
        // A VR this version does not know: PS3.5 §6.2 says new VRs have the 4-byte length form; keep as UN.
        if (avail < 12) return this.#more(12, eof, p);
        vr = 'UN';
        len = view.getUint32(i + 8, le);
        hdr = 12;
      } else {
        // Implicit VR (or an explicit-VR dataset with an implicitly encoded element, which DCMTK also accepts).
        vr = implicitVr(tag, this.#signedPixels);
        len = view.getUint32(i + 4, le);
        hdr = 8;
      }

      if (len === UNDEFINED) {
        if (vr === 'SQ' || vr === 'UN') {
          // UN with undefined length is a sequence in Implicit VR Little Endian (CP-246).
          const implicit = vr === 'UN';
          const element = new Element(tag, 'SQ', []);
          element.undefinedLength = true;
          frame.dataset.add(element);
          const ctx = implicit && !frame.ctx.littleEndian ? { ...frame.ctx, littleEndian: true } : frame.ctx;
          this.#push({ kind: 'sequence', element, items: element.value as Dataset[], end: -1, ctx, explicitVR: implicit ? false : frame.explicitVR, offset: p });
          this.pos = p + hdr;
          continue;
        }
        if (tag === PIXEL_DATA) {
          const element = new Element(tag, vr === 'OW' ? 'OW' : 'OB');
          element.undefinedLength = true;
          frame.dataset.add(element);
          this.#push({ kind: 'pixels', element, fragments: [], ctx: frame.ctx, offset: p });
          this.pos = p + hdr;
          continue;
        }
        this.#fail('UNDEFINED_LENGTH_NOT_ALLOWED', `${formatTag(tag)} ${vr} has undefined length, which only SQ, UN and encapsulated Pixel Data may have`, p);
      }

      this.#checkFits(len, p + hdr, tag);
      if (vr === 'SQ') {
        const element = new Element(tag, 'SQ', []);
        element.undefinedLength = false;
        frame.dataset.add(element);
        this.#push({ kind: 'sequence', element, items: element.value as Dataset[], end: p + hdr + len, ctx: frame.ctx, explicitVR: frame.explicitVR, offset: p });
        this.pos = p + hdr;
        continue;
      }
      if (len >= this.#bulk && VR_INFO[vr].kind === 'binary') {
        const size = VR_INFO[vr].size;
        const swap = frame.ctx.littleEndian || size <= 1 ? 0 : size;
        frame.dataset.add(new Element(tag, vr, new BulkDataRef(this.#source.path!, p + hdr, len, swap)));
        this.pos = p + hdr + len;
        continue;
      }
      if (avail < hdr + len) return this.#more(hdr + len, eof, p);
      const element = Element.fromRaw(tag, vr, buf, i + hdr, len, frame.ctx);
      frame.dataset.add(element);
      if (tag === SPECIFIC_CHARACTER_SET) frame.ctx = withCharset(frame.ctx, SpecificCharacterSet.fromLenient(element.strings));
      else if (tag === PIXEL_REPRESENTATION && frame.root) this.#signedPixels = element.number === 1;
      this.pos = p + hdr + len;
    }
  }

  #more(need: number, eof: boolean, p: number): number {
    if (need > this.#maxValue) this.#fail('VALUE_TOO_LARGE', `a value of ${need} bytes is larger than the limit of ${this.#maxValue}`, p);
    if (eof) this.#fail('LENGTH_PAST_END', `the element at this offset needs ${need} bytes but only ${this.#bufStart + this.#buf.length - p} remain`, p);
    return need;
  }

  /** A declared length must fit in what is known to remain: the file, and the enclosing defined-length containers. */
  #checkFits(len: number, valueStart: number, element: string | Tag): void {
    const end = valueStart + len;
    const sourceEnd = this.#source.end;
    if (sourceEnd !== undefined && end > sourceEnd) {
      this.#fail('LENGTH_PAST_END', `${nameOf(element)} declares ${len} bytes but only ${Math.max(0, sourceEnd - valueStart)} remain`, valueStart - 4);
    }
    for (let k = this.#stack.length - 1; k >= 0; k--) {
      const f = this.#stack[k]!;
      if (f.kind !== 'pixels' && f.end >= 0) {
        if (end > f.end) this.#fail('LENGTH_PAST_END', `${nameOf(element)} declares ${len} bytes, past the end of its enclosing ${f.kind === 'sequence' ? 'sequence' : 'item'}`, valueStart - 4);
        break;
      }
    }
  }

  #push(frame: Frame): void {
    if (frame.kind !== 'dataset') {
      this.#depth++;
      if (this.#depth > this.#maxDepth) this.#fail('DEPTH_LIMIT', `sequences are nested deeper than ${this.#maxDepth}`, this.pos);
    }
    this.#stack.push(frame);
  }

  #pop(): void {
    const frame = this.#stack.pop()!;
    if (frame.kind !== 'dataset') this.#depth--;
  }

  #finish(): number {
    this.#done = true;
    return 0;
  }

  #describe(frame: Frame): string {
    if (frame.kind === 'sequence') return `sequence ${formatTag(frame.element.tag)} (started at ${frame.offset})`;
    if (frame.kind === 'pixels') return `encapsulated Pixel Data (started at ${frame.offset})`;
    return frame.end < 0 ? 'an item of undefined length' : 'an item';
  }

  #fail(reason: ParseErrorReason, message: string, offset: number): never {
    const where = this.#source.name ? `${this.#source.name}: ` : '';
    throw new DicomParseError(reason, `${where}${message} (at byte ${offset})`, offset);
  }
}

/** Named only when something is wrong: formatting a tag for every element would cost more than the check. */
const nameOf = (element: string | Tag): string => (typeof element === 'number' ? formatTag(element) : element);

const isUpperAlpha = (c: number): boolean => c >= 0x41 && c <= 0x5a;

/** The VR an element has in Implicit VR: the dictionary's, with the defaults DCMTK and pydicom use for ambiguous ones. */
function implicitVr(tag: Tag, signedPixels: boolean): VR {
  if (tag === PIXEL_DATA) return 'OW';
  if (isPrivateCreator(tag)) return 'LO';
  if ((tag & 0xffff) === 0) return 'UL';
  const vr = defaultVr(tag);
  if (vr === 'US' && signedPixels && lookupTag(tag)?.vrs.includes('SS')) return 'SS';
  return vr;
}

const PIXEL_REPRESENTATION = 0x00280103;
