import { open } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { DicomParseError } from '../core/errors.js';
import { Dataset } from '../data/dataset.js';
import { BIG_ENDIAN_DEFAULT, LITTLE_ENDIAN_DEFAULT } from '../data/decode-context.js';
import { type Tag, TRANSFER_SYNTAX_UID } from '../data/tag.js';
import { type ByteFeeder, FileFeeder, StreamFeeder, type Window } from './byte-feeder.js';
import { DatasetParser, type ParserSource } from './dataset-parser.js';
import { DEFAULT_MAX_INFLATED, type ReadOptions } from './read-options.js';
import {
  ExplicitVRBigEndian,
  ExplicitVRLittleEndian,
  ImplicitVRLittleEndian,
  lookupTransferSyntax,
  type TransferSyntax,
} from './transfer-syntax.js';

/** What a read gives: the File Meta Information (empty without a Part 10 header), the dataset, and how it was encoded. */
export interface DicomFile {
  readonly meta: Dataset;
  readonly dataset: Dataset;
  readonly transferSyntax: TransferSyntax;
  /** The 128-byte preamble, when the input had one. */
  readonly preamble: Uint8Array | undefined;
  /** The input started with a preamble and `DICM` (PS3.10 §7.1). */
  readonly part10: boolean;
  /** Absolute offset of the first dataset byte (after the meta group). */
  readonly datasetOffset: number;
  /** The tag the read stopped before (stopAtTag / stopBeforePixels), if it stopped early. */
  readonly stoppedAt: Tag | undefined;
}

/** Reads DICOM from bytes in memory. Values are views into `bytes` (nothing is copied). */
export function readDicom(bytes: Uint8Array, options: ReadOptions = {}, name?: string): DicomFile {
  const window: Window = { buf: bytes, start: 0, eof: true };
  const header = detectHeader(window, name);
  const metaEnd = header.metaStart;
  let meta = new Dataset();
  let pos = metaEnd;
  if (header.hasMeta) ({ meta, end: pos } = parseMeta(window, metaEnd, name));
  const ts = transferSyntaxOf(meta, pos, name) ?? detectTransferSyntax(window, pos, header.hasMeta, name);
  if (ts.deflated) {
    const inflated = inflate(bytes.subarray(pos), options, pos, name);
    const p = datasetParser(ts, 0, options, { end: inflated.length, name: name && `${name} (inflated)` });
    p.setWindow(inflated, 0);
    p.step(true);
    return result(meta, p, ts, header, pos);
  }
  const p = datasetParser(ts, pos, options, { end: bytes.length, name });
  p.setWindow(bytes, 0);
  p.step(true);
  return result(meta, p, ts, header, pos);
}

/**
 * Reads a DICOM file. Large binary values (OB/OW/... and Pixel Data fragments of at least `bulkDataThreshold`
 * bytes, default 1 MiB) stay in the file as BulkDataRef, so the header of a 2 GB file costs kilobytes of reading.
 */
export async function readFile(path: string, options: ReadOptions = {}): Promise<DicomFile> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const feeder = new FileFeeder(handle, size);
    return await readFrom(feeder, options, { path, end: size, name: path });
  } finally {
    await handle.close();
  }
}

/**
 * Reads DICOM from an async byte stream (a socket, an HTTP body, a file stream). Values are held in memory, unless
 * `path` names the file the same bytes are being written to: then binary values of `bulkDataThreshold` or more are
 * skipped as they stream past (never held) and become BulkDataRefs into that file, as `readFile` would give. A value
 * that runs past the end of the stream is a LENGTH_PAST_END error either way.
 */
export async function readStream(source: AsyncIterable<Uint8Array>, options: ReadOptions = {}, name?: string, path?: string): Promise<DicomFile> {
  return readFrom(new StreamFeeder(source), options, { name, ...(path === undefined ? {} : { path }) });
}

async function readFrom(feeder: ByteFeeder, options: ReadOptions, source: ParserSource): Promise<DicomFile> {
  let window = await feeder.fill(0, 132 + 12);
  const header = detectHeader(window, source.name);
  let meta = new Dataset();
  let pos = header.metaStart;
  if (header.hasMeta) {
    window = await feeder.fill(pos, MAX_META);
    ({ meta, end: pos } = parseMeta(window, pos, source.name));
    if (window.start + window.buf.length < pos + 8 && !window.eof) window = await feeder.fill(pos, 8);
  } else if (window.start + window.buf.length < pos + 8 && !window.eof) {
    window = await feeder.fill(pos, 8);
  }
  const ts = transferSyntaxOf(meta, pos, source.name) ?? detectTransferSyntax(window, pos, header.hasMeta, source.name);
  if (ts.deflated) {
    const limit = options.maxInflatedSize ?? DEFAULT_MAX_INFLATED;
    const rest = await readRest(feeder, pos, limit);
    const inflated = inflate(rest, options, pos, source.name);
    const p = datasetParser(ts, 0, options, { end: inflated.length, name: source.name && `${source.name} (inflated)` });
    p.setWindow(inflated, 0);
    p.step(true);
    return result(meta, p, ts, header, pos);
  }
  const p = datasetParser(ts, pos, options, source);
  await drive(p, feeder, window);
  return result(meta, p, ts, header, pos);
}

/** Runs the parser, asking the feeder for more bytes whenever it needs them. */
async function drive(p: DatasetParser, feeder: ByteFeeder, window: Window): Promise<Window> {
  for (;;) {
    if (p.pos < window.start || p.pos > window.start + window.buf.length) window = await feeder.fill(p.pos, 8);
    p.setWindow(window.buf, window.start);
    const need = p.step(window.eof);
    if (need === 0) return window;
    window = await feeder.fill(p.pos, need);
  }
}

async function readRest(feeder: ByteFeeder, pos: number, limit: number): Promise<Uint8Array> {
  if (feeder instanceof StreamFeeder) return feeder.rest(pos, limit);
  const size = feeder.length! - pos;
  const w = await feeder.fill(pos, size);
  return w.buf.subarray(pos - w.start);
}

function datasetParser(ts: TransferSyntax, pos: number, options: ReadOptions, source: ParserSource): DatasetParser {
  return new DatasetParser(pos, ts.explicitVR, ts.littleEndian ? LITTLE_ENDIAN_DEFAULT : BIG_ENDIAN_DEFAULT, options, source);
}

function result(meta: Dataset, p: DatasetParser, ts: TransferSyntax, header: Header, pos: number): DicomFile {
  return {
    meta,
    dataset: p.root,
    transferSyntax: ts,
    preamble: header.preamble,
    part10: header.part10,
    datasetOffset: pos,
    stoppedAt: p.stoppedAt,
  };
}

function inflate(bytes: Uint8Array, options: ReadOptions, offset: number, name?: string): Uint8Array {
  const limit = options.maxInflatedSize ?? DEFAULT_MAX_INFLATED;
  try {
    return inflateRawSync(bytes, { maxOutputLength: limit });
  } catch (error) {
    const where = name ? `${name}: ` : '';
    if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DicomParseError('INFLATE_LIMIT', `${where}the deflated dataset inflates to more than ${limit} bytes (at byte ${offset})`, offset, { cause: error });
    }
    throw new DicomParseError('INFLATE_FAILED', `${where}the deflated dataset is corrupt: ${(error as Error).message} (at byte ${offset})`, offset, { cause: error });
  }
}

/** The File Meta Information is small; more than this is not a meta group. */
const MAX_META = 64 * 1024;

/**
 * Reads the meta group (always Explicit VR Little Endian). Its group length (0002,0000) bounds it when present and
 * plausible, so that a short or odd dataset after it cannot be mistaken for meta; a wrong group length is tolerated
 * (the meta then ends at the first element of another group), as DCMTK and pydicom do.
 */
function parseMeta(w: Window, metaStart: number, name?: string): { meta: Dataset; end: number } {
  const b = w.buf;
  const i = metaStart - w.start;
  const available = w.start + b.length;
  let limit = available;
  if (b.length >= i + 12 && b[i] === 0x02 && b[i + 1] === 0 && b[i + 2] === 0 && b[i + 3] === 0 && b[i + 4] === 0x55 && b[i + 5] === 0x4c) {
    const end = metaStart + 12 + (b[i + 8]! | (b[i + 9]! << 8) | (b[i + 10]! << 16)) + b[i + 11]! * 0x1000000;
    const next = end - w.start;
    const nextIsMeta = next + 2 <= b.length && b[next] === 0x02 && b[next + 1] === 0x00;
    if (end <= available && !nextIsMeta) limit = end;
  }
  const p = new DatasetParser(metaStart, true, LITTLE_ENDIAN_DEFAULT, { stopAtTag: 0x00030000 }, { end: limit, name });
  p.setWindow(b.subarray(0, limit - w.start), w.start);
  p.step(true);
  return { meta: p.root, end: p.pos };
}

interface Header {
  readonly part10: boolean;
  readonly hasMeta: boolean;
  readonly metaStart: number;
  readonly preamble: Uint8Array | undefined;
}

const isDICM = (b: Uint8Array, at: number): boolean =>
  b.length >= at + 4 && b[at] === 0x44 && b[at + 1] === 0x49 && b[at + 2] === 0x43 && b[at + 3] === 0x4d;

/** Part 10 header (preamble + DICM), `DICM` without preamble, a bare meta group, or a bare dataset. */
function detectHeader(w: Window, name?: string): Header {
  const b = w.buf;
  if (isDICM(b, 128)) return { part10: true, hasMeta: true, metaStart: 132, preamble: b.subarray(0, 128) };
  if (isDICM(b, 0)) return { part10: false, hasMeta: true, metaStart: 4, preamble: undefined };
  if (b.length < 8) {
    const where = name ? `${name}: ` : '';
    throw new DicomParseError('NOT_DICOM', `${where}not DICOM: only ${b.length} bytes (at byte 0)`, 0);
  }
  // A meta group without preamble: (0002,xxxx) in explicit VR little endian.
  if (b[0] === 0x02 && b[1] === 0x00 && isUpper(b[4]!) && isUpper(b[5]!)) return { part10: false, hasMeta: true, metaStart: 0, preamble: undefined };
  return { part10: false, hasMeta: false, metaStart: 0, preamble: undefined };
}

const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;

/**
 * The transfer syntax the meta group names; undefined without one (no meta, or a meta group that lacks
 * (0002,0010): then the dataset's encoding is detected, as DCMTK and pydicom do).
 */
function transferSyntaxOf(meta: Dataset, pos: number, name?: string): TransferSyntax | undefined {
  const where = name ? `${name}: ` : '';
  const uid = meta.get(TRANSFER_SYNTAX_UID)?.string;
  if (!uid) return undefined;
  const ts = lookupTransferSyntax(uid);
  if (!ts) throw new DicomParseError('UNSUPPORTED_TRANSFER_SYNTAX', `${where}unknown transfer syntax ${uid} (at byte ${pos})`, pos);
  return ts;
}

/**
 * No meta group: guess the encoding from the first element the way DCMTK does. The first tag read in each byte
 * order tells the endianness (the smaller group wins: real datasets start with low groups); valid VR letters after
 * it mean explicit VR.
 */
function detectTransferSyntax(w: Window, pos: number, afterMeta: boolean, name?: string): TransferSyntax {
  const b = w.buf;
  const i = pos - w.start;
  if (b.length - i < 8) {
    const where = name ? `${name}: ` : '';
    throw new DicomParseError('NOT_DICOM', `${where}not DICOM: too short for a data element (at byte ${pos})`, pos);
  }
  const groupLE = b[i]! | (b[i + 1]! << 8);
  const groupBE = (b[i]! << 8) | b[i + 1]!;
  const explicit = isUpper(b[i + 4]!) && isUpper(b[i + 5]!);
  const bigEndian = groupBE < groupLE;
  const group = Math.min(groupLE, groupBE);
  // Datasets start with a low group (0008, 0010, a private 0009, ...); the reserved odd groups 0001-0007 and high
  // groups are what text and other files look like, not a bare dataset. After a meta group the input is DICOM anyway.
  if (!afterMeta && (group > 0x0fff || (group <= 0x0007 && (group & 1) === 1) || (group === 0 && !explicit))) {
    const where = name ? `${name}: ` : '';
    throw new DicomParseError('NOT_DICOM', `${where}not DICOM: no preamble, no meta group, and the first bytes are not a data element (at byte ${pos})`, pos);
  }
  const uid = explicit ? (bigEndian ? ExplicitVRBigEndian : ExplicitVRLittleEndian) : ImplicitVRLittleEndian;
  return lookupTransferSyntax(uid)!;
}
