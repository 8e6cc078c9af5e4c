import { open } from 'node:fs/promises';
import { DicomParseError } from '../core/errors.js';

/**
 * A value left where it is (in a file) instead of being read into memory: large OB/OW values and
 * Pixel Data fragments of big files. `offset` is the absolute byte offset of the value in the file.
 * Like every binary value, it reads as little-endian bytes: `swapWords` is the word size to swap when the file
 * holds it big endian (0 when the bytes are used as stored).
 */
export class BulkDataRef {
  constructor(
    readonly path: string,
    readonly offset: number,
    readonly length: number,
    readonly swapWords = 0,
  ) {}

  /** The same value read with the opposite byte order of `wordSize`-byte words. */
  swapped(wordSize: number): BulkDataRef {
    if (wordSize <= 1) return this;
    return new BulkDataRef(this.path, this.offset, this.length, this.swapWords ? 0 : wordSize);
  }

  /** Reads the bytes. Throws DicomParseError if the file has become shorter. */
  async read(): Promise<Uint8Array> {
    const handle = await open(this.path, 'r');
    try {
      const buf = Buffer.allocUnsafe(this.length);
      let done = 0;
      while (done < this.length) {
        const { bytesRead } = await handle.read(buf, done, this.length - done, this.offset + done);
        if (bytesRead === 0) throw new DicomParseError('TRUNCATED', `${this.path}: value ends early`, this.offset + done);
        done += bytesRead;
      }
      return this.swapWords ? swapInPlace(buf, this.swapWords) : buf;
    } finally {
      await handle.close();
    }
  }

  /** Reads the bytes in chunks, for copying to a stream without holding the value. */
  async *chunks(chunkSize = 1 << 20): AsyncIterable<Uint8Array> {
    const handle = await open(this.path, 'r');
    try {
      let done = 0;
      // Whole words per chunk, so that swapping never splits one.
      chunkSize -= chunkSize % 8;
      while (done < this.length) {
        const want = Math.min(chunkSize, this.length - done);
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await handle.read(buf, 0, want, this.offset + done);
        if (bytesRead === 0) throw new DicomParseError('TRUNCATED', `${this.path}: value ends early`, this.offset + done);
        done += bytesRead;
        const chunk = buf.subarray(0, bytesRead);
        yield this.swapWords ? swapInPlace(chunk, this.swapWords) : chunk;
      }
    } finally {
      await handle.close();
    }
  }
}

function swapInPlace(buf: Uint8Array, size: number): Uint8Array {
  const whole = buf.length - (buf.length % size);
  for (let i = 0; i < whole; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = buf[a]!;
      buf[a] = buf[b]!;
      buf[b] = t;
    }
  }
  return buf;
}

/** One fragment of encapsulated Pixel Data: where its bytes are in the source, and the bytes if they were read. */
export interface Fragment {
  /** Absolute offset of the fragment's value in the file or stream (after the item header). */
  readonly offset: number;
  readonly length: number;
  readonly bytes: Uint8Array | BulkDataRef;
}

/**
 * Encapsulated Pixel Data (PS3.5 A.4): the Basic Offset Table (first item, may be empty) and the fragments.
 * Kept fragment for fragment so that it can be written back unchanged.
 */
export class EncapsulatedPixelData {
  constructor(
    readonly basicOffsetTable: Fragment,
    readonly fragments: readonly Fragment[],
  ) {}

  /** The Basic Offset Table as numbers (empty when the table is empty or not loaded). */
  offsets(): number[] {
    const b = this.basicOffsetTable.bytes;
    if (!(b instanceof Uint8Array)) return [];
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const out: number[] = [];
    for (let i = 0; i + 4 <= b.byteLength; i += 4) out.push(view.getUint32(i, true));
    return out;
  }
}
