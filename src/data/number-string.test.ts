import { describe, expect, it } from 'vitest';
import { DicomValueError } from '../core/errors.js';
import { formatDS, formatIS, isValidDS, isValidIS, parseDS, parseIS } from './number-string.js';

describe('IS', () => {
  it('reads integers with a sign and padding', () => {
    expect(parseIS('42')).toBe(42);
    expect(parseIS('+42')).toBe(42);
    expect(parseIS(' -42 ')).toBe(-42);
    expect(parseIS('007')).toBe(7);
    expect(Object.is(parseIS('-0'), 0)).toBe(true);
  });
  it('accepts the limits of a signed 32-bit integer', () => {
    expect(parseIS('2147483647')).toBe(2147483647);
    expect(parseIS('-2147483648')).toBe(-2147483648);
    expect(parseIS('-2147483648 ')).toBe(-2147483648);
    expect(() => parseIS('2147483648')).toThrow(DicomValueError);
    expect(() => parseIS('-2147483649')).toThrow(DicomValueError);
  });
  it.each(['', ' ', '1.0', '1e3', '1 2', '0x10', '+', 'abc', '0000000000001', '  2147483647 '])('rejects %j', (text) => {
    expect(() => parseIS(text)).toThrow(DicomValueError);
    expect(isValidIS(text)).toBe(false);
  });
  it('formats integers', () => {
    expect(formatIS(2147483647)).toBe('2147483647');
    expect(formatIS(-2147483648)).toBe('-2147483648');
    expect(formatIS(-0)).toBe('0');
    for (const n of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) expect(() => formatIS(n)).toThrow(DicomValueError);
  });
});

describe('DS', () => {
  it('reads fixed and floating point forms', () => {
    expect(parseDS('1.5')).toBe(1.5);
    expect(parseDS(' -0.25 ')).toBe(-0.25);
    expect(parseDS('+3')).toBe(3);
    expect(parseDS('2.')).toBe(2);
    expect(parseDS('.5')).toBe(0.5);
    expect(parseDS('1e-10')).toBe(1e-10);
    expect(parseDS('-2.5E+3')).toBe(-2500);
    expect(Object.is(parseDS('-0'), -0)).toBe(true);
  });
  it.each(['', '.', 'e5', '1e', '1.5.2', '1 .5', 'NaN', 'Infinity', '-Infinity', '0x1A', '1e999', '12345678901234567', '1,5'])(
    'rejects %j',
    (text) => {
      expect(() => parseDS(text)).toThrow(DicomValueError);
      expect(isValidDS(text)).toBe(false);
    },
  );
  it('formats exact values as the shortest form', () => {
    expect(formatDS(0)).toBe('0');
    expect(formatDS(-0)).toBe('-0');
    expect(formatDS(1.5)).toBe('1.5');
    expect(formatDS(-12)).toBe('-12');
    expect(formatDS(0.1)).toBe('0.1');
    expect(formatDS(1e-10)).toBe('1e-10');
    expect(formatDS(1e21)).toBe('1e21');
    expect(formatDS(5e-324)).toBe('5e-324');
  });
  it('rounds to 16 characters when the exact form is longer', () => {
    expect(formatDS(Math.PI)).toBe('3.14159265358979');
    expect(formatDS(-Math.PI)).toBe('-3.1415926535898');
    expect(formatDS(1 / 3)).toBe('0.33333333333333');
    expect(formatDS(1.2345678901234567e-20)).toBe('1.2345678901e-20');
    expect(formatDS(123456789012345680000)).toBe('1.23456789012e20');
    expect(formatDS(1e16)).toBe('1e16');
    // Rounding to 11 digits would overflow to Infinity; the truncated mantissa stays finite.
    expect(formatDS(Number.MAX_VALUE)).toBe('1.7976931348e308');
    expect(formatDS(-Number.MAX_VALUE)).toBe('-1.797693134e308');
  });
  it('always produces valid DS text that reads back closely', () => {
    const samples = [Math.E, 1 / 7, -1 / 7, 6.02214076e23, 1.602176634e-19, 123456.789012345, 2 ** 53 + 2, 0.000123456789012];
    for (const n of samples) {
      const text = formatDS(n);
      expect(text.length).toBeLessThanOrEqual(16);
      expect(isValidDS(text)).toBe(true);
      expect(Math.abs(parseDS(text) - n) / Math.abs(n)).toBeLessThan(1e-9);
    }
  });
  it('refuses NaN and infinities', () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => formatDS(n)).toThrow(DicomValueError);
    }
  });
});
