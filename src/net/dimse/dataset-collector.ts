/**
 * Joins the data set fragments of a DIMSE message into one buffer, up to a cap, for the messages whose data sets
 * are small enough to hold (C-FIND identifiers, N-* attribute lists, a C-STORE when the caller chooses memory).
 * A peer cannot make it grow past the cap: the fragment that would cross it throws `DimseDecodeError`.
 */
import { DicomError, DimseDecodeError } from '../../core/errors.js';

export class DatasetCollector {
  readonly maxLength: number;
  #buf: Uint8Array = new Uint8Array(0);
  #length = 0;

  constructor(maxLength: number) {
    if (!Number.isInteger(maxLength) || maxLength < 0) throw new DicomError('ERR_INVALID_ARGUMENT', `invalid data set cap ${maxLength}`);
    this.maxLength = maxLength;
  }

  get length(): number {
    return this.#length;
  }

  /** Appends a copy of `chunk` (the caller may reuse its memory). */
  add(chunk: Uint8Array): void {
    if (chunk.length > this.maxLength - this.#length) {
      throw new DimseDecodeError(`data set larger than ${this.maxLength} bytes`);
    }
    const needed = this.#length + chunk.length;
    if (needed > this.#buf.length) {
      // The first fragment is usually the whole data set (a C-FIND identifier of a few hundred bytes): exactly its
      // size, from Node's pool. Zeroing a fresh 64 KiB buffer per message, as this did, was most of a C-FIND
      // client's garbage. Later fragments double the buffer, so a large data set is copied O(n) times in all.
      const capacity = this.#length === 0 ? needed : Math.min(Math.max(needed, this.#buf.length * 2), this.maxLength);
      const grown = Buffer.allocUnsafe(capacity);
      grown.set(this.#buf.subarray(0, this.#length));
      this.#buf = grown;
    }
    this.#buf.set(chunk, this.#length);
    this.#length = needed;
  }

  /** The bytes collected so far; the collector starts over empty. */
  finish(): Uint8Array {
    const out = this.#buf.subarray(0, this.#length);
    this.#buf = new Uint8Array(0);
    this.#length = 0;
    return out;
  }
}

/** Joins a stream of chunks into one buffer of at most `maxLength` bytes (`DimseDecodeError` beyond). */
export async function collectDataset(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxLength: number): Promise<Uint8Array> {
  const collector = new DatasetCollector(maxLength);
  for await (const chunk of chunks) collector.add(chunk);
  return collector.finish();
}
