/**
 * Binary values in the DICOM JSON Model (PS3.18 §F.2.6, §F.2.7): base64 for InlineBinary, the encapsulated
 * Pixel Data item stream, and the `file://` BulkDataURIs that stand for values left in a file (BulkDataRef).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BulkDataRef, EncapsulatedPixelData, type Fragment } from '../data/bulk-data.js';
import { ITEM, SEQUENCE_DELIMITATION } from '../data/tag.js';

const UNDEFINED_LENGTH = 0xffffffff;
/** The Basic Offset Table of Pixel Data found through a file URI is read into memory up to this size. */
const MAX_BOT_IN_MEMORY = 1 << 20;

export const toBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * Decodes base64 (RFC 4648 §4; line breaks and other white space ignored, padding optional).
 * Returns undefined when `text` is not base64, instead of silently skipping bad characters as Buffer does.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  const data = clean.replace(/=+$/, '');
  if (data.length % 4 === 1 || (clean.length !== data.length && clean.length % 4 !== 0)) return undefined;
  const buf = Buffer.from(data, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * The encapsulated Pixel Data as one byte stream (PS3.5 §A.4): an Item (FFFE,E000) with its length for the Basic
 * Offset Table and for each fragment. Like pydicom's `to_json_dict`, the Sequence Delimitation Item is not part of
 * the stream. Returns undefined when a fragment is still in its file.
 */
export function encapsulatedStream(pixels: EncapsulatedPixelData): Uint8Array | undefined {
  const all = [pixels.basicOffsetTable, ...pixels.fragments];
  let size = 0;
  for (const f of all) {
    if (!(f.bytes instanceof Uint8Array)) return undefined;
    size += 8 + f.bytes.length + (f.bytes.length & 1);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let p = 0;
  for (const f of all) {
    const bytes = f.bytes as Uint8Array;
    const padded = bytes.length + (bytes.length & 1);
    view.setUint16(p, ITEM >>> 16, true);
    view.setUint16(p + 2, ITEM & 0xffff, true);
    view.setUint32(p + 4, padded, true);
    out.set(bytes, p + 8);
    p += 8 + padded;
  }
  return out;
}

/**
 * Reads an encapsulated item stream back into fragments: Items with defined lengths that exactly fill `bytes`,
 * optionally ended by a Sequence Delimitation Item. Returns undefined when `bytes` is not such a stream
 * (native pixel data), so that the caller keeps the bytes as they are.
 */
export function parseEncapsulatedStream(bytes: Uint8Array): EncapsulatedPixelData | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items: Fragment[] = [];
  let p = 0;
  while (p < bytes.length) {
    if (p + 8 > bytes.length) return undefined;
    const tag = ((view.getUint16(p, true) << 16) | view.getUint16(p + 2, true)) >>> 0;
    const length = view.getUint32(p + 4, true);
    if (tag === SEQUENCE_DELIMITATION && items.length > 0 && length === 0 && p + 8 === bytes.length) break;
    if (tag !== ITEM || length === UNDEFINED_LENGTH || p + 8 + length > bytes.length) return undefined;
    items.push({ offset: p + 8, length, bytes: bytes.subarray(p + 8, p + 8 + length) });
    p += 8 + length;
  }
  if (items.length === 0) return undefined;
  return new EncapsulatedPixelData(items[0]!, items.slice(1));
}

/**
 * `file:///abs/path?offset=N&length=M`: where a value left in a file is; `&swap=W` when the file holds it in big
 * endian W-byte words (the value itself is little endian, as all binary values are).
 */
export function fileUriOf(ref: BulkDataRef): string {
  const swap = ref.swapWords ? `&swap=${ref.swapWords}` : '';
  return `${pathToFileURL(resolve(ref.path)).href}?offset=${ref.offset}&length=${ref.length}${swap}`;
}

/** The BulkDataRef a `file://…?offset=N&length=M` URI (as `fileUriOf` writes them) stands for; else undefined. */
export function parseFileUri(uri: string): BulkDataRef | undefined {
  if (!uri.startsWith('file:')) return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.hash !== '' || (url.host !== '' && url.host !== 'localhost')) return undefined;
  const offset = url.searchParams.get('offset');
  const length = url.searchParams.get('length');
  if (offset === null || length === null || !/^\d{1,15}$/.test(offset) || !/^\d{1,15}$/.test(length)) return undefined;
  const swap = url.searchParams.get('swap') ?? '0';
  if (!/^[0248]$/.test(swap)) return undefined;
  if ([...url.searchParams.keys()].some((k) => k !== 'offset' && k !== 'length' && k !== 'swap')) return undefined;
  url.search = '';
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch {
    return undefined;
  }
  return new BulkDataRef(path, Number(offset), Number(length), Number(swap));
}

/**
 * The part of a file that holds encapsulated Pixel Data whose fragments (some or all) were left in that file:
 * from the Basic Offset Table's Item tag to the end of the last fragment. Undefined when the fragments are not
 * one contiguous run of one file (a dataset put together in memory).
 */
export function encapsulatedFileRange(pixels: EncapsulatedPixelData): BulkDataRef | undefined {
  const all = [pixels.basicOffsetTable, ...pixels.fragments];
  let path: string | undefined;
  for (const f of all) {
    if (!(f.bytes instanceof BulkDataRef)) continue;
    if ((path !== undefined && f.bytes.path !== path) || f.bytes.offset !== f.offset || f.bytes.length !== f.length) return undefined;
    path = f.bytes.path;
  }
  if (path === undefined) return undefined;
  const start = all[0]!.offset - 8;
  if (start < 0) return undefined;
  let next = all[0]!.offset;
  for (const f of all) {
    if (f.offset !== next) return undefined;
    next = f.offset + f.length + 8;
  }
  const last = all[all.length - 1]!;
  return new BulkDataRef(path, start, last.offset + last.length - start);
}

/**
 * Encapsulated Pixel Data left in a file, found through its range (as `encapsulatedFileRange` gives it): reads
 * the 8-byte item headers only (and a Basic Offset Table of up to 1 MiB); the fragments stay in the file.
 * Undefined when the range does not hold an item stream or the file cannot be read.
 */
export function readEncapsulatedRange(ref: BulkDataRef): EncapsulatedPixelData | undefined {
  let fd: number;
  try {
    fd = openSync(ref.path, 'r');
  } catch {
    return undefined;
  }
  try {
    const header = Buffer.alloc(8);
    const end = ref.offset + ref.length;
    const items: Fragment[] = [];
    let p = ref.offset;
    while (p < end) {
      if (p + 8 > end || readSync(fd, header, 0, 8, p) !== 8) return undefined;
      const tag = ((header.readUInt16LE(0) << 16) | header.readUInt16LE(2)) >>> 0;
      const length = header.readUInt32LE(4);
      if (tag === SEQUENCE_DELIMITATION && items.length > 0 && length === 0 && p + 8 === end) break;
      if (tag !== ITEM || length === UNDEFINED_LENGTH || p + 8 + length > end) return undefined;
      items.push({ offset: p + 8, length, bytes: new BulkDataRef(ref.path, p + 8, length) });
      p += 8 + length;
    }
    if (items.length === 0) return undefined;
    const bot = items[0]!;
    if (bot.length <= MAX_BOT_IN_MEMORY) {
      const bytes = Buffer.alloc(bot.length);
      if (bot.length > 0 && readSync(fd, bytes, 0, bot.length, bot.offset) !== bot.length) return undefined;
      items[0] = { offset: bot.offset, length: bot.length, bytes };
    }
    return new EncapsulatedPixelData(items[0]!, items.slice(1));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
