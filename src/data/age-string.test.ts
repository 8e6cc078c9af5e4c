import { describe, expect, it } from 'vitest';
import { DicomValueError } from '../core/errors.js';
import { formatAS, isValidAS, parseAS } from './age-string.js';

describe('AS', () => {
  it('reads each unit', () => {
    expect(parseAS('045Y')).toEqual({ value: 45, unit: 'Y' });
    expect(parseAS('018M')).toEqual({ value: 18, unit: 'M' });
    expect(parseAS('003W')).toEqual({ value: 3, unit: 'W' });
    expect(parseAS('000D')).toEqual({ value: 0, unit: 'D' });
    expect(parseAS('999Y ')).toEqual({ value: 999, unit: 'Y' });
  });
  it.each(['45Y', '0045Y', '045y', '045', 'Y045', '04.5Y', '045X', ''])('rejects %j', (text) => {
    expect(() => parseAS(text)).toThrow(DicomValueError);
    expect(isValidAS(text)).toBe(false);
  });
  it('formats with three digits', () => {
    expect(formatAS({ value: 45, unit: 'Y' })).toBe('045Y');
    expect(formatAS({ value: 0, unit: 'D' })).toBe('000D');
    expect(formatAS(parseAS('120W'))).toBe('120W');
  });
  it('refuses ages it cannot write', () => {
    expect(() => formatAS({ value: 1000, unit: 'Y' })).toThrow(DicomValueError);
    expect(() => formatAS({ value: -1, unit: 'Y' })).toThrow(DicomValueError);
    expect(() => formatAS({ value: 1.5, unit: 'Y' })).toThrow(DicomValueError);
    expect(() => formatAS({ value: 1, unit: 'X' as 'Y' })).toThrow(DicomValueError);
    expect(() => formatAS({ value: 1, unit: '' as 'Y' })).toThrow(DicomValueError);
  });
});
