import { describe, expect, it } from 'vitest';
import { DicomError } from '../core/errors.js';
import { Dataset } from '../data/dataset.js';
import { tagForKeyword } from '../dictionary/attributes.js';
import { dataset } from './cases.js';
import { matchConditions, MatchingError, MAX_WILDCARD_LENGTH, timeTagOf } from './condition.js';

const tag = (keyword: string): number => tagForKeyword(keyword)!;
const one = (spec: Parameters<typeof dataset>[0], options?: Parameters<typeof matchConditions>[1]) => matchConditions(dataset(spec), options);

describe('matchConditions: the kind of matching each key gets', () => {
  it('zero length, padding only, * only → universal', () => {
    expect(one({ PatientName: '', PatientID: '  ', AccessionNumber: '*', StudyDate: '**', StudyInstanceUID: '*' })).toEqual([
      { kind: 'universal', tag: tag('StudyDate') },
      { kind: 'universal', tag: tag('AccessionNumber') },
      { kind: 'universal', tag: tag('PatientName') },
      { kind: 'universal', tag: tag('PatientID') },
      { kind: 'universal', tag: tag('StudyInstanceUID') },
    ]);
  });

  it('leaves out Specific Character Set, Query/Retrieve Level and View, Timezone Offset From UTC, group lengths, private creators', () => {
    const ds = dataset({ SpecificCharacterSet: 'ISO_IR 100', QueryRetrieveLevel: 'STUDY', QueryRetrieveView: 'CLASSIC', TimezoneOffsetFromUTC: '+0100' });
    ds.set(0x00100000, 8, 'UL');
    ds.set(0x00290010, 'ACME', 'LO');
    expect(matchConditions(ds)).toEqual([]);
  });

  it('plain values → single, trailing padding removed (leading too for CS)', () => {
    expect(one({ PatientID: 'A-1 ', Modality: ' CT ', InstanceNumber: '7' })).toEqual([
      { kind: 'single', tag: tag('Modality'), vr: 'CS', value: 'CT' },
      { kind: 'single', tag: tag('PatientID'), vr: 'LO', value: 'A-1' },
      { kind: 'single', tag: tag('InstanceNumber'), vr: 'IS', value: '7' },
    ]);
  });

  it('* or ? in a wild card VR → wildcard', () => {
    expect(one({ PatientName: 'Sm?th*' })).toEqual([{ kind: 'wildcard', tag: tag('PatientName'), vr: 'PN', pattern: 'Sm?th*' }]);
  });

  it('several UIDs → uid-list; several values of another VR → a value list', () => {
    expect(one({ StudyInstanceUID: '1.2\\1.3', ModalitiesInStudy: 'CT\\MR' })).toEqual([
      { kind: 'uid-list', tag: tag('ModalitiesInStudy'), values: ['CT', 'MR'] },
      { kind: 'uid-list', tag: tag('StudyInstanceUID'), values: ['1.2', '1.3'] },
    ]);
  });

  it('DA/TM/DT: a value → single (canonical text), a - → range; ACR-NEMA dates are read', () => {
    expect(one({ StudyDate: '2024.01.15', StudyTime: '0700-', AcquisitionDateTime: '-20240101120000.5+0100' })).toEqual([
      { kind: 'single', tag: tag('StudyDate'), vr: 'DA', value: '20240115' },
      { kind: 'range', tag: tag('AcquisitionDateTime'), vr: 'DT', to: '20240101120000.5+0100' },
      { kind: 'range', tag: tag('StudyTime'), vr: 'TM', from: '0700' },
    ]);
  });

  it('a DT value with a negative UTC offset is one value, not a range', () => {
    expect(one({ AcquisitionDateTime: '20240101-0500' })).toEqual([{ kind: 'single', tag: tag('AcquisitionDateTime'), vr: 'DT', value: '20240101-0500' }]);
  });

  it('a reversed range is kept (it matches nothing; see range.ts)', () => {
    expect(one({ StudyDate: '20240101-20230101' })).toEqual([{ kind: 'range', tag: tag('StudyDate'), vr: 'DA', from: '20240101', to: '20230101' }]);
  });

  it('a sequence with one item → sequence of its conditions; empty or universal-only → universal', () => {
    expect(one({ ScheduledProcedureStepSequence: [{ Modality: 'MR', ScheduledStationAETitle: '' }] })).toEqual([
      {
        kind: 'sequence', tag: tag('ScheduledProcedureStepSequence'),
        item: [{ kind: 'single', tag: tag('Modality'), vr: 'CS', value: 'MR' }, { kind: 'universal', tag: tag('ScheduledStationAETitle') }],
      },
    ]);
    const empty = new Dataset();
    empty.set('ScheduledProcedureStepSequence', [], 'SQ');
    expect(matchConditions(empty)).toEqual([{ kind: 'universal', tag: tag('ScheduledProcedureStepSequence') }]);
  });

  it('binary VRs are never matched', () => {
    const ds = new Dataset();
    ds.set(0x00091010, Uint8Array.of(1, 2, 3, 4), 'UN');
    ds.set('PixelData', Uint8Array.of(1, 2), 'OB');
    expect(matchConditions(ds).map((c) => c.kind)).toEqual(['universal', 'universal']);
  });

  it('a PN key with all groups empty or * is universal', () => {
    expect(one({ PatientName: '==' })).toEqual([{ kind: 'universal', tag: tag('PatientName') }]);
    expect(one({ PatientName: '*=*=*' })).toEqual([{ kind: 'universal', tag: tag('PatientName') }]);
  });
});

describe('matchConditions: combined date-time (combineDateTime)', () => {
  it('pairs each DA with its TM from the dictionary', () => {
    expect(timeTagOf(tag('StudyDate'))).toBe(tag('StudyTime'));
    expect(timeTagOf(tag('SeriesDate'))).toBe(tag('SeriesTime'));
    expect(timeTagOf(tag('AcquisitionDate'))).toBe(tag('AcquisitionTime'));
    expect(timeTagOf(tag('ContentDate'))).toBe(tag('ContentTime'));
    expect(timeTagOf(tag('PatientBirthDate'))).toBe(tag('PatientBirthTime'));
    expect(timeTagOf(tag('ScheduledProcedureStepStartDate'))).toBe(tag('ScheduledProcedureStepStartTime'));
    expect(timeTagOf(tag('PerformedProcedureStepStartDate'))).toBe(tag('PerformedProcedureStepStartTime'));
    expect(timeTagOf(tag('PatientID'))).toBeUndefined();
  });

  it('combines two ranges of the same form into one YYYYMMDDHHMMSS.FFFFFF range', () => {
    expect(one({ StudyDate: '20240101-20240102', StudyTime: '0800-1800' }, { combineDateTime: true })).toEqual([
      { kind: 'date-time-range', dateTag: tag('StudyDate'), timeTag: tag('StudyTime'), from: '20240101080000.000000', to: '20240102180060.999999' },
    ]);
    expect(one({ SeriesDate: '-20240102', SeriesTime: '-18' }, { combineDateTime: true })).toEqual([
      { kind: 'date-time-range', dateTag: tag('SeriesDate'), timeTag: tag('SeriesTime'), to: '20240102185960.999999' },
    ]);
  });

  it('keeps them apart without the option, with different forms, or with a single value', () => {
    const apart = (spec: Parameters<typeof dataset>[0], options = { combineDateTime: true }) => one(spec, options).map((c) => c.kind);
    expect(apart({ StudyDate: '20240101-20240102', StudyTime: '0800-1800' }, { combineDateTime: false })).toEqual(['range', 'range']);
    expect(apart({ StudyDate: '20240101-', StudyTime: '0800-1800' })).toEqual(['range', 'range']);
    expect(apart({ StudyDate: '20240101', StudyTime: '0800-1800' })).toEqual(['single', 'range']);
    expect(apart({ StudyDate: '20240101-20240102', StudyTime: '' })).toEqual(['range', 'universal']);
    expect(apart({ StudyDate: '20240101-20240102', SeriesTime: '0800-1800' })).toEqual(['range', 'range']);
  });
});

describe('matchConditions: malformed keys are MatchingError with the tag', () => {
  const bad: [string, Parameters<typeof dataset>[0]][] = [
    ['a date with dashes', { StudyDate: '2024-01-01' }],
    ['month 13', { StudyDate: '20241301' }],
    ['day 32', { StudyDate: '20240132' }],
    ['a lone -', { StudyDate: '-' }],
    ['a range with a bad bound', { StudyDate: '20240101-2024' }],
    ['two dashes', { StudyDate: '20240101-20240102-20240103' }],
    ['hour 25', { StudyTime: '2500' }],
    ['TM with a UTC offset', { StudyTime: '1200+0100' }],
    ['DT with a bad offset', { AcquisitionDateTime: '20240101+1500' }],
    ['a wild card in a DA', { StudyDate: '2024*' }],
    ['a ? in a TM', { StudyTime: '1?00' }],
    ['a list of dates', { StudyDate: '20240101\\20240102' }],
    ['a wild card in a UID', { StudyInstanceUID: '1.2.*' }],
    ['a wild card in an IS', { InstanceNumber: '1*' }],
    ['a list with wild cards', { ModalitiesInStudy: 'C*\\MR' }],
    ['a list of person names', { PatientName: 'A\\B' }],
    ['four PN groups', { PatientName: 'a=b=c=d' }],
    ['a NUL inside a value', { PatientID: 'A\0B' }],
    ['a wild card pattern over the limit', { StudyDescription: `*${'x'.repeat(MAX_WILDCARD_LENGTH)}` }],
    ['64 KiB of wild card pattern', { PatientName: `${'?'.repeat(64 * 1024)}` }],
  ];
  it.each(bad)('%s', (_name, spec) => {
    const ds = dataset(spec);
    let caught: unknown;
    try {
      matchConditions(ds);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MatchingError);
    expect(caught).toBeInstanceOf(DicomError);
    expect((caught as MatchingError).code).toBe('ERR_MATCHING');
    expect((caught as MatchingError).tag).toBe(ds.tags()[0]);
    expect((caught as MatchingError).message).toContain(Object.keys(spec)[0]);
  });

  it('a sequence key with two items', () => {
    expect(() => one({ ScheduledProcedureStepSequence: [{ Modality: 'CT' }, { Modality: 'MR' }] })).toThrow(MatchingError);
  });

  it('an error inside an item names the item key', () => {
    expect(() => one({ ScheduledProcedureStepSequence: [{ ScheduledProcedureStepStartDate: '2024-01-01' }] })).toThrow(/ScheduledProcedureStepStartDate/);
  });

  it('a pattern at the limit is accepted', () => {
    expect(one({ StudyDescription: `*${'x'.repeat(MAX_WILDCARD_LENGTH - 1)}` })[0]!.kind).toBe('wildcard');
  });
});
