import { Buffer } from 'node:buffer';
import { iconv } from './iconv.js';
import { CharacterSetError } from '../../core/errors.js';
import { type VR, VR_INFO } from '../vr.js';
import { type GraphicSet, ISO_IR_6, ISO_IR_13, ISO_IR_14, ISO_IR_100, REPLACEMENT } from './graphic-sets.js';
import {
  type Delimiters, decodeIso2022, encodeIso2022, type Iso2022Context, PN_DELIMITERS, TEXT_DELIMITERS,
  VALUE_DELIMITERS,
} from './iso-2022.js';
import { correctTerm, DEFAULT_TERM, DEFINED_TERMS, type DefinedTerm, fallbackTerm, withCodeExtensions } from './terms.js';

/** How a value without escape sequences is decoded. */
type FastPath = 'latin1' | 'table' | 'shift_jis' | 'iso2022' | 'utf8' | 'gb18030' | 'gbk';

const ESC = 0x1b;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const view = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const describe = (cp: number): string => `'${String.fromCodePoint(cp)}' (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;

const delimitersFor = (vr: VR): Delimiters =>
  vr === 'PN' ? PN_DELIMITERS : VR_INFO[vr].multiValued ? VALUE_DELIMITERS : TEXT_DELIMITERS;

interface Resolved {
  readonly terms: readonly DefinedTerm[];
  readonly warnings: readonly string[];
}

const isDefaultOnly = (terms: readonly DefinedTerm[]): boolean =>
  terms.every((t) => t.g0 === ISO_IR_6 && t.g1 === null && t.sets.every((s) => s === ISO_IR_6));

const isAscii = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
};

const decodeTable = (bytes: Uint8Array, table: Uint16Array): string => {
  const out = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]];
  let text = '';
  for (let i = 0; i < out.length; i += 0x2000) {
    text += String.fromCharCode.apply(null, out.subarray(i, i + 0x2000) as unknown as number[]);
  }
  return text;
};

/** The attribute value as trimmed values; [] when absent, empty or only an empty value 1. */
const splitValues = (terms: string | readonly string[] | undefined): string[] => {
  if (terms === undefined) return [];
  const values = (typeof terms === 'string' ? terms.split('\\') : [...terms]).map((t) => t.trim());
  while (values.length > 1 && values[values.length - 1] === '') values.pop();
  return values.length === 1 && values[0] === '' ? [] : values;
};

const resolveStrict = (values: readonly string[]): Resolved => {
  const terms = values.map((value, i) => {
    if (i > 0 && value === '') throw new CharacterSetError(`Specific Character Set value ${i + 1} is empty`);
    const term = DEFINED_TERMS.get(value);
    if (term === undefined) throw new CharacterSetError(`Unknown Specific Character Set term '${value}'`);
    return term;
  });
  if (terms.length > 1) {
    for (const [i, term] of terms.entries()) {
      if (term.standalone) {
        throw new CharacterSetError(`'${term.term}' cannot be combined with other Specific Character Set terms`);
      }
      if (!term.codeExtensions && (i > 0 || term.term !== '')) {
        throw new CharacterSetError(
          `'${term.term}' does not allow code extensions; a multi-valued Specific Character Set needs 'ISO 2022' terms`,
        );
      }
    }
  }
  return { terms, warnings: [] };
};

const resolveLenient = (values: readonly string[]): Resolved => {
  const warnings: string[] = [];
  const terms: DefinedTerm[] = [];
  for (const [i, value] of values.entries()) {
    let term = DEFINED_TERMS.get(value);
    if (term === undefined && value !== '') {
      const corrected = correctTerm(value);
      if (corrected !== undefined) {
        term = corrected.term;
        warnings.push(`Specific Character Set value '${value}' is not a Defined Term: ${corrected.reason}`);
      } else if (i === 0) {
        term = fallbackTerm(value);
        const as = term.term === '' ? 'the default repertoire' : `'${term.term}'`;
        warnings.push(`Unknown Specific Character Set term '${value}': read as ${as}`);
      } else {
        warnings.push(`Unknown Specific Character Set term '${value}': ignored`);
        continue;
      }
    }
    if (term === undefined) {
      if (i > 0) continue; // an empty later value: nothing to designate
      term = DEFAULT_TERM;
    }
    terms.push(term);
  }
  if (terms.length > 1) {
    const first = terms[0];
    if (first.standalone) {
      warnings.push(`'${first.term}' does not allow code extensions: ignoring ${terms.slice(1).map((t) => `'${t.term}'`).join(', ')}`);
      return { terms: [first], warnings };
    }
    const kept: DefinedTerm[] = [];
    for (const [i, term] of terms.entries()) {
      if (term.standalone) {
        warnings.push(`'${term.term}' cannot be used as a code extension: ignored`);
        continue;
      }
      const twin = i === 0 && term.term === '' ? undefined : withCodeExtensions(term);
      if (twin !== undefined) {
        warnings.push(`'${term.term}' among several values: read as '${twin.term}'`);
        kept.push(twin);
      } else {
        kept.push(term);
      }
    }
    return { terms: kept, warnings };
  }
  return { terms, warnings };
};

/**
 * Specific Character Set (0008,0005): the character repertoires of the values of SH, LO, UC, ST, LT, UT and PN
 * (PS3.3 C.12.1.1.2, PS3.5 §6.1). It decodes and encodes one whole element value at a time (all its values,
 * backslashes included): in GBK, GB18030 and ISO 2022 two-byte sets the byte 0x5C can be half of a character, so
 * values are split on `\` after decoding.
 */
export class SpecificCharacterSet {
  /** ISO-IR 6, the default repertoire (no Specific Character Set). */
  static readonly DEFAULT: SpecificCharacterSet = new SpecificCharacterSet({ terms: [], warnings: [] });

  static readonly #cache = new Map<string, SpecificCharacterSet>();

  /**
   * Strict: every value must be a Defined Term (or 'ISO_IR 6'); ISO_IR 192, GB18030 and GBK must stand alone, and
   * with several values all must be 'ISO 2022' terms. Throws CharacterSetError otherwise. Accepts the attribute
   * value as one string with backslashes or as an array; an empty or absent value 1 is the default repertoire.
   */
  static from(terms: string | readonly string[] | undefined): SpecificCharacterSet {
    return SpecificCharacterSet.#cached('strict', terms, resolveStrict);
  }

  /**
   * Lenient, for reading real-world files (like DCMTK and pydicom): misspelt terms are corrected ('ISO-IR 192',
   * 'ISO_IR_100', 'ISO 2022-IR 100', 'UTF-8'), an unknown value 1 becomes ISO_IR 100 if it looks like a
   * single-byte code page and the default repertoire otherwise, unknown later values are dropped, 'ISO_IR n' among
   * several values reads as 'ISO 2022 IR n', and terms that cannot be combined are dropped. Each change is
   * reported in `warnings`.
   */
  static fromLenient(terms: string | readonly string[] | undefined): SpecificCharacterSet {
    return SpecificCharacterSet.#cached('lenient', terms, resolveLenient);
  }

  static #cached(
    mode: string,
    terms: string | readonly string[] | undefined,
    resolve: (values: readonly string[]) => Resolved,
  ): SpecificCharacterSet {
    const values = splitValues(terms);
    if (values.length === 0) return SpecificCharacterSet.DEFAULT;
    const key = `${mode}:${values.join('\\')}`;
    let cs = SpecificCharacterSet.#cache.get(key);
    if (cs === undefined) {
      const resolved = resolve(values);
      cs = new SpecificCharacterSet(resolved);
      // Values come from files: bound the cache so that hostile input cannot grow it.
      if (SpecificCharacterSet.#cache.size >= 256) SpecificCharacterSet.#cache.clear();
      SpecificCharacterSet.#cache.set(key, cs);
    }
    return cs;
  }

  /** The Defined Terms in force, in order (value 1 is '' when it is empty); [] for the default repertoire. */
  readonly terms: readonly string[];
  /** What fromLenient changed, one sentence each; [] for from(). */
  readonly warnings: readonly string[];
  /** True if only ISO-IR 6 (ASCII) is designated. */
  readonly isDefault: boolean;

  readonly #fastPath: FastPath;
  readonly #context: Iso2022Context;
  /** Value-1 decode table for 'table' (256 entries). */
  readonly #table: Uint16Array | undefined;
  readonly #key: string;

  private constructor(resolved: Resolved) {
    const defined = resolved.terms;
    this.terms = Object.freeze(defined.map((t) => t.term));
    this.warnings = Object.freeze([...resolved.warnings]);
    this.isDefault = isDefaultOnly(defined);
    const first = defined[0] ?? DEFAULT_TERM;
    const extensions = defined.some((t) => t.codeExtensions);
    const designatable: GraphicSet[] = [];
    if (extensions) {
      for (const t of defined) for (const set of t.sets) if (!designatable.includes(set)) designatable.push(set);
    }
    this.#context = { initialG0: first.g0, initialG1: first.g1, designatable };
    this.#key = this.isDefault ? '' : defined.map((t, i) => (i === 0 && isDefaultOnly([t]) ? '' : t.term)).join('\\');
    if (first.encoding !== 'iso2022') {
      this.#fastPath = first.encoding;
    } else if (first.g0 === ISO_IR_14 && first.g1 === ISO_IR_13) {
      this.#fastPath = 'shift_jis';
    } else if (first.g0 !== ISO_IR_6 || (first.g1 !== null && first.g1.kind !== 'single')) {
      this.#fastPath = 'iso2022';
    } else if (first.g1 === null || first.g1 === ISO_IR_100) {
      this.#fastPath = 'latin1';
    } else {
      this.#fastPath = 'table';
      const table = new Uint16Array(256);
      for (let b = 0; b < 0xa0; b++) table[b] = b;
      const right = first.g1.table;
      for (let b = 0xa0; b < 0x100; b++) table[b] = right[b & 0x7f];
      this.#table = table;
    }
  }

  /**
   * Decodes one whole element value. VRs that Specific Character Set does not affect are read as ISO 8859-1;
   * so is the default repertoire (bytes above 0x7F are not ASCII, but are kept rather than lost). Never throws:
   * bytes that are not valid in the character sets read as U+FFFD.
   */
  decode(bytes: Uint8Array, vr: VR): string {
    const buffer = view(bytes);
    if (!VR_INFO[vr].charset) return buffer.toString('latin1');
    switch (this.#fastPath) {
      case 'latin1':
        if (buffer.indexOf(ESC) < 0) return buffer.toString('latin1');
        break;
      case 'utf8':
        return buffer.toString('utf8');
      case 'gb18030':
      case 'gbk':
        return iconv().decode(buffer, this.#fastPath);
      case 'table':
        if (buffer.indexOf(ESC) < 0) return decodeTable(buffer, this.#table!);
        break;
      case 'shift_jis':
        // JIS X 0201 in 8 bits is a subset of Shift_JIS; like pydicom, Shift_JIS kanji written under ISO_IR 13 are read too.
        if (buffer.indexOf(ESC) < 0) return iconv().decode(buffer, 'shift_jis');
        break;
      case 'iso2022':
        break;
    }
    return decodeIso2022(buffer, this.#context, delimitersFor(vr));
  }

  /**
   * Encodes one whole element value (backslashes included; no padding is added). VRs that Specific Character Set
   * does not affect are written as ISO 8859-1. Throws CharacterSetError if a character cannot be represented in
   * the declared character sets.
   */
  encode(text: string, vr: VR): Uint8Array {
    if (!VR_INFO[vr].charset) return this.#latin1(text, 0xff, vr);
    switch (this.#fastPath) {
      case 'utf8':
        if (LONE_SURROGATE.test(text)) this.#fail(text, text.search(LONE_SURROGATE));
        return Buffer.from(text, 'utf8');
      case 'gb18030':
      case 'gbk':
        return this.#encodeIconv(text, this.#fastPath);
      case 'latin1':
        if (this.#context.designatable.length === 0 || isAscii(text)) {
          return this.#latin1(text, this.#context.initialG1 === null ? 0x7f : 0xff);
        }
        break;
      default:
        if (isAscii(text) && this.#context.initialG0 === ISO_IR_6) return Buffer.from(text, 'latin1');
    }
    const result = encodeIso2022(text, this.#context, delimitersFor(vr));
    if (result instanceof Uint8Array) return result;
    return this.#fail(text, result.index);
  }

  /** Same terms in force (value 1 empty and 'ISO 2022 IR 6' or 'ISO_IR 6' count as the same). */
  equals(other: SpecificCharacterSet): boolean {
    return this === other || this.#key === other.#key;
  }

  toString(): string {
    return this.terms.join('\\');
  }

  #encodeIconv(text: string, encoding: 'gb18030' | 'gbk'): Uint8Array {
    if (LONE_SURROGATE.test(text)) this.#fail(text, text.search(LONE_SURROGATE));
    const bytes = iconv().encode(text, encoding);
    if (iconv().decode(bytes, encoding) === text) return bytes;
    // Find the first character the code page does not have.
    let index = 0;
    for (const ch of text) {
      if (iconv().decode(iconv().encode(ch, encoding), encoding) !== ch) break;
      index += ch.length;
    }
    return this.#fail(text, index);
  }

  #fail(text: string, index: number, vr?: VR): never {
    const cp = text.codePointAt(index) ?? REPLACEMENT;
    const name = this.terms.length === 0 ? 'the default repertoire (ISO-IR 6)' : `'${this.terms.join('\\')}'`;
    throw new CharacterSetError(
      vr === undefined
        ? `Cannot encode ${describe(cp)} at offset ${index} with Specific Character Set ${name}`
        : `Cannot encode ${describe(cp)} at offset ${index} in a ${vr} value: Specific Character Set does not apply to ${vr}, which takes ISO 8859-1 bytes only`,
    );
  }

  /** ISO 8859-1 bytes of a text whose characters are all at most `max`. */
  #latin1(text: string, max: number, vr?: VR): Uint8Array {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > max) this.#fail(text, i, vr);
    return Buffer.from(text, 'latin1');
  }
}
