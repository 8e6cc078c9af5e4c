/**
 * What the Storage SCU sends: SOP instances from files (the bytes after the meta group) or from datasets built in
 * memory, and their dataset bytes as a stream — unchanged, or re-encoded in another uncompressed syntax.
 */
import { open } from 'node:fs/promises';
import { DicomError } from '../../core/errors.js';
import type { BulkDataRef } from '../../data/bulk-data.js';
import type { Dataset } from '../../data/dataset.js';
import { readFile } from '../../encoding/read.js';
import { ExplicitVRLittleEndian, lookupTransferSyntax } from '../../encoding/transfer-syntax.js';
import { dicomChunks, encodeDicom } from '../../encoding/write.js';

/** Where an instance's dataset comes from: the bytes after a file's meta group, or a dataset built in memory. */
export type InstanceSource =
  | { readonly kind: 'file'; readonly path: string; readonly datasetOffset: number }
  | { readonly kind: 'dataset'; readonly dataset: Dataset };

/** One SOP instance to store. */
export interface StoreInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /**
   * The transfer syntax the instance is in: a file's own, or for a dataset the one its Pixel Data is encoded for
   * (an encapsulated syntax for compressed pixel data; any uncompressed one otherwise).
   */
  readonly transferSyntax: string;
  /** Dataset bytes in its own transfer syntax (for progress and throughput). */
  readonly size: number;
  /** How reports name it: the file's path, or what the caller calls the dataset. */
  readonly label: string;
  readonly source: InstanceSource;
}

export interface DatasetInstanceOptions {
  /** How reports name it (default: its SOP Instance UID). */
  readonly label?: string;
  /** The transfer syntax its Pixel Data is encoded for (default Explicit VR Little Endian). */
  readonly transferSyntax?: string;
}

/** An instance from a dataset built in memory (a converter's output). Throws when it has no SOP Class/Instance UID. */
export function datasetInstance(dataset: Dataset, options: DatasetInstanceOptions = {}): StoreInstance {
  const sopClassUid = dataset.string('SOPClassUID');
  const sopInstanceUid = dataset.string('SOPInstanceUID');
  if (!sopClassUid || !sopInstanceUid) throw new StoreSourceError(`${options.label ?? 'dataset'}: no SOP Class UID or SOP Instance UID`);
  const transferSyntax = options.transferSyntax ?? ExplicitVRLittleEndian;
  let size = 0;
  for (const chunk of encodeDicom(dataset, { part10: false, transferSyntax })) size += chunk.length;
  return { sopClassUid, sopInstanceUid, transferSyntax, size, label: options.label ?? sopInstanceUid, source: { kind: 'dataset', dataset } };
}

/** An instance that cannot be read or sent as asked (a file that changed, a dataset without UIDs). */
export class StoreSourceError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_STORE_SOURCE', message, options);
  }
}

/**
 * An instance's dataset as a byte stream. `close()` says the request is over — its response came, or it failed —
 * and lets go of all it holds: the file (closed earlier, when the stream ends) and its read buffer.
 */
export interface DatasetBytes {
  readonly stream: AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

const CHUNK = 1 << 20;

/**
 * Read buffers of CHUNK bytes, reused from one instance to the next on one association. Without them every instance
 * of a folder cost a fresh buffer of its size (0.5 MB for a CT slice), and the garbage collector a tenth of the
 * sending thread. A buffer may be reused only once the peer has every byte read into it: the socket holds on to
 * what it was given until then, corked or queued. So an instance gives its buffer back in `close()`, called after
 * its C-STORE-RSP (or once the association is aborted and its queued bytes are dropped); never when its stream ends.
 */
export class ReadBuffers {
  static readonly KEEP = 4;
  readonly #free: Buffer[] = [];

  /** A buffer for `size` bytes (at most CHUNK). */
  take(size: number): Buffer {
    return (this.#free.pop() ?? Buffer.allocUnsafe(CHUNK)).subarray(0, size);
  }

  give(buffer: Buffer): void {
    if (this.#free.length < ReadBuffers.KEEP && buffer.buffer.byteLength >= CHUNK) this.#free.push(Buffer.from(buffer.buffer, buffer.byteOffset, CHUNK));
  }
}

/**
 * The dataset bytes of an instance: unchanged from the file (or encoded in its own syntax) when `convertTo` is
 * undefined — except that an odd-length deflated dataset gets the padding byte PS3.5 A.5 asks for (DCMTK aborts
 * on odd fragments) — else re-encoded in `convertTo`. Whatever can fail before sending (the file changed, a parse error,
 * a value that cannot be encoded) throws here, before the C-STORE-RQ goes out.
 */
export async function datasetBytes(instance: StoreInstance, convertTo: string | undefined, buffers?: ReadBuffers): Promise<DatasetBytes> {
  const source = instance.source;
  if (source.kind === 'dataset') {
    const chunks = encodeDicom(source.dataset, { part10: false, transferSyntax: convertTo ?? instance.transferSyntax });
    return { stream: flatten(chunks), close: async () => undefined };
  }
  if (convertTo !== undefined) {
    const file = await readFile(source.path);
    return { stream: dicomChunks(file.dataset, { part10: false, transferSyntax: convertTo }), close: async () => undefined };
  }
  const handle = await open(source.path, 'r');
  let closed = false;
  const closeFile = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  // The read buffer of an instance read in one chunk, from `buffers`; given back by close() (see ReadBuffers).
  let borrowed: Buffer | undefined;
  const close = async (): Promise<void> => {
    if (borrowed !== undefined) buffers?.give(borrowed);
    borrowed = undefined;
    await closeFile();
  };
  try {
    const { size } = await handle.stat();
    if (size - source.datasetOffset !== instance.size) {
      throw new StoreSourceError(`${source.path}: the file changed since it was read (${size - source.datasetOffset} dataset bytes, not ${instance.size})`);
    }
  } catch (error) {
    await close();
    throw error;
  }
  const padDeflated = instance.size % 2 === 1 && lookupTransferSyntax(instance.transferSyntax)?.deflated === true;
  const end = source.datasetOffset + instance.size;
  const readAt = async (position: number): Promise<Uint8Array> => {
    const length = Math.min(CHUNK, end - position);
    // Only an instance read in one chunk borrows: the chunks of a larger one are let go as they are sent.
    const buf = buffers !== undefined && instance.size <= CHUNK ? (borrowed = buffers.take(length)) : Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buf, 0, buf.length, position);
    if (bytesRead === 0) throw new StoreSourceError(`${source.path}: the file ends early (at byte ${position})`);
    return buf.subarray(0, bytesRead);
  };
  // Reading runs one chunk ahead of sending, starting now (while the previous instance is still going out).
  let ahead = instance.size > 0 ? readAt(source.datasetOffset) : undefined;
  ahead?.catch(() => undefined);
  const stream = (async function* (): AsyncGenerator<Uint8Array> {
    try {
      let position = source.datasetOffset;
      while (ahead !== undefined) {
        const chunk = await ahead;
        position += chunk.length;
        ahead = position < end ? readAt(position) : undefined;
        ahead?.catch(() => undefined);
        yield chunk;
      }
      // A deflated dataset of odd length (PS3.5 A.5 wants it padded): the padding byte, which inflating ignores.
      if (padDeflated) yield new Uint8Array(1);
    } finally {
      // The file, not the buffer: its bytes may still wait in the socket.
      await closeFile();
    }
  })();
  return { stream, close };
}

async function* flatten(chunks: readonly (Uint8Array | BulkDataRef)[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) {
    if (c instanceof Uint8Array) yield c;
    else yield* c.chunks();
  }
}

export interface Counted {
  readonly stream: AsyncIterable<Uint8Array>;
  /** The association started reading it: the C-STORE-RQ command is out. */
  readonly started: boolean;
  /** Why reading the source failed, if it did. */
  readonly failed: unknown;
  readonly bytes: number;
}

/** Wraps a byte stream to count what goes out and to tell a failing source from a failing association. */
export function counted(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): Counted {
  const state = { started: false, failed: undefined as unknown, bytes: 0 };
  const stream = (async function* (): AsyncGenerator<Uint8Array> {
    state.started = true;
    const iterator = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await iterator.next();
        } catch (error) {
          state.failed = error ?? new StoreSourceError('reading failed');
          throw error;
        }
        if (next.done) return;
        state.bytes += next.value.length;
        onBytes(next.value.length);
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  })();
  return {
    stream,
    get started() {
      return state.started;
    },
    get failed() {
      return state.failed;
    },
    get bytes() {
      return state.bytes;
    },
  };
}
