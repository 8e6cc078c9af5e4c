import type { BulkDataRef } from '../data/bulk-data.js';

/** A piece of encoded output: bytes, or a value still in a file (copied when the output is written). */
export type Chunk = Uint8Array | BulkDataRef;

/**
 * Collects encoded output. Small writes (headers, short values) go into one growing scratch buffer; large values
 * are appended as their own chunks without copying.
 */
export class ByteSink {
  readonly chunks: Chunk[] = [];
  #scratch = Buffer.allocUnsafe(4096);
  #used = 0;
  #flushed = 0;
  length = 0;
  readonly littleEndian: boolean;

  constructor(littleEndian: boolean) {
    this.littleEndian = littleEndian;
  }

  #ensure(n: number): void {
    if (this.#used + n <= this.#scratch.length) return;
    this.#flush();
    if (n > this.#scratch.length) this.#scratch = Buffer.allocUnsafe(Math.max(n, 4096));
    else this.#scratch = Buffer.allocUnsafe(this.#scratch.length);
    this.#used = 0;
    this.#flushed = 0;
  }

  #flush(): void {
    if (this.#used > this.#flushed) {
      this.chunks.push(this.#scratch.subarray(this.#flushed, this.#used));
      this.#flushed = this.#used;
    }
  }

  uint16(v: number): void {
    this.#ensure(2);
    if (this.littleEndian) this.#scratch.writeUInt16LE(v, this.#used);
    else this.#scratch.writeUInt16BE(v, this.#used);
    this.#used += 2;
    this.length += 2;
  }

  uint32(v: number): void {
    this.#ensure(4);
    if (this.littleEndian) this.#scratch.writeUInt32LE(v >>> 0, this.#used);
    else this.#scratch.writeUInt32BE(v >>> 0, this.#used);
    this.#used += 4;
    this.length += 4;
  }

  tag(tag: number): void {
    this.uint16(tag >>> 16);
    this.uint16(tag & 0xffff);
  }

  ascii2(text: string): void {
    this.#ensure(2);
    this.#scratch[this.#used] = text.charCodeAt(0);
    this.#scratch[this.#used + 1] = text.charCodeAt(1);
    this.#used += 2;
    this.length += 2;
  }

  byte(v: number): void {
    this.#ensure(1);
    this.#scratch[this.#used++] = v;
    this.length += 1;
  }

  /** Appends bytes: copied when small, referenced when large. */
  bytes(b: Uint8Array): void {
    if (b.length === 0) return;
    if (b.length <= 512) {
      this.#ensure(b.length);
      this.#scratch.set(b, this.#used);
      this.#used += b.length;
    } else {
      this.#flush();
      this.chunks.push(b);
    }
    this.length += b.length;
  }

  bulk(ref: BulkDataRef): void {
    this.#flush();
    this.chunks.push(ref);
    this.length += ref.length;
  }

  /** Appends everything another sink collected. */
  append(other: ByteSink): void {
    for (const c of other.finish()) {
      if (c instanceof Uint8Array) this.bytes(c);
      else this.bulk(c);
    }
  }

  finish(): Chunk[] {
    this.#flush();
    return this.chunks;
  }
}
