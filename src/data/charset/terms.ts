import {
  type GraphicSet, ISO_IR_6, ISO_IR_13, ISO_IR_14, ISO_IR_58, ISO_IR_87, ISO_IR_100, ISO_IR_101, ISO_IR_109,
  ISO_IR_110, ISO_IR_126, ISO_IR_127, ISO_IR_138, ISO_IR_144, ISO_IR_148, ISO_IR_149, ISO_IR_159, ISO_IR_166,
  ISO_IR_203,
} from './graphic-sets.js';

/** How the values of a term are encoded: ISO 2022 (possibly single-byte without extensions) or a variable-length code. */
export type TermEncoding = 'iso2022' | 'utf8' | 'gb18030' | 'gbk';

/** One Defined Term of Specific Character Set (0008,0005), PS3.3 C.12.1.1.2, Tables C.12-2 to C.12-5. */
export interface DefinedTerm {
  readonly term: string;
  readonly description: string;
  readonly encoding: TermEncoding;
  /** An 'ISO 2022 ...' term: it takes part in code extensions (Tables C.12-3, C.12-4). */
  readonly codeExtensions: boolean;
  /** ISO_IR 192, GB18030, GBK: cannot be combined with other terms (Table C.12-5, PS3.5 §6.1.2.5.4 d). */
  readonly standalone: boolean;
  /** Initial G0 when this term is value 1. */
  readonly g0: GraphicSet;
  /** Initial G1 when this term is value 1 (null: not designated). */
  readonly g1: GraphicSet | null;
  /** The sets this term lets an encoder designate (ISO 2022 only). */
  readonly sets: readonly GraphicSet[];
}

const singleByte = (ir: number, description: string, g0: GraphicSet, g1: GraphicSet): DefinedTerm[] => [
  { term: `ISO_IR ${ir}`, description, encoding: 'iso2022', codeExtensions: false, standalone: false, g0, g1,
    sets: [g0, g1] },
  { term: `ISO 2022 IR ${ir}`, description, encoding: 'iso2022', codeExtensions: true, standalone: false, g0, g1,
    sets: [g0, g1] },
];

/**
 * A multi-byte set with code extensions (Table C.12-4). As value 1 (not what the standard shows, but seen in the
 * field) the initial G0 is ASCII; a G1 set (KS X 1001, GB 2312) is also initially designated, so that EUC-KR or
 * EUC-CN text written without escape sequences reads as intended.
 */
const multiByte = (ir: number, description: string, set: GraphicSet): DefinedTerm => ({
  term: `ISO 2022 IR ${ir}`, description, encoding: 'iso2022', codeExtensions: true, standalone: false,
  g0: ISO_IR_6, g1: set.element === 1 ? set : null, sets: [set],
});

const standalone = (term: string, description: string, encoding: TermEncoding): DefinedTerm => ({
  term, description, encoding, codeExtensions: false, standalone: true, g0: ISO_IR_6, g1: null, sets: [],
});

/** The default repertoire (value 1 empty or absent). */
export const DEFAULT_TERM: DefinedTerm = {
  term: '', description: 'Default repertoire (ISO 646)', encoding: 'iso2022', codeExtensions: false,
  standalone: false, g0: ISO_IR_6, g1: null, sets: [ISO_IR_6],
};

const TERM_LIST: readonly DefinedTerm[] = [
  DEFAULT_TERM,
  // 'ISO_IR 6' is not a Defined Term, but DCMTK and pydicom accept it for the default repertoire, and so do we.
  { ...DEFAULT_TERM, term: 'ISO_IR 6' },
  { ...DEFAULT_TERM, term: 'ISO 2022 IR 6', codeExtensions: true },
  ...singleByte(100, 'Latin alphabet No. 1', ISO_IR_6, ISO_IR_100),
  ...singleByte(101, 'Latin alphabet No. 2', ISO_IR_6, ISO_IR_101),
  ...singleByte(109, 'Latin alphabet No. 3', ISO_IR_6, ISO_IR_109),
  ...singleByte(110, 'Latin alphabet No. 4', ISO_IR_6, ISO_IR_110),
  ...singleByte(144, 'Cyrillic', ISO_IR_6, ISO_IR_144),
  ...singleByte(127, 'Arabic', ISO_IR_6, ISO_IR_127),
  ...singleByte(126, 'Greek', ISO_IR_6, ISO_IR_126),
  ...singleByte(138, 'Hebrew', ISO_IR_6, ISO_IR_138),
  ...singleByte(148, 'Latin alphabet No. 5', ISO_IR_6, ISO_IR_148),
  ...singleByte(203, 'Latin alphabet No. 9', ISO_IR_6, ISO_IR_203),
  ...singleByte(13, 'Japanese (JIS X 0201)', ISO_IR_14, ISO_IR_13),
  ...singleByte(166, 'Thai', ISO_IR_6, ISO_IR_166),
  multiByte(87, 'Japanese (JIS X 0208)', ISO_IR_87),
  multiByte(159, 'Japanese (JIS X 0212)', ISO_IR_159),
  multiByte(149, 'Korean (KS X 1001)', ISO_IR_149),
  multiByte(58, 'Simplified Chinese (GB 2312)', ISO_IR_58),
  standalone('ISO_IR 192', 'Unicode in UTF-8', 'utf8'),
  standalone('GB18030', 'GB 18030', 'gb18030'),
  standalone('GBK', 'GBK', 'gbk'),
];

export const DEFINED_TERMS: ReadonlyMap<string, DefinedTerm> = new Map(TERM_LIST.map((t) => [t.term, t]));

/** The 'ISO 2022 IR n' twin of an 'ISO_IR n' term (for lenient reading of multi-valued charsets). */
export const withCodeExtensions = (term: DefinedTerm): DefinedTerm | undefined =>
  term.codeExtensions || term.standalone ? undefined : DEFINED_TERMS.get(term.term.replace(/^ISO_IR /, 'ISO 2022 IR '));

export interface Correction {
  readonly term: DefinedTerm;
  /** Why the value was not taken as written. */
  readonly reason: string;
}

/**
 * Maps a value that is not a Defined Term to the term it was most likely meant to be, like pydicom's
 * `_python_encoding_for_corrected_encoding`: wrong case or separators ('ISO-IR 192', 'ISO_IR_100', 'iso_ir 100',
 * 'ISO 2022-IR 100', 'ISO IR 87'), the wrong family ('ISO_IR 87' for 'ISO 2022 IR 87', 'ISO 2022 IR 192'), and a
 * few code page names ('UTF-8', 'GB 18030', 'ISO-8859-1').
 */
export const correctTerm = (value: string): Correction | undefined => {
  const upper = value.toUpperCase().trim();
  const compact = upper.replace(/[^A-Z0-9]/g, '');
  const named: Record<string, string> = {
    UTF8: 'ISO_IR 192', ISOIR192: 'ISO_IR 192', ISO2022IR192: 'ISO_IR 192', GB18030: 'GB18030', GBK: 'GBK',
    ISO88591: 'ISO_IR 100', LATIN1: 'ISO_IR 100', ISO88592: 'ISO_IR 101', ISO88593: 'ISO_IR 109',
    ISO88594: 'ISO_IR 110', ISO88595: 'ISO_IR 144', ISO88596: 'ISO_IR 127', ISO88597: 'ISO_IR 126',
    ISO88598: 'ISO_IR 138', ISO88599: 'ISO_IR 148', ISO885915: 'ISO_IR 203', TIS620: 'ISO_IR 166',
  };
  const named1 = named[compact];
  if (named1 !== undefined) return { term: DEFINED_TERMS.get(named1)!, reason: `read as '${named1}'` };
  const ext = /^ISO[^A-Z0-9]*2022[^A-Z0-9]*IR[^A-Z0-9]*(\d+)$/.exec(upper);
  const plain = ext === null ? /^ISO[^A-Z0-9]*IR[^A-Z0-9]*(\d+)$/.exec(upper) : null;
  const ir = ext?.[1] ?? plain?.[1];
  if (ir === undefined) return undefined;
  const n = Number(ir);
  const candidates = ext !== null ? [`ISO 2022 IR ${n}`, `ISO_IR ${n}`] : [`ISO_IR ${n}`, `ISO 2022 IR ${n}`];
  for (const candidate of candidates) {
    const term = DEFINED_TERMS.get(candidate);
    if (term !== undefined) return { term, reason: `read as '${candidate}'` };
  }
  return undefined;
};

/** For an unknown value 1: ISO_IR 100 if it looks like a single-byte code page, else the default repertoire. */
export const fallbackTerm = (value: string): DefinedTerm => {
  const upper = value.toUpperCase();
  const singleByteLooking = /^ISO[^A-Z0-9]*(IR|8859)|8859|LATIN|1252|^CP12\d\d$|^WINDOWS/.test(upper) &&
    !/2022|UTF|UNICODE|GB|KS|JIS|EUC|BIG5/.test(upper);
  return DEFINED_TERMS.get(singleByteLooking ? 'ISO_IR 100' : '')!;
};
