import { open, rename, rm } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { DicomEncodeError } from '../core/errors.js';
import { BulkDataRef } from '../data/bulk-data.js';
import type { Dataset } from '../data/dataset.js';
import { ByteSink, type Chunk } from './byte-sink.js';
import { encodeDataset, type LengthEncoding } from './dataset-writer.js';
import { buildFileMeta, TransferSyntaxUID } from './file-meta.js';
import { ExplicitVRLittleEndian, findTransferSyntax } from './transfer-syntax.js';

export interface WriteOptions {
  /** UID or name of the transfer syntax; default: the meta's, else Explicit VR Little Endian. */
  readonly transferSyntax?: string;
  /** File Meta Information to start from (e.g. the one read with the dataset). */
  readonly meta?: Dataset;
  /** Write `meta` as it is (only the transfer syntax set), instead of updating it with Portico's implementation. */
  readonly keepMeta?: boolean;
  /** Preamble + DICM + meta group (default true); false writes the bare dataset. */
  readonly part10?: boolean;
  /** 128 bytes; default zeros. */
  readonly preamble?: Uint8Array;
  readonly sequenceLength?: LengthEncoding;
  /** zlib level for Deflated Explicit VR Little Endian (default 6). */
  readonly deflateLevel?: number;
}

/** Encodes a dataset (with its Part 10 header unless `part10: false`) into chunks; values left in files are references. */
export function encodeDicom(dataset: Dataset, options: WriteOptions = {}): Chunk[] {
  const ts = findTransferSyntax(options.transferSyntax ?? options.meta?.string(TransferSyntaxUID) ?? ExplicitVRLittleEndian);
  const out = new ByteSink(true);
  if (options.part10 !== false) writePart10Header(out, buildFileMeta(dataset, ts.uid, options.meta, options.keepMeta), options.preamble);
  const body = encodeDataset(dataset, { littleEndian: ts.littleEndian, explicitVR: ts.explicitVR, sequenceLength: options.sequenceLength });
  if (!ts.deflated) {
    out.append(body);
    return out.finish();
  }
  const flat = concatChunks(body.finish());
  const deflated = deflateRawSync(flat, { level: options.deflateLevel ?? 6 });
  out.bytes(deflated);
  // The deflated stream is padded to an even length (PS3.5 A.5).
  if (deflated.length & 1) out.byte(0);
  return out.finish();
}

const DICM = new Uint8Array([0x44, 0x49, 0x43, 0x4d]);

/** Preamble, `DICM` and the meta group, which is always Explicit VR Little Endian with a group length (PS3.10 §7.1). */
function writePart10Header(out: ByteSink, meta: Dataset, preamble: Uint8Array = new Uint8Array(128)): void {
  if (preamble.length !== 128) throw new DicomEncodeError('the preamble must be 128 bytes');
  out.bytes(preamble);
  out.bytes(DICM);
  const inner = encodeDataset(meta, { littleEndian: true, explicitVR: true });
  out.tag(0x00020000);
  out.ascii2('UL');
  out.uint16(4);
  out.uint32(inner.length);
  out.append(inner);
}

/** The Part 10 header alone (for a dataset that follows as received bytes, e.g. a C-STORE written to disk). */
export function encodePart10Header(meta: Dataset, preamble?: Uint8Array): Uint8Array {
  const out = new ByteSink(true);
  writePart10Header(out, meta, preamble);
  return concatChunks(out.finish());
}

/** Encodes to one buffer. Values still in files (BulkDataRef) must be read first: use `writeFile` or `dicomChunks` for those. */
export function writeDicom(dataset: Dataset, options: WriteOptions = {}): Uint8Array {
  return concatChunks(encodeDicom(dataset, options));
}

function concatChunks(chunks: readonly Chunk[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    if (c instanceof BulkDataRef) throw new DicomEncodeError('a value is still in its file; write with writeFile() or dicomChunks()');
    parts.push(c);
  }
  return Buffer.concat(parts);
}

/** The encoded bytes as a stream; values left in files are copied chunk by chunk. */
export async function* dicomChunks(dataset: Dataset, options: WriteOptions = {}): AsyncIterable<Uint8Array> {
  for (const c of encodeDicom(dataset, options)) {
    if (c instanceof BulkDataRef) yield* c.chunks();
    else yield c;
  }
}

/**
 * Writes a file atomically: into `path.tmp-<pid>`, fsync, rename. A reader never sees a partial file.
 */
export async function writeFile(path: string, dataset: Dataset, options: WriteOptions = {}): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const handle = await open(tmp, 'w');
  try {
    for await (const chunk of dicomChunks(dataset, options)) await handle.write(chunk);
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw error;
  }
}
