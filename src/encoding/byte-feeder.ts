import type { FileHandle } from 'node:fs/promises';

/** A window of the input: `buf` holds the bytes from absolute offset `start`; `eof` says nothing comes after it. */
export interface Window {
  readonly buf: Uint8Array;
  readonly start: number;
  readonly eof: boolean;
}

/**
 * Gives the parser windows of the input. `fill(pos, need)` returns a window that starts at or before `pos` and holds
 * at least `need` bytes from `pos`, or everything up to the end of the input.
 */
export interface ByteFeeder {
  fill(pos: number, need: number): Promise<Window>;
  /** Total length of the input, when known up front. */
  readonly length: number | undefined;
}

/** The whole input is in memory. */
export class BufferFeeder implements ByteFeeder {
  constructor(readonly bytes: Uint8Array) {}
  get length(): number {
    return this.bytes.length;
  }
  async fill(): Promise<Window> {
    return { buf: this.bytes, start: 0, eof: true };
  }
}

/**
 * Reads a file window by window with positioned reads, so skipped values are never read. The first read is small
 * (a header is usually a few KiB: scanning a folder of DICOM files must not read 256 KiB of each) and each next one
 * twice as large, up to `chunkSize`.
 */
export class FileFeeder implements ByteFeeder {
  #next = 16 * 1024;

  constructor(
    readonly handle: FileHandle,
    readonly length: number,
    readonly chunkSize = 256 * 1024,
  ) {}

  async fill(pos: number, need: number): Promise<Window> {
    const chunk = Math.min(this.#next, this.chunkSize);
    this.#next = chunk * 2;
    const want = Math.min(Math.max(need, chunk), this.length - pos);
    const buf = Buffer.allocUnsafe(Math.max(0, want));
    let done = 0;
    while (done < want) {
      const { bytesRead } = await this.handle.read(buf, done, want - done, pos + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return { buf: buf.subarray(0, done), start: pos, eof: pos + done >= this.length };
  }
}

/**
 * Reads an async byte stream. Bytes are kept only from the parser's position on; a value is gathered chunk by chunk
 * and joined once it is whole, so a lying length costs at most the bytes that actually arrive.
 */
export class StreamFeeder implements ByteFeeder {
  readonly length = undefined;
  #iterator: AsyncIterator<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #start = 0;
  #size = 0;
  #eof = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  async fill(pos: number, need: number): Promise<Window> {
    this.#drop(pos);
    while (!this.#eof && this.#start + this.#size < pos + need) {
      const next = await this.#iterator.next();
      if (next.done) this.#eof = true;
      else if (next.value.length > 0) {
        this.#chunks.push(next.value);
        this.#size += next.value.length;
        // A skipped value (a bulk value left in the file being written) is never held: only bytes from `pos` on stay.
        this.#drop(pos);
      }
    }
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return { buf: this.#chunks[0] ?? new Uint8Array(0), start: this.#start, eof: this.#eof };
  }

  /** Forgets the bytes before `pos`. */
  #drop(pos: number): void {
    while (this.#chunks.length > 0 && this.#start + this.#chunks[0]!.length <= pos) {
      this.#start += this.#chunks[0]!.length;
      this.#size -= this.#chunks[0]!.length;
      this.#chunks.shift();
    }
  }

  /** Everything from `pos` to the end of the stream (for deflated datasets). */
  async rest(pos: number, limit: number): Promise<Uint8Array> {
    const w = await this.fill(pos, limit + 1);
    return w.buf.subarray(pos - w.start);
  }
}
