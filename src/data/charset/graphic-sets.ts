import { iconv } from './iconv.js';

/**
 * The ISO 2022 graphic character sets DICOM designates into G0 and G1 (PS3.3 Tables C.12-2 to C.12-4, PS3.5 §6.1.2.5).
 *
 * A set is a table of code positions: single-byte sets (94 or 96 characters) are indexed by the 7-bit position
 * (0x20..0x7F, the same whether invoked in GL or GR); two-byte sets (94 × 94) by (row − 0x21) × 94 + (cell − 0x21).
 * The tables of the national code pages come from iconv-lite and are built on first use.
 */

/** The character a decoder yields for a byte or byte pair that is not in the set. */
export const REPLACEMENT = 0xfffd;

export type GraphicSetKind = 'single' | 'double';

export interface GraphicSetSpec {
  /** ISO-IR registration, e.g. 'ISO-IR 87'. */
  readonly id: string;
  readonly description: string;
  readonly kind: GraphicSetKind;
  /** 94 or 96 characters per row. */
  readonly size: 94 | 96;
  /** ISO 2022 final byte of the designation escape sequence. */
  readonly final: string;
  /** The code element DICOM puts this set in: 0 for G0 (GL), 1 for G1 (GR). */
  readonly element: 0 | 1;
  /** Escape sequence (the bytes after ESC) DICOM uses to designate this set into `element`. */
  readonly designation: string;
  /**
   * PS3.5 Annex I (I.3): the designation of KS X 1001 is written at the head of the line or name component that
   * uses it, not just before the first Hangul character. Other sets are designated just before their first use.
   */
  readonly designateAtSegmentStart?: boolean;
  /** Builds the decode table. */
  readonly build: () => Uint16Array;
  /** Two-byte sets: rows that belong to the standard (1-based, inclusive); characters elsewhere are decoded but never encoded. */
  readonly encodableRows?: readonly (readonly [number, number])[];
}

/** A graphic character set with lazily built decode table and encode map. */
export class GraphicSet {
  readonly id: string;
  readonly description: string;
  readonly kind: GraphicSetKind;
  readonly size: 94 | 96;
  readonly final: string;
  readonly element: 0 | 1;
  /** Escape sequence including ESC, as bytes. */
  readonly escape: Uint8Array;
  readonly designateAtSegmentStart: boolean;
  readonly #spec: GraphicSetSpec;
  #table: Uint16Array | undefined;
  #encodeMap: Map<number, number> | undefined;

  constructor(spec: GraphicSetSpec) {
    this.#spec = spec;
    this.id = spec.id;
    this.description = spec.description;
    this.kind = spec.kind;
    this.size = spec.size;
    this.final = spec.final;
    this.element = spec.element;
    this.escape = Uint8Array.from([0x1b, ...Array.from(spec.designation, (c) => c.charCodeAt(0))]);
    this.designateAtSegmentStart = spec.designateAtSegmentStart ?? false;
  }

  /** Single-byte: 128 entries by 7-bit position; two-byte: 94 × 94 entries. Unmapped positions hold REPLACEMENT. */
  get table(): Uint16Array {
    this.#table ??= this.#spec.build();
    return this.#table;
  }

  /**
   * The 7-bit code of a code point in this set (single-byte: the position; two-byte: row << 8 | cell), or
   * undefined if the set does not have the character.
   */
  encode(codePoint: number): number | undefined {
    this.#encodeMap ??= this.#buildEncodeMap();
    return this.#encodeMap.get(codePoint);
  }

  #buildEncodeMap(): Map<number, number> {
    const map = new Map<number, number>();
    const table = this.table;
    if (this.kind === 'single') {
      for (let pos = 0x20; pos < 0x80; pos++) {
        const cp = table[pos];
        if (cp !== REPLACEMENT && !map.has(cp)) map.set(cp, pos);
      }
      return map;
    }
    const rows = this.#spec.encodableRows ?? [[1, 94]];
    for (const [first, last] of rows) {
      for (let row = first; row <= last; row++) {
        for (let cell = 1; cell <= 94; cell++) {
          const cp = table[(row - 1) * 94 + cell - 1];
          // Private use characters are vendor extensions of the code page, not characters of the standard set.
          if (cp === REPLACEMENT || (cp >= 0xe000 && cp <= 0xf8ff) || map.has(cp)) continue;
          map.set(cp, ((row + 0x20) << 8) | (cell + 0x20));
        }
      }
    }
    return map;
  }
}

const asciiTable = (): Uint16Array => {
  const table = new Uint16Array(128).fill(REPLACEMENT);
  for (let pos = 0x20; pos < 0x7f; pos++) table[pos] = pos;
  return table;
};

/** JIS X 0201 katakana: positions 0x21..0x5F are U+FF61..U+FF9F (halfwidth katakana). */
const katakanaTable = (): Uint16Array => {
  const table = new Uint16Array(128).fill(REPLACEMENT);
  for (let pos = 0x21; pos <= 0x5f; pos++) table[pos] = 0xff61 + pos - 0x21;
  return table;
};

/** The right half (0xA0..0xFF) of an 8-bit code page, by 7-bit position. */
const rightHalfTable = (encoding: string) => (): Uint16Array => {
  const table = new Uint16Array(128).fill(REPLACEMENT);
  const bytes = new Uint8Array(0x60);
  for (let pos = 0x20; pos < 0x80; pos++) bytes[pos - 0x20] = pos | 0x80;
  const text = iconv().decode(bytes, encoding);
  if (text.length !== 0x60) throw new Error(`iconv-lite ${encoding} is not a single-byte code page`);
  for (let pos = 0x20; pos < 0x80; pos++) table[pos] = text.charCodeAt(pos - 0x20);
  return table;
};

/**
 * A 94 × 94 set through the EUC form of a code page (both bytes with the high bit set, after `prefix`).
 * All 8836 pairs are decoded in one call, separated by LF so that an invalid pair cannot shift the others.
 */
const doubleByteTable = (encoding: string, prefix: readonly number[] = []) => (): Uint16Array => {
  const stride = prefix.length + 3;
  const bytes = new Uint8Array(94 * 94 * stride);
  let o = 0;
  for (let row = 0xa1; row <= 0xfe; row++) {
    for (let cell = 0xa1; cell <= 0xfe; cell++) {
      for (const p of prefix) bytes[o++] = p;
      bytes[o++] = row;
      bytes[o++] = cell;
      bytes[o++] = 0x0a;
    }
  }
  const parts = iconv().decode(bytes, encoding).split('\n');
  if (parts.length !== 94 * 94 + 1) throw new Error(`iconv-lite ${encoding}: unexpected decode of the 94 × 94 table`);
  const table = new Uint16Array(94 * 94).fill(REPLACEMENT);
  for (let i = 0; i < 94 * 94; i++) {
    const part = parts[i];
    if (part.length === 1) table[i] = part.charCodeAt(0);
  }
  return table;
};

const single96 = (ir: number, description: string, final: string, encoding: string): GraphicSet =>
  new GraphicSet({
    id: `ISO-IR ${ir}`, description, kind: 'single', size: 96, final, element: 1, designation: `-${final}`,
    build: rightHalfTable(encoding),
  });

/** ISO 646 IRV (ASCII), the default repertoire. */
export const ISO_IR_6 = new GraphicSet({
  id: 'ISO-IR 6', description: 'ISO 646 (ASCII)', kind: 'single', size: 94, final: 'B', element: 0,
  designation: '(B', build: asciiTable,
});

/**
 * JIS X 0201 Romaji. It differs from ASCII only at 05/12 (YEN SIGN) and 07/14 (OVERLINE); like pydicom (shift_jis)
 * Portico maps them to REVERSE SOLIDUS and TILDE, because 05/12 is also the DICOM value delimiter (PS3.5 §6.1.2.5.3).
 */
export const ISO_IR_14 = new GraphicSet({
  id: 'ISO-IR 14', description: 'JIS X 0201 Romaji', kind: 'single', size: 94, final: 'J', element: 0,
  designation: '(J', build: asciiTable,
});

/** JIS X 0201 Katakana (halfwidth katakana), in G1. */
export const ISO_IR_13 = new GraphicSet({
  id: 'ISO-IR 13', description: 'JIS X 0201 Katakana', kind: 'single', size: 94, final: 'I', element: 1,
  designation: ')I', build: katakanaTable,
});

export const ISO_IR_100 = single96(100, 'Latin alphabet No. 1 (ISO 8859-1)', 'A', 'latin1');
export const ISO_IR_101 = single96(101, 'Latin alphabet No. 2 (ISO 8859-2)', 'B', 'iso-8859-2');
export const ISO_IR_109 = single96(109, 'Latin alphabet No. 3 (ISO 8859-3)', 'C', 'iso-8859-3');
export const ISO_IR_110 = single96(110, 'Latin alphabet No. 4 (ISO 8859-4)', 'D', 'iso-8859-4');
export const ISO_IR_144 = single96(144, 'Cyrillic (ISO 8859-5)', 'L', 'iso-8859-5');
export const ISO_IR_127 = single96(127, 'Arabic (ISO 8859-6)', 'G', 'iso-8859-6');
export const ISO_IR_126 = single96(126, 'Greek (ISO 8859-7)', 'F', 'iso-8859-7');
export const ISO_IR_138 = single96(138, 'Hebrew (ISO 8859-8)', 'H', 'iso-8859-8');
export const ISO_IR_148 = single96(148, 'Latin alphabet No. 5 (ISO 8859-9)', 'M', 'iso-8859-9');
export const ISO_IR_203 = single96(203, 'Latin alphabet No. 9 (ISO 8859-15)', 'b', 'iso-8859-15');
export const ISO_IR_166 = single96(166, 'Thai (TIS 620-2533)', 'T', 'tis-620');

/** JIS X 0208 (kanji, hiragana, katakana), in G0. Rows 1-8 and 16-84 are the standard; others are vendor rows. */
export const ISO_IR_87 = new GraphicSet({
  id: 'ISO-IR 87', description: 'JIS X 0208 (Kanji)', kind: 'double', size: 94, final: 'B', element: 0,
  designation: '$B', build: doubleByteTable('euc-jp'), encodableRows: [[1, 8], [16, 84]],
});

/** JIS X 0212 (supplementary kanji), in G0; EUC-JP code set 3 (SS3 0x8F prefix). */
export const ISO_IR_159 = new GraphicSet({
  id: 'ISO-IR 159', description: 'JIS X 0212 (Supplementary Kanji)', kind: 'double', size: 94, final: 'D',
  element: 0, designation: '$(D', build: doubleByteTable('euc-jp', [0x8f]), encodableRows: [[2, 2], [6, 11], [16, 77]],
});

/** KS X 1001 (Hangul and Hanja), in G1 (EUC-KR). */
export const ISO_IR_149 = new GraphicSet({
  id: 'ISO-IR 149', description: 'KS X 1001 (Hangul and Hanja)', kind: 'double', size: 94, final: 'C', element: 1,
  designation: '$)C', designateAtSegmentStart: true, build: doubleByteTable('euc-kr'),
});

/** GB 2312 (simplified Chinese), in G1 (EUC-CN). */
export const ISO_IR_58 = new GraphicSet({
  id: 'ISO-IR 58', description: 'GB 2312 (Simplified Chinese)', kind: 'double', size: 94, final: 'A', element: 1,
  designation: '$)A', build: doubleByteTable('gb2312'), encodableRows: [[1, 9], [16, 87]],
});

export const GRAPHIC_SETS: readonly GraphicSet[] = [
  ISO_IR_6, ISO_IR_14, ISO_IR_13, ISO_IR_100, ISO_IR_101, ISO_IR_109, ISO_IR_110, ISO_IR_144, ISO_IR_127,
  ISO_IR_126, ISO_IR_138, ISO_IR_148, ISO_IR_203, ISO_IR_166, ISO_IR_87, ISO_IR_159, ISO_IR_149, ISO_IR_58,
];

/** What an escape sequence designates: a set into G0 (0) or G1 (1). */
export interface Designation {
  readonly set: GraphicSet;
  readonly element: 0 | 1;
}

/**
 * Every designation a decoder accepts, keyed by the bytes after ESC (latin1 string). Besides the sequences DICOM
 * specifies, a set is accepted in either code element (ISO 2022 §13: 94-sets `(F` / `)F`, 96-sets `-F`,
 * 94 × 94 sets `$(F` / `$)F` and the short `$F` for F = @, A, B); `$@` (JIS C 6226-1978) reads as JIS X 0208.
 */
export const DESIGNATIONS: ReadonlyMap<string, Designation> = (() => {
  const map = new Map<string, Designation>();
  for (const set of GRAPHIC_SETS) {
    const f = set.final;
    if (set.kind === 'double') {
      map.set(`$(${f}`, { set, element: 0 });
      map.set(`$)${f}`, { set, element: 1 });
      if ('@AB'.includes(f)) map.set(`$${f}`, { set, element: 0 });
    } else if (set.size === 96) {
      map.set(`-${f}`, { set, element: 1 });
    } else {
      map.set(`(${f}`, { set, element: 0 });
      map.set(`)${f}`, { set, element: 1 });
    }
  }
  map.set('$@', { set: ISO_IR_87, element: 0 });
  map.set('$(@', { set: ISO_IR_87, element: 0 });
  return map;
})();
