import { describe, expect, it } from 'vitest';
import { DicomValueError } from '../core/errors.js';
import { inSpan, keySpan, storedDate, storedDateTime, storedTime } from './range.js';

describe('keySpan: a key as the span it names (PS3.4 C.2.2.2.5)', () => {
  it('DA: single, closed, open', () => {
    expect(keySpan('DA', '20240115')).toEqual({ from: '20240115', to: '20240115' });
    expect(keySpan('DA', '20240101-20240131')).toEqual({ from: '20240101', to: '20240131' });
    expect(keySpan('DA', '-20240131')).toEqual({ from: undefined, to: '20240131' });
    expect(keySpan('DA', '20240101-')).toEqual({ from: '20240101', to: undefined });
  });

  it('TM: partial values span their precision', () => {
    expect(keySpan('TM', '07')).toEqual({ from: '070000.000000', to: '075960.999999' });
    expect(keySpan('TM', '0700')).toEqual({ from: '070000.000000', to: '070060.999999' });
    expect(keySpan('TM', '070000.123')).toEqual({ from: '070000.123000', to: '070000.123999' });
    expect(keySpan('TM', '07-0800')).toEqual({ from: '070000.000000', to: '080060.999999' });
  });

  it('DT: partial values span their precision; an offset is set aside', () => {
    expect(keySpan('DT', '2024')).toEqual({ from: '20240101000000.000000', to: '20241231235960.999999' });
    expect(keySpan('DT', '202402')).toEqual({ from: '20240201000000.000000', to: '20240231235960.999999' });
    expect(keySpan('DT', '20240101-0500')).toEqual({ from: '20240101000000.000000', to: '20240101235960.999999' });
    expect(keySpan('DT', '20240101-0500-20240102+0100')).toEqual({ from: '20240101000000.000000', to: '20240102235960.999999' });
    expect(keySpan('DT', '2023-2024')).toEqual({ from: '20230101000000.000000', to: '20241231235960.999999' });
  });

  it('throws DicomValueError for malformed keys', () => {
    for (const [vr, text] of [['DA', '2024-01-01'], ['DA', '20241301'], ['DA', '-'], ['TM', '24'], ['TM', '0760'], ['DT', '2024-13']] as const) {
      expect(() => keySpan(vr, text), `${vr} ${text}`).toThrow(DicomValueError);
    }
  });
});

describe('stored values as their first moment', () => {
  it('DA only as YYYYMMDD', () => {
    expect(storedDate('20240115')).toBe('20240115');
    expect(storedDate('2024.01.15')).toBeUndefined();
    expect(storedDate('')).toBeUndefined();
  });

  it('TM', () => {
    expect(storedTime('07')).toBe('070000.000000');
    expect(storedTime('0730')).toBe('073000.000000');
    expect(storedTime('073015.5')).toBe('073015.500000');
    expect(storedTime('073015.123456')).toBe('073015.123456');
    expect(storedTime('07:30')).toBeUndefined();
    expect(storedTime('0730.5')).toBeUndefined();
  });

  it('DT, with and without offset', () => {
    expect(storedDateTime('2024')).toBe('20240101000000.000000');
    expect(storedDateTime('20240115')).toBe('20240115000000.000000');
    expect(storedDateTime('20240115083000.5+0100')).toBe('20240115083000.500000');
    expect(storedDateTime('2024-0500')).toBe('20240101000000.000000');
    expect(storedDateTime('20240115.5')).toBeUndefined();
    expect(storedDateTime('2024011')).toBeUndefined();
  });
});

describe('inSpan', () => {
  it('is inclusive at both ends; an open end has no bound; no value never matches', () => {
    expect(inSpan({ from: 'b', to: 'd' }, 'b')).toBe(true);
    expect(inSpan({ from: 'b', to: 'd' }, 'd')).toBe(true);
    expect(inSpan({ from: 'b', to: 'd' }, 'e')).toBe(false);
    expect(inSpan({ from: undefined, to: undefined }, 'x')).toBe(true);
    expect(inSpan({ from: undefined, to: undefined }, undefined)).toBe(false);
    expect(inSpan({ from: 'd', to: 'b' }, 'c')).toBe(false);
  });
});
