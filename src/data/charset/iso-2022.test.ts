import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DESIGNATIONS, GRAPHIC_SETS, ISO_IR_6, ISO_IR_58, ISO_IR_87, ISO_IR_100, ISO_IR_149 } from './graphic-sets.js';
import { decodeIso2022, encodeIso2022, type Iso2022Context, PN_DELIMITERS, VALUE_DELIMITERS } from './iso-2022.js';
import { SpecificCharacterSet } from './specific-character-set.js';

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const ESC = 0x1b;

const JAPANESE: Iso2022Context = { initialG0: ISO_IR_6, initialG1: null, designatable: [ISO_IR_6, ISO_IR_87] };

describe('graphic sets', () => {
  it('build their tables from iconv-lite', () => {
    for (const set of GRAPHIC_SETS) {
      expect(set.table.length, set.id).toBe(set.kind === 'single' ? 128 : 94 * 94);
      expect(set.escape[0]).toBe(ESC);
      expect(DESIGNATIONS.get(String.fromCharCode(...set.escape.subarray(1)))?.set, set.id).toBe(set);
    }
    expect(ISO_IR_87.encode('山'.codePointAt(0)!)).toBe(0x3b33);
    expect(ISO_IR_149.encode('홍'.codePointAt(0)!)).toBe(0x482b);
    expect(ISO_IR_58.encode('张'.codePointAt(0)!)).toBe(0x5545);
    expect(ISO_IR_100.encode(0xe9)).toBe(0x69);
  });

  it('do not encode vendor rows (NEC row 13 of JIS X 0208) but decode them', () => {
    expect(ISO_IR_87.encode(0x2460)).toBeUndefined(); // ① is NEC row 13, not JIS X 0208
    expect(decodeIso2022(Uint8Array.from([ESC, 0x24, 0x42, 0x2d, 0x21]), JAPANESE, VALUE_DELIMITERS)).toBe('①');
  });
});

describe('decodeIso2022 with bad input', () => {
  it('reads a lone first byte of a two-byte character as U+FFFD', () => {
    expect(decodeIso2022(Uint8Array.from([ESC, 0x24, 0x42, 0x3b]), JAPANESE, VALUE_DELIMITERS)).toBe('\ufffd');
    const korean: Iso2022Context = { initialG0: ISO_IR_6, initialG1: ISO_IR_149, designatable: [] };
    expect(decodeIso2022(Uint8Array.from([0xb1, 0x41]), korean, VALUE_DELIMITERS)).toBe('\ufffdA');
  });

  it('keeps a truncated or unknown escape sequence as bytes', () => {
    expect(decodeIso2022(Uint8Array.from([0x41, ESC]), JAPANESE, VALUE_DELIMITERS)).toBe('A\x1b');
    expect(decodeIso2022(Uint8Array.from([ESC, 0x24]), JAPANESE, VALUE_DELIMITERS)).toBe('\x1b$');
    expect(decodeIso2022(Uint8Array.from([ESC, 0x25, 0x47, 0x41]), JAPANESE, VALUE_DELIMITERS)).toBe('\x1b%GA');
  });

  it('reads GR bytes with no G1 set as ISO 8859-1, and C1 bytes as C1 controls', () => {
    expect(decodeIso2022(Uint8Array.from([ESC, 0x28, 0x42, 0xe9, 0x85]), JAPANESE, PN_DELIMITERS)).toBe('é\u0085');
  });

  it('accepts designations a strict reader would not expect (ESC $ @, ESC $ ( B)', () => {
    const bytes = Uint8Array.from([ESC, ...ascii('$@;3'), ESC, ...ascii('$(BED'), ESC, ...ascii('(B')]);
    expect(decodeIso2022(bytes, JAPANESE, PN_DELIMITERS)).toBe('山田');
  });

  it('resets to the initial sets at CR, LF, FF, TAB', () => {
    const bytes = Uint8Array.from([ESC, ...ascii('$B;3'), 0x09, ...ascii(';3')]);
    expect(decodeIso2022(bytes, JAPANESE, VALUE_DELIMITERS)).toBe('山\t;3');
  });
});

describe('encodeIso2022', () => {
  it('reports the first character no set has, with its offset', () => {
    expect(encodeIso2022('ab한', JAPANESE, PN_DELIMITERS)).toEqual({ codePoint: '한'.codePointAt(0), index: 2 });
    expect(encodeIso2022('a😀', JAPANESE, PN_DELIMITERS)).toEqual({ codePoint: 0x1f600, index: 1 });
  });
});

describe('round trips', () => {
  const cases: [string, string, string][] = [
    ['\\ISO 2022 IR 87\\ISO 2022 IR 159', 'PN', 'Yamada Taro山田太郎やまだたろうアイウ鷗齩×'],
    ['ISO 2022 IR 13\\ISO 2022 IR 87', 'LO', 'abcｱｲｳﾞ山田あ~'],
    ['\\ISO 2022 IR 149', 'LT', 'Hong Gildong洪吉洞홍길동'],
    ['\\ISO 2022 IR 58', 'PN', 'Zhang XiaoDong张小东。'],
    ['ISO 2022 IR 100\\ISO 2022 IR 126\\ISO 2022 IR 144\\ISO 2022 IR 87', 'LO', 'Jérôme ΔιονυσιοςЛюкс山'],
    ['ISO_IR 101', 'SH', 'Wałęsa Řehoř'],
    ['ISO_IR 192', 'UT', 'Jérôme 山田 홍길동 😀'],
    ['GB18030', 'LO', 'Wang 王小东 €😀'],
  ];
  for (const [terms, vr, alphabet] of cases) {
    it(`decode(encode(s)) = s for ${terms} (${vr})`, () => {
      const cs = SpecificCharacterSet.from(terms);
      const chars = [...alphabet, '^', '=', '\\', '\r\n'];
      const vrName = vr as 'PN' | 'LO' | 'LT' | 'SH' | 'UT';
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 40 }), (parts) => {
          const text = parts.join('');
          expect(cs.decode(cs.encode(text, vrName), vrName)).toBe(text);
        }),
        { numRuns: 300 },
      );
    });
  }
});
