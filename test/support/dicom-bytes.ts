/**
 * Builds DICOM byte streams by hand for tests: each call appends one header or value, so a test reads like the
 * byte layout it checks (golden bytes with the decoded meaning beside them).
 */
export class DicomBytes {
  readonly #parts: number[] = [];
  constructor(readonly littleEndian = true) {}

  u16(v: number): this {
    if (this.littleEndian) this.#parts.push(v & 0xff, (v >>> 8) & 0xff);
    else this.#parts.push((v >>> 8) & 0xff, v & 0xff);
    return this;
  }

  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.#parts.push(...(this.littleEndian ? b : b.reverse()));
    return this;
  }

  tag(tag: number): this {
    return this.u16(tag >>> 16).u16(tag & 0xffff);
  }

  raw(bytes: ArrayLike<number> | string): this {
    if (typeof bytes === 'string') for (let i = 0; i < bytes.length; i++) this.#parts.push(bytes.charCodeAt(i) & 0xff);
    else for (let i = 0; i < bytes.length; i++) this.#parts.push(bytes[i]!);
    return this;
  }

  /** Explicit VR element with a 2-byte length (or 4-byte for OB, SQ, UN, ...). */
  explicit(tag: number, vr: string, value: ArrayLike<number> | string, length?: number): this {
    const long = ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV'].includes(vr);
    const len = length ?? (typeof value === 'string' ? value.length : value.length);
    this.tag(tag).raw(vr);
    if (long) this.u16(0).u32(len);
    else this.u16(len);
    return this.raw(value);
  }

  /** Implicit VR element. */
  implicit(tag: number, value: ArrayLike<number> | string, length?: number): this {
    const len = length ?? value.length;
    return this.tag(tag).u32(len).raw(value);
  }

  item(length = 0xffffffff): this {
    return this.tag(0xfffee000).u32(length);
  }

  itemEnd(): this {
    return this.tag(0xfffee00d).u32(0);
  }

  sequenceEnd(): this {
    return this.tag(0xfffee0dd).u32(0);
  }

  get length(): number {
    return this.#parts.length;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}

/** A Part 10 header (preamble, DICM, meta group) for the given transfer syntax. */
export function part10Header(transferSyntax: string, sopClass = '1.2.840.10008.5.1.4.1.1.7', sopInstance = '1.2.3.4'): Uint8Array {
  const pad = (s: string) => (s.length % 2 ? `${s}\0` : s);
  const meta = new DicomBytes()
    .explicit(0x00020001, 'OB', [0, 1])
    .explicit(0x00020002, 'UI', pad(sopClass))
    .explicit(0x00020003, 'UI', pad(sopInstance))
    .explicit(0x00020010, 'UI', pad(transferSyntax))
    .bytes();
  const head = new DicomBytes().raw(new Uint8Array(128)).raw('DICM').explicit(0x00020000, 'UL', [
    meta.length & 0xff, (meta.length >>> 8) & 0xff, 0, 0,
  ]);
  return Uint8Array.from([...head.bytes(), ...meta]);
}

export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
