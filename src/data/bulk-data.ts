import { open } from 'node:fs/promises';
import { DicomParseError } from '../core/errors.js';

/**
 * A value left where it is (in a file) instead of being read into memory: large OB/OW values and
 * Pixel Data fragments of big files. `offset` is the absolute byte offset of the value in the file.
 */
export class BulkDataRef {
  constructor(
    readonly path: string,
    readonly offset: number,
    readonly length: number,
  ) {}

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
      return buf;
    } finally {
      await handle.close();
    }
  }

  /** Reads the bytes in chunks, for copying to a stream without holding the value. */
  async *chunks(chunkSize = 1 << 20): AsyncIterable<Uint8Array> {
    const handle = await open(this.path, 'r');
    try {
      let done = 0;
      while (done < this.length) {
        const want = Math.min(chunkSize, this.length - done);
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await handle.read(buf, 0, want, this.offset + done);
        if (bytesRead === 0) throw new DicomParseError('TRUNCATED', `${this.path}: value ends early`, this.offset + done);
        done += bytesRead;
        yield buf.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }
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
