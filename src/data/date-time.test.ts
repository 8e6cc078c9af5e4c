import { describe, expect, it } from 'vitest';
import { DicomValueError } from '../core/errors.js';
import {
  daToDate,
  dateToDA,
  dateToDT,
  dateToTM,
  dtToDate,
  formatDA,
  formatDT,
  formatTM,
  parseDA,
  parseDateRange,
  parseDateTimeRange,
  parseDT,
  parseTimeRange,
  parseTM,
  tmToSeconds,
} from './date-time.js';

describe('parseDA', () => {
  it('reads YYYYMMDD', () => {
    expect(parseDA('20240315')).toEqual({ year: 2024, month: 3, day: 15 });
  });
  it('reads the ACR-NEMA form YYYY.MM.DD', () => {
    expect(parseDA('1993.08.22')).toEqual({ year: 1993, month: 8, day: 22 });
  });
  it('ignores trailing padding', () => {
    expect(parseDA('20240315 ')).toEqual({ year: 2024, month: 3, day: 15 });
  });
  it('accepts 29 February in a leap year only', () => {
    expect(parseDA('20240229').day).toBe(29);
    expect(parseDA('20000229').day).toBe(29);
    expect(() => parseDA('20230229')).toThrow(DicomValueError);
    expect(() => parseDA('19000229')).toThrow(DicomValueError);
  });
  it.each(['20241301', '20240001', '20240431', '20240100', '2024021', '2024-02-01', '2024O201', '', '202402011'])(
    'rejects %j',
    (text) => {
      expect(() => parseDA(text)).toThrow(DicomValueError);
    },
  );
  it('reports the VR on the error', () => {
    try {
      parseDA('20241301');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DicomValueError);
      expect((e as DicomValueError).vr).toBe('DA');
      expect((e as DicomValueError).code).toBe('ERR_VALUE');
    }
  });
});

describe('parseTM', () => {
  it('reads every precision', () => {
    expect(parseTM('07')).toEqual({ hours: 7 });
    expect(parseTM('0730')).toEqual({ hours: 7, minutes: 30 });
    expect(parseTM('073015')).toEqual({ hours: 7, minutes: 30, seconds: 15 });
    expect(parseTM('073015.5')).toEqual({ hours: 7, minutes: 30, seconds: 15, fraction: { microseconds: 500000, digits: 1 } });
    expect(parseTM('235959.000123')).toEqual({
      hours: 23, minutes: 59, seconds: 59, fraction: { microseconds: 123, digits: 6 },
    });
  });
  it('reads the ACR-NEMA form HH:MM:SS.frac', () => {
    expect(parseTM('07:30:15.25')).toEqual({ hours: 7, minutes: 30, seconds: 15, fraction: { microseconds: 250000, digits: 2 } });
    expect(parseTM('07:30')).toEqual({ hours: 7, minutes: 30 });
  });
  it('allows a leap second', () => {
    expect(parseTM('235960').seconds).toBe(60);
  });
  it.each(['24', '2400', '240000', '0760', '075961', '073015.', '073015.1234567', '7', '07301', '07h30', '0730.5', '07:30:15:00'])(
    'rejects %j',
    (text) => {
      expect(() => parseTM(text)).toThrow(DicomValueError);
    },
  );
});

describe('parseDT', () => {
  it('reads a full value with an offset', () => {
    expect(parseDT('20240315103000.123456-0500')).toEqual({
      year: 2024, month: 3, day: 15, hours: 10, minutes: 30, seconds: 0,
      fraction: { microseconds: 123456, digits: 6 }, offsetMinutes: -300,
    });
  });
  it('reads partial values with trailing components omitted', () => {
    expect(parseDT('2024')).toEqual({ year: 2024 });
    expect(parseDT('202403')).toEqual({ year: 2024, month: 3 });
    expect(parseDT('2024031510')).toEqual({ year: 2024, month: 3, day: 15, hours: 10 });
    expect(parseDT('2024+0100')).toEqual({ year: 2024, offsetMinutes: 60 });
  });
  it('accepts the offset range -1200 to +1400', () => {
    expect(parseDT('20240101-1200').offsetMinutes).toBe(-720);
    expect(parseDT('20240101+1400').offsetMinutes).toBe(840);
    expect(parseDT('20240101+0545').offsetMinutes).toBe(345);
    expect(() => parseDT('20240101-1201')).toThrow(DicomValueError);
    expect(() => parseDT('20240101+1401')).toThrow(DicomValueError);
    expect(() => parseDT('20240101+0160')).toThrow(DicomValueError);
  });
  it.each(['202', '2024021', '20241301', '20240230', '2024010124', '202401011060', '20240101106', '20240101.5', '20240101+05', 'abcd', '2024010110300.5'])(
    'rejects %j',
    (text) => {
      expect(() => parseDT(text)).toThrow(DicomValueError);
    },
  );
});

describe('ranges', () => {
  it('reads DA ranges in all four shapes', () => {
    const a = { year: 2024, month: 1, day: 1 };
    const b = { year: 2024, month: 12, day: 31 };
    expect(parseDateRange('20240101-20241231')).toEqual({ from: a, to: b });
    expect(parseDateRange('20240101-')).toEqual({ from: a });
    expect(parseDateRange('-20241231')).toEqual({ to: b });
    expect(parseDateRange('20240101')).toEqual({ from: a, to: a });
  });
  it('rejects malformed DA ranges', () => {
    expect(() => parseDateRange('-')).toThrow(DicomValueError);
    expect(() => parseDateRange('20240101-20240102-20240103')).toThrow(DicomValueError);
    expect(() => parseDateRange('20240101-2024')).toThrow(DicomValueError);
  });
  it('reads TM ranges', () => {
    expect(parseTimeRange('0800-1700')).toEqual({ from: { hours: 8, minutes: 0 }, to: { hours: 17, minutes: 0 } });
    expect(parseTimeRange('-12')).toEqual({ to: { hours: 12 } });
    expect(parseTimeRange('101010.5-')).toEqual({
      from: { hours: 10, minutes: 10, seconds: 10, fraction: { microseconds: 500000, digits: 1 } },
    });
    expect(() => parseTimeRange('2400-')).toThrow(DicomValueError);
  });
  it('reads DT ranges', () => {
    expect(parseDateTimeRange('20240101-20240102')).toEqual({
      from: { year: 2024, month: 1, day: 1 }, to: { year: 2024, month: 1, day: 2 },
    });
    expect(parseDateTimeRange('2024-2025')).toEqual({ from: { year: 2024 }, to: { year: 2025 } });
    expect(parseDateTimeRange('-202401011200')).toEqual({ to: { year: 2024, month: 1, day: 1, hours: 12, minutes: 0 } });
  });
  it('tells a negative UTC offset from the range dash', () => {
    const jan1 = { year: 2024, month: 1, day: 1, offsetMinutes: -300 };
    expect(parseDateTimeRange('20240101-0500')).toEqual({ from: jan1, to: jan1 });
    expect(parseDateTimeRange('20240101-0500-')).toEqual({ from: jan1 });
    expect(parseDateTimeRange('-20240101-0500')).toEqual({ to: jan1 });
    expect(parseDateTimeRange('20240101-0500-20240102')).toEqual({ from: jan1, to: { year: 2024, month: 1, day: 2 } });
    expect(parseDateTimeRange('20240101-0500-20240102-0500')).toEqual({
      from: jan1, to: { year: 2024, month: 1, day: 2, offsetMinutes: -300 },
    });
    expect(parseDateTimeRange('20240101+0100-20240102')).toEqual({
      from: { year: 2024, month: 1, day: 1, offsetMinutes: 60 }, to: { year: 2024, month: 1, day: 2 },
    });
    // An offset is already present, so the next dash separates even though four digits follow.
    expect(parseDateTimeRange('20240101-0500-0600')).toEqual({ from: jan1, to: { year: 600 } });
  });
  it('rejects malformed DT ranges', () => {
    expect(() => parseDateTimeRange('20240101-2024013')).toThrow(DicomValueError);
    expect(() => parseDateTimeRange('-')).toThrow(DicomValueError);
    expect(() => parseDateTimeRange('20240101-20240102-20240103')).toThrow(DicomValueError);
  });
});

describe('format', () => {
  it('formats full and partial dates', () => {
    expect(formatDA({ year: 2024, month: 2, day: 29 })).toBe('20240229');
    expect(formatDA({ year: 2024, month: 2 })).toBe('202402');
    expect(formatDA({ year: 824 })).toBe('0824');
    expect(() => formatDA({ year: 2023, month: 2, day: 29 })).toThrow(DicomValueError);
    expect(() => formatDA({ year: 2024, day: 1 })).toThrow(DicomValueError);
    expect(() => formatDA({ year: 12345 })).toThrow(DicomValueError);
  });
  it('formats times keeping the fraction precision', () => {
    expect(formatTM({ hours: 7 })).toBe('07');
    expect(formatTM({ hours: 7, minutes: 5, seconds: 3, fraction: { microseconds: 120000, digits: 3 } })).toBe('070503.120');
    expect(formatTM({ hours: 7, minutes: 5, seconds: 3, fraction: { microseconds: 123456, digits: 2 } })).toBe('070503.12');
    expect(() => formatTM({ hours: 24 })).toThrow(DicomValueError);
    expect(() => formatTM({ hours: 7, seconds: 3 })).toThrow(DicomValueError);
    expect(() => formatTM({ hours: 7.5 })).toThrow(DicomValueError);
    expect(() => formatTM({ hours: 7, minutes: 0, seconds: 0, fraction: { microseconds: 1, digits: 7 } })).toThrow(
      DicomValueError,
    );
  });
  it('formats date-times with offsets', () => {
    expect(formatDT({ year: 2024 })).toBe('2024');
    expect(formatDT({ year: 2024, month: 3, day: 15, hours: 10, minutes: 30, offsetMinutes: -330 })).toBe('202403151030-0530');
    expect(formatDT({ year: 2024, offsetMinutes: 0 })).toBe('2024+0000');
    expect(() => formatDT({ year: 2024, month: 3, hours: 10 })).toThrow(DicomValueError);
    expect(() => formatDT({ year: 2024, offsetMinutes: 900 })).toThrow(DicomValueError);
  });
  it('round-trips parse and format', () => {
    for (const text of ['2024', '20240315103000.1-0500', '19991231235960.000001+1400', '202403151030']) {
      expect(formatDT(parseDT(text))).toBe(text);
    }
    for (const text of ['00', '2359', '235959.9', '000000.000000']) expect(formatTM(parseTM(text))).toBe(text);
  });
});

describe('JS values', () => {
  it('converts DA to UTC midnight and back', () => {
    const d = daToDate('20240229');
    expect(d.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(dateToDA(d, { utc: true })).toBe('20240229');
    expect(daToDate('00500101').getUTCFullYear()).toBe(50);
  });
  it('formats a local date', () => {
    expect(dateToDA(new Date(2024, 0, 5, 23, 59))).toBe('20240105');
    expect(() => dateToDA(new Date(Number.NaN))).toThrow(DicomValueError);
  });
  it('computes seconds since midnight', () => {
    expect(tmToSeconds('010203.5')).toBe(3723.5);
    expect(tmToSeconds('10')).toBe(36000);
    expect(tmToSeconds({ hours: 0, minutes: 0, seconds: 1, fraction: { microseconds: 250000, digits: 2 } })).toBe(1.25);
  });
  it('formats a time of day', () => {
    const d = new Date(Date.UTC(2024, 0, 1, 9, 8, 7, 654));
    expect(dateToTM(d, { utc: true })).toBe('090807');
    expect(dateToTM(d, { utc: true, fractionDigits: 3 })).toBe('090807.654');
    expect(dateToTM(d, { utc: true, fractionDigits: 6 })).toBe('090807.654000');
    expect(dateToTM(new Date(2024, 0, 1, 13, 14, 15))).toBe('131415');
    expect(() => dateToTM(d, { fractionDigits: 7 })).toThrow(DicomValueError);
  });
  it('converts DT to an instant using its own offset first', () => {
    expect(dtToDate('20240315103000.123456-0500').toISOString()).toBe('2024-03-15T15:30:00.123Z');
    expect(dtToDate('20240315103000', 60).toISOString()).toBe('2024-03-15T09:30:00.000Z');
    expect(dtToDate('20240315103000+0000', 60).toISOString()).toBe('2024-03-15T10:30:00.000Z');
    expect(dtToDate('2024', 0).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    const local = dtToDate('20240315103000');
    expect([local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes()]).toEqual([2024, 2, 15, 10, 30]);
  });
  it('formats an instant as DT', () => {
    const d = new Date(Date.UTC(2024, 2, 15, 15, 30, 0, 123));
    expect(dateToDT(d, { offsetMinutes: -300 })).toBe('20240315103000-0500');
    expect(dateToDT(d, { offsetMinutes: 0, fractionDigits: 3 })).toBe('20240315153000.123+0000');
    expect(dateToDT(d, { offsetMinutes: 345 })).toBe('20240315211500+0545');
    expect(dtToDate(dateToDT(d, { offsetMinutes: 60, fractionDigits: 3 })).getTime()).toBe(d.getTime());
    expect(dtToDate(dateToDT(d, { fractionDigits: 6 })).getTime()).toBe(d.getTime());
    expect(dateToDT(new Date(2024, 0, 2, 3, 4, 5))).toBe('20240102030405');
  });
});
