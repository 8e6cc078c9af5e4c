import { describe, expect, it } from 'vitest';
import { Dataset } from '../data/dataset.js';
import { tagForKeyword } from '../dictionary/attributes.js';
import { readDicom } from '../encoding/read.js';
import { writeDicom } from '../encoding/write.js';
import { CASES, CORPUS, dataset } from './cases.js';
import { type MatchCondition, matchConditions, MatchingError } from './condition.js';
import { matchesDataset, matchesDateTime, matchesValues } from './match.js';
import { CandidateTable, matchingInMemory } from './test-database.js';

const tag = (keyword: string): number => tagForKeyword(keyword)!;

describe('matchesDataset: the shared case table in memory', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(matchingInMemory(CORPUS, dataset(c.query), c.options)).toEqual([...c.expected].sort());
  });
});

describe('matchesValues', () => {
  const single = (keyword: string, vr: string, value: string): MatchCondition => ({ kind: 'single', tag: tag(keyword), vr, value });

  it('universal matches absent and empty values', () => {
    expect(matchesValues({ kind: 'universal', tag: tag('PatientID') }, undefined)).toBe(true);
    expect(matchesValues({ kind: 'universal', tag: tag('PatientID') }, [])).toBe(true);
  });

  it('any other condition does not match an absent or empty attribute', () => {
    const c = single('PatientID', 'LO', 'A');
    expect(matchesValues(c, undefined)).toBe(false);
    expect(matchesValues(c, [])).toBe(false);
    expect(matchesValues(c, [''])).toBe(false);
    expect(matchesValues({ kind: 'wildcard', tag: tag('PatientID'), vr: 'LO', pattern: '**' }, [''])).toBe(false);
  });

  it('a multi-valued attribute matches when any value does', () => {
    expect(matchesValues(single('ModalitiesInStudy', 'CS', 'MR'), ['CT', 'MR'])).toBe(true);
    expect(matchesValues(single('ModalitiesInStudy', 'CS', 'MR'), ['CT', 'PT'])).toBe(false);
  });

  it('stored padding is ignored as the decoder would drop it; leading spaces only where insignificant', () => {
    expect(matchesValues(single('PatientID', 'LO', 'A'), ['A  '])).toBe(true);
    expect(matchesValues(single('Modality', 'CS', 'CT'), ['  CT '])).toBe(true);
    expect(matchesValues(single('PatientID', 'LO', 'A'), [' A'])).toBe(false);
  });

  it('a single DA, TM or DT value matches the span it names', () => {
    expect(matchesValues(single('StudyDate', 'DA', '20240115'), ['20240115'])).toBe(true);
    expect(matchesValues(single('StudyDate', 'DA', '20240115'), ['20240116'])).toBe(false);
    expect(matchesValues(single('StudyTime', 'TM', '0730'), ['073059.999'])).toBe(true);
    expect(matchesValues(single('StudyTime', 'TM', '0730'), ['0731'])).toBe(false);
    expect(matchesValues(single('AcquisitionDateTime', 'DT', '202401'), ['20240131235959'])).toBe(true);
  });

  it('malformed stored dates and times match no range', () => {
    const range: MatchCondition = { kind: 'range', tag: tag('StudyDate'), vr: 'DA', from: '20000101' };
    for (const stored of ['2024.01.15', '2024-01-15', '2024011', '202401155', 'yesterday']) expect(matchesValues(range, [stored])).toBe(false);
    const time: MatchCondition = { kind: 'range', tag: tag('StudyTime'), vr: 'TM', from: '00' };
    for (const stored of ['7', '073', '07:30', '073000.', '073000.1234567', '073000,5']) expect(matchesValues(time, [stored])).toBe(false);
    const dt: MatchCondition = { kind: 'range', tag: tag('AcquisitionDateTime'), vr: 'DT', from: '1900' };
    for (const stored of ['20240', '2024.5', '20240101.5', '20240101120000+05', '2024-01-01']) expect(matchesValues(dt, [stored])).toBe(false);
    expect(matchesValues(dt, ['20240101120000.5-0500'])).toBe(true);
  });

  it('a date-time-range condition takes [date, time]', () => {
    const c: MatchCondition = { kind: 'date-time-range', dateTag: tag('StudyDate'), timeTag: tag('StudyTime'), from: '20240101120000.000000' };
    expect(matchesValues(c, ['20240101', '1200'])).toBe(true);
    expect(matchesValues(c, ['20240101', '1159'])).toBe(false);
  });

  it('a sequence condition is refused (it needs the items: matchesDataset)', () => {
    const c: MatchCondition = { kind: 'sequence', tag: tag('ScheduledProcedureStepSequence'), item: [] };
    expect(() => matchesValues(c, ['x'])).toThrow(MatchingError);
  });

  it('a hand-made DA condition with a bad value is a MatchingError', () => {
    expect(() => matchesValues(single('StudyDate', 'DA', '2024-13-01'), ['20240101'])).toThrow(MatchingError);
  });

  it('PN case folding follows the option', () => {
    const c = single('PatientName', 'PN', 'DOE^JOHN');
    expect(matchesValues(c, ['Doe^John'])).toBe(true);
    expect(matchesValues(c, ['Doe^John'], { caseInsensitivePersonName: false })).toBe(false);
  });
});

describe('matchesDateTime', () => {
  const c: MatchCondition & { kind: 'date-time-range' } = {
    kind: 'date-time-range', dateTag: tag('StudyDate'), timeTag: tag('StudyTime'), from: '20240101080000.000000', to: '20240102180060.999999',
  };

  it('concatenates the stored date and time', () => {
    expect(matchesDateTime(c, '20240101', '0800')).toBe(true);
    expect(matchesDateTime(c, '20240101', '0759')).toBe(false);
    expect(matchesDateTime(c, '20240101', '2300')).toBe(true);
    expect(matchesDateTime(c, '20240102', '1800')).toBe(true);
    expect(matchesDateTime(c, '20240102', '1801')).toBe(false);
  });

  it('a missing time is the start of the day; a missing or malformed date never matches', () => {
    expect(matchesDateTime(c, '20240102', undefined)).toBe(true);
    expect(matchesDateTime(c, '20240101', '')).toBe(false);
    expect(matchesDateTime(c, undefined, '1000')).toBe(false);
    expect(matchesDateTime(c, '2024-01-01', '1000')).toBe(false);
    expect(matchesDateTime(c, '20240101', '10:00')).toBe(false);
  });
});

describe('matchesDataset: sequences', () => {
  it('an empty query item is universal: candidates without the sequence match too', () => {
    const conditions = matchConditions(dataset({ ScheduledProcedureStepSequence: [{}] }));
    expect(conditions).toEqual([{ kind: 'universal', tag: tag('ScheduledProcedureStepSequence') }]);
    expect(matchesDataset(conditions, new Dataset())).toBe(true);
  });

  it('a candidate without the sequence does not match a sequence key with a value', () => {
    const conditions = matchConditions(dataset({ ScheduledProcedureStepSequence: [{ Modality: 'CT' }] }));
    expect(matchesDataset(conditions, dataset({ Modality: 'CT' }))).toBe(false);
  });

  it('nested sequences are matched recursively', () => {
    const query = dataset({ ScheduledProcedureStepSequence: [{ ScheduledProtocolCodeSequence: [{ CodeValue: 'P1' }] }] });
    const yes = dataset({ ScheduledProcedureStepSequence: [{ ScheduledProtocolCodeSequence: [{ CodeValue: 'P0' }, { CodeValue: 'P1' }] }] });
    const no = dataset({ ScheduledProcedureStepSequence: [{ ScheduledProtocolCodeSequence: [{ CodeValue: 'P2' }] }] });
    const conditions = matchConditions(query);
    expect(matchesDataset(conditions, yes)).toBe(true);
    expect(matchesDataset(conditions, no)).toBe(false);
  });
});

describe('Specific Character Set: keys and candidates are compared as decoded Unicode', () => {
  const NAME = 'Yamada^Tarou=山田^太郎=やまだ^たろう';

  /** Encodes and re-reads, so the values really went through the character set's bytes. */
  const roundTrip = (charset: string, spec: Record<string, string>): { dataset: Dataset; bytes: Uint8Array } => {
    const ds = new Dataset();
    ds.set('SpecificCharacterSet', charset);
    for (const [k, v] of Object.entries(spec)) ds.set(k, v);
    const bytes = writeDicom(ds, { part10: false, transferSyntax: '1.2.840.10008.1.2.1' });
    return { dataset: readDicom(bytes).dataset, bytes };
  };
  const contains = (haystack: Uint8Array, needle: number[]): boolean => Buffer.from(haystack).includes(Buffer.from(needle));
  const ESC_DOLLAR_B = [0x1b, 0x24, 0x42];
  const UTF8_YAMA = [...Buffer.from('山', 'utf8')];

  const iso2022Query = (name: string) => roundTrip('\\ISO 2022 IR 87', { PatientName: name, PatientID: '', QueryRetrieveLevel: 'STUDY' });
  const utf8Candidate = () => roundTrip('ISO_IR 192', { PatientName: NAME, PatientID: 'JP1' });

  it('the ISO 2022 IR 87 query is encoded with JIS X 0208 escapes and the candidate in UTF-8', () => {
    const q = iso2022Query(NAME);
    expect(contains(q.bytes, ESC_DOLLAR_B)).toBe(true);
    expect(contains(q.bytes, UTF8_YAMA)).toBe(false);
    const c = utf8Candidate();
    expect(contains(c.bytes, UTF8_YAMA)).toBe(true);
    expect(contains(c.bytes, ESC_DOLLAR_B)).toBe(false);
  });

  it('an ISO 2022 IR 87 query matches an ISO_IR 192 candidate (whole name, one group, a wild card)', () => {
    const candidate = utf8Candidate().dataset;
    for (const key of [NAME, '山田^太郎', '=山田^太郎', '山田*', '*たろう']) {
      expect(matchesDataset(matchConditions(iso2022Query(key).dataset), candidate), key).toBe(true);
    }
    expect(matchesDataset(matchConditions(iso2022Query('山田^花子').dataset), candidate)).toBe(false);
  });

  it('an ISO_IR 192 query matches an ISO 2022 IR 87 candidate', () => {
    const candidate = roundTrip('\\ISO 2022 IR 87', { PatientName: NAME }).dataset;
    const query = roundTrip('ISO_IR 192', { PatientName: '山田^太郎' }).dataset;
    expect(matchesDataset(matchConditions(query), candidate)).toBe(true);
  });

  it('through SQL: an ISO 2022 IR 87 query finds the decoded UTF-8 row, and an ISO_IR 192 query the ISO 2022 one', async () => {
    const table = new CandidateTable();
    try {
      table.load({ utf8: utf8Candidate().dataset, jis: roundTrip('\\ISO 2022 IR 87', { PatientName: '=山田^花子' }).dataset });
      expect(await table.matching(iso2022Query('=山田^太郎').dataset)).toEqual(['utf8']);
      expect(await table.matching(iso2022Query('山田*').dataset)).toEqual(['jis', 'utf8']);
      expect(await table.matching(roundTrip('ISO_IR 192', { PatientName: '山田^花子' }).dataset)).toEqual(['jis']);
    } finally {
      await table.close();
    }
  });
});
