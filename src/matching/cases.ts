/**
 * The shared matching case table: queries against one corpus of candidate datasets, with the candidates each must
 * match. `match.test.ts` runs it in memory and `sql.test.ts` through SQLite; both must give exactly `expected`.
 * (Test data: imported only by tests.)
 */
import { Dataset, type SettableValue } from '../data/dataset.js';
import type { MatchOptions } from './condition.js';

type Spec = Readonly<Record<string, SettableValue | readonly Spec[]>>;

/** A dataset from `{ Keyword: value }`; a list of objects is a sequence of items. */
export function dataset(spec: Spec): Dataset {
  const ds = new Dataset();
  for (const [key, value] of Object.entries(spec)) {
    if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object') ds.set(key, (value as Spec[]).map(dataset), 'SQ');
    else ds.set(key, value as SettableValue);
  }
  return ds;
}

/** 64 KiB of text, stored whole by one candidate. */
export const HUGE = 'x'.repeat(64 * 1024);

/** The candidates, by id. Absent keys are absent attributes; '' is an empty one. */
export const CORPUS: Readonly<Record<string, Dataset>> = {
  c1: dataset({
    PatientName: 'Smith^John', PatientID: 'ID1', StudyDate: '20240115', StudyTime: '083000', AccessionNumber: 'ACC-1',
    ModalitiesInStudy: 'CT\\MR', StudyInstanceUID: '1.2.3.1', StudyDescription: 'CT Chest', ReferringPhysicianName: 'House^Gregory',
    AcquisitionDateTime: '20240115083000.123456', InstanceNumber: '1', OtherPatientNames: 'Smith^Johnny\\Smyth^J=スミス',
    SOPClassesInStudy: '1.2.840.10008.5.1.4.1.1.2\\1.2.840.10008.5.1.4.1.1.4',
    ScheduledProcedureStepSequence: [
      { Modality: 'CT', ScheduledStationAETitle: 'CT1', ScheduledProcedureStepStartDate: '20240115', ScheduledProcedureStepStartTime: '0800' },
      { Modality: 'MR', ScheduledStationAETitle: 'MR1', ScheduledProcedureStepStartDate: '20240116', ScheduledProcedureStepStartTime: '1400' },
    ],
  }),
  c2: dataset({
    PatientName: 'SMITH^JANE', PatientID: 'ID2', StudyDate: '20231231', StudyTime: '2359', AccessionNumber: 'ACC_2',
    ModalitiesInStudy: 'MR', StudyInstanceUID: '1.2.3.2', StudyDescription: 'MR Brain 50% contrast', AcquisitionDateTime: '2023123123+0100',
    ScheduledProcedureStepSequence: [{ Modality: 'MR', ScheduledStationAETitle: 'MR2', ScheduledProcedureStepStartDate: '20240115' }],
  }),
  c3: dataset({
    PatientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう', PatientID: 'ID3', StudyDate: '20240101', StudyTime: '07', AccessionNumber: '',
    ModalitiesInStudy: 'US', StudyInstanceUID: '1.2.3.3', StudyDescription: "O'Brien; DROP TABLE x; --",
    PatientComments: '  see C:\\temp\\x_1% [2]',
  }),
  c4: dataset({
    PatientName: 'Müller^Jürgen', PatientID: 'id4', StudyDate: '20240301', StudyTime: '120000.5', AccessionNumber: 'A*B',
    ModalitiesInStudy: 'CT\\PT\\CR', StudyInstanceUID: '1.2.3.4', StudyDescription: 'Knee [left]', AcquisitionDateTime: '2024',
  }),
  c5: dataset({ PatientName: 'MÜLLER^JÜRGEN', PatientID: 'ID5', StudyDate: '', StudyTime: '', StudyInstanceUID: '1.2.3.5' }),
  c6: dataset({
    PatientID: 'ID6', StudyDate: '2024.01.15', StudyTime: '08:30:00', ModalitiesInStudy: 'SR', StudyInstanceUID: '1.2.3.6',
    StudyDescription: '100%_done', AcquisitionDateTime: '2024-01-15',
  }),
  c7: dataset({
    PatientName: '=山田^花子', PatientID: 'ID7', StudyDate: '20240115', StudyTime: '235959.999999', ModalitiesInStudy: 'CT',
    StudyInstanceUID: '1.2.3.7', StudyDescription: 'Thorax^CT', OtherPatientNames: 'Yamada^Hanako=山田^花子',
  }),
  c8: dataset({ PatientName: "O'Neil^Pat", PatientID: 'ID8', ModalitiesInStudy: 'CR\\XA', StudyInstanceUID: '1.2.3.8', StudyDescription: HUGE }),
  c9: dataset({ PatientName: 'Smith^Johnathan^^^', PatientID: 'ID9', ModalitiesInStudy: 'CTA', StudyInstanceUID: '1.2.3.9', StudyDescription: 'a-b' }),
};

export const ALL = Object.keys(CORPUS);

export interface MatchCase {
  readonly name: string;
  readonly query: Spec;
  readonly options?: MatchOptions;
  readonly expected: readonly string[];
}

export const CASES: readonly MatchCase[] = [
  // Universal Matching (C.2.2.2.3) and its equivalents
  { name: 'a zero-length key matches everything, absent values too', query: { PatientName: '' }, expected: ALL },
  { name: '* alone is universal (C.2.2.2.4)', query: { PatientName: '*' }, expected: ALL },
  { name: '*** alone is universal', query: { AccessionNumber: '***' }, expected: ALL },
  { name: '*=* is universal for PN', query: { PatientName: '*=*' }, expected: ALL },
  { name: 'a key of padding only is universal', query: { PatientID: '   ' }, expected: ALL },
  { name: 'an empty query matches everything', query: {}, expected: ALL },
  { name: 'Specific Character Set and Query/Retrieve Level are never matched', query: { SpecificCharacterSet: 'ISO_IR 100', QueryRetrieveLevel: 'STUDY' }, expected: ALL },

  // Single Value Matching (C.2.2.2.1)
  { name: 'LO single value, exact', query: { PatientID: 'ID1' }, expected: ['c1'] },
  { name: 'LO is case-sensitive', query: { PatientID: 'id1' }, expected: [] },
  { name: 'LO trailing padding is insignificant', query: { PatientID: 'ID1  ' }, expected: ['c1'] },
  { name: 'a - in SH is a character, not a range', query: { AccessionNumber: 'ACC-1' }, expected: ['c1'] },
  { name: 'a - in LO is a character', query: { StudyDescription: 'a-b' }, expected: ['c9'] },
  { name: 'SQL metacharacters are literal: quote, semicolon, comment', query: { StudyDescription: "O'Brien; DROP TABLE x; --" }, expected: ['c3'] },
  { name: '% and _ are literal in a single value', query: { StudyDescription: '100%_done' }, expected: ['c6'] },
  { name: '% does not act as a wild card', query: { StudyDescription: '100%' }, expected: [] },
  { name: '_ does not act as a wild card', query: { AccessionNumber: 'ACC_1' }, expected: [] },
  { name: 'a 64 KiB value matches only the same 64 KiB value', query: { StudyDescription: HUGE }, expected: ['c8'] },
  { name: 'a 64 KiB value matches nothing else', query: { PatientID: HUGE }, expected: [] },
  { name: 'IS single value', query: { InstanceNumber: '1' }, expected: ['c1'] },
  { name: 'CS single value against a multi-valued attribute: any value', query: { ModalitiesInStudy: 'MR' }, expected: ['c1', 'c2'] },
  { name: 'a single value is a whole value of a multi-valued attribute', query: { ModalitiesInStudy: 'C' }, expected: [] },
  { name: 'UI single value', query: { StudyInstanceUID: '1.2.3.2' }, expected: ['c2'] },
  { name: 'UI single value against a multi-valued attribute', query: { SOPClassesInStudy: '1.2.840.10008.5.1.4.1.1.4' }, expected: ['c1'] },

  // PN (person-name.ts)
  { name: 'PN is case-insensitive by default', query: { PatientName: 'smith^john' }, expected: ['c1'] },
  { name: 'PN case-sensitive when asked', query: { PatientName: 'smith^john' }, options: { caseInsensitivePersonName: false }, expected: [] },
  { name: 'PN case-sensitive exact', query: { PatientName: 'Smith^John' }, options: { caseInsensitivePersonName: false }, expected: ['c1'] },
  { name: 'PN case folding covers every letter: ü = Ü', query: { PatientName: 'müller^jürgen' }, expected: ['c4', 'c5'] },
  { name: 'PN case folding in a wild card: MÜL* finds Müller and MÜLLER', query: { PatientName: 'MÜL*' }, expected: ['c4', 'c5'] },
  { name: 'PN trailing empty components are compared as written', query: { PatientName: 'Smith^Johnathan' }, expected: [] },
  { name: 'PN key without = matches the ideographic group', query: { PatientName: '山田^太郎' }, expected: ['c3'] },
  { name: 'PN key without = matches the phonetic group', query: { PatientName: 'やまだ^たろう' }, expected: ['c3'] },
  { name: 'PN key without = matches the alphabetic group, any case', query: { PatientName: 'YAMADA^TAROU' }, expected: ['c3'] },
  { name: 'PN group by group: ideographic only', query: { PatientName: '=山田^太郎' }, expected: ['c3'] },
  { name: 'PN group by group: all three', query: { PatientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう' }, expected: ['c3'] },
  { name: 'PN group by group: one group differs', query: { PatientName: 'Yamada^Tarou=山田^花子' }, expected: [] },
  { name: 'PN group by group with a wild card', query: { PatientName: '=山田^*' }, expected: ['c3', 'c7'] },
  { name: 'PN group by group: phonetic with ?', query: { PatientName: '==やまだ^たろ?' }, expected: ['c3'] },
  { name: 'PN groups must be in their place', query: { PatientName: '山田^太郎' + '=' }, expected: [] },
  { name: 'PN multi-valued attribute: any value, any group', query: { OtherPatientNames: 'スミス' }, expected: ['c1'] },
  { name: 'PN multi-valued attribute, group by group', query: { OtherPatientNames: 'yamada^hanako=山田^花子' }, expected: ['c7'] },
  { name: 'PN multi-valued attribute, wild card', query: { OtherPatientNames: 'sm?th^j*' }, expected: ['c1'] },
  { name: 'PN with a quote', query: { PatientName: "o'neil^pat" }, expected: ['c8'] },

  // Wild Card Matching (C.2.2.2.4)
  { name: 'PN prefix wild card, any case', query: { PatientName: 'smith*' }, expected: ['c1', 'c2', 'c9'] },
  { name: 'PN ? matches one character', query: { PatientName: 'SMI?H^J*' }, expected: ['c1', 'c2', 'c9'] },
  { name: 'PN wild card case-sensitive when asked', query: { PatientName: 'Sm*' }, options: { caseInsensitivePersonName: false }, expected: ['c1', 'c9'] },
  { name: 'PN suffix wild card in the ideographic group', query: { PatientName: '*太郎' }, expected: ['c3'] },
  { name: 'PN wild card does not reach across =', query: { PatientName: 'Yamada*たろう' }, expected: [] },
  { name: 'PN infix wild card over groups', query: { PatientName: '*山田*' }, expected: ['c3', 'c7'] },
  { name: 'PN two stretches in one group', query: { PatientName: 'y*a^t*u' }, expected: ['c3'] },
  { name: 'PN ? alone needs a one-character group', query: { PatientName: '?' }, expected: [] },
  { name: 'PN ? counts characters, not bytes', query: { PatientName: '??^??' }, expected: ['c3', 'c7'] },
  { name: 'LO wild card is case-sensitive', query: { StudyDescription: 'CT*' }, expected: ['c1'] },
  { name: 'LO wild card, wrong case', query: { StudyDescription: 'ct*' }, expected: [] },
  { name: '% is literal inside a wild card pattern', query: { StudyDescription: '*%*' }, expected: ['c2', 'c6'] },
  { name: '_ is literal inside a wild card pattern', query: { StudyDescription: '*_*' }, expected: ['c6'] },
  { name: '[ and ] are literal inside a wild card pattern', query: { StudyDescription: '*[left]' }, expected: ['c4'] },
  { name: '[ at the end of a stretch', query: { StudyDescription: 'Knee [*' }, expected: ['c4'] },
  { name: 'quote inside a wild card pattern', query: { StudyDescription: "*'*" }, expected: ['c3'] },
  { name: 'a backslash is literal in LT (not a value separator there)', query: { PatientComments: '*C:\\temp\\?_1%*' }, expected: ['c3'] },
  { name: 'LT keeps its leading spaces and a backslash in a single value', query: { PatientComments: '  see C:\\temp\\x_1% [2]' }, expected: ['c3'] },
  { name: 'LT leading spaces are significant', query: { PatientComments: 'see C:\\temp\\x_1% [2]' }, expected: [] },
  { name: '^ is literal in LO', query: { StudyDescription: '*^CT' }, expected: ['c7'] },
  { name: 'a stored * is matched by a wild card like any character', query: { AccessionNumber: 'A*B' }, expected: ['c4'] },
  { name: 'wild card on a 64 KiB stored value', query: { StudyDescription: 'x*x' }, expected: ['c8'] },
  { name: 'multi-valued: prefix', query: { ModalitiesInStudy: 'C*' }, expected: ['c1', 'c4', 'c7', 'c8', 'c9'] },
  { name: 'multi-valued: suffix', query: { ModalitiesInStudy: '*T' }, expected: ['c1', 'c4', 'c7'] },
  { name: 'multi-valued: two stretches stay inside one value', query: { ModalitiesInStudy: 'C*A' }, expected: ['c9'] },
  { name: 'multi-valued: ? never matches the value separator', query: { ModalitiesInStudy: '*R?X*' }, expected: [] },
  { name: 'multi-valued: ?R', query: { ModalitiesInStudy: '?R' }, expected: ['c1', 'c2', 'c4', 'c6', 'c8'] },
  { name: 'multi-valued: infix', query: { ModalitiesInStudy: '*T*' }, expected: ['c1', 'c4', 'c7', 'c9'] },

  // List of UID Matching (C.2.2.2.2) and value lists
  { name: 'UID list', query: { StudyInstanceUID: '1.2.3.1\\1.2.3.3' }, expected: ['c1', 'c3'] },
  { name: 'UID list with one unknown UID', query: { StudyInstanceUID: '9.9\\1.2.3.9' }, expected: ['c9'] },
  { name: 'UID list against a multi-valued attribute', query: { SOPClassesInStudy: '1.2.3\\1.2.840.10008.5.1.4.1.1.2' }, expected: ['c1'] },
  { name: 'CS value list against a multi-valued attribute', query: { ModalitiesInStudy: 'PT\\US' }, expected: ['c3', 'c4'] },

  // Range Matching (C.2.2.2.5)
  { name: 'DA closed range', query: { StudyDate: '20240101-20240131' }, expected: ['c1', 'c3', 'c7'] },
  { name: 'DA open start', query: { StudyDate: '-20231231' }, expected: ['c2'] },
  { name: 'DA open end', query: { StudyDate: '20240301-' }, expected: ['c4'] },
  { name: 'DA single value is that date only', query: { StudyDate: '20240115' }, expected: ['c1', 'c7'] },
  { name: 'DA reversed range is empty', query: { StudyDate: '20240101-20230101' }, expected: [] },
  { name: 'DA range bounds are inclusive', query: { StudyDate: '20231231-20240101' }, expected: ['c2', 'c3'] },
  { name: 'TM closed range with partial bounds', query: { StudyTime: '0800-1200' }, expected: ['c1', 'c4'] },
  { name: 'TM single hour matches the whole hour', query: { StudyTime: '07' }, expected: ['c3'] },
  { name: 'TM open end', query: { StudyTime: '2359-' }, expected: ['c2', 'c7'] },
  { name: 'TM open start', query: { StudyTime: '-0700' }, expected: ['c3'] },
  { name: 'TM single with fraction', query: { StudyTime: '120000.5' }, expected: ['c4'] },
  { name: 'TM single with another fraction', query: { StudyTime: '120000.4' }, expected: [] },
  { name: 'TM range crossing midnight is empty', query: { StudyTime: '2300-0100' }, expected: [] },
  { name: 'DT closed range of one day', query: { AcquisitionDateTime: '20240115-20240115' }, expected: ['c1'] },
  { name: 'DT years', query: { AcquisitionDateTime: '2023-2023' }, expected: ['c2'] },
  { name: 'DT single value to the second', query: { AcquisitionDateTime: '20231231230000' }, expected: ['c2'] },
  { name: 'DT key with a negative UTC offset is one value', query: { AcquisitionDateTime: '20231231-0500' }, expected: ['c2'] },
  { name: 'DT partial stored value is its first moment', query: { AcquisitionDateTime: '20240101-' }, expected: ['c1', 'c4'] },
  { name: 'DT open start', query: { AcquisitionDateTime: '-2023' }, expected: ['c2'] },

  // Combined date-time matching (C.2.2.2.5.4)
  { name: 'date and time ranges separately', query: { StudyDate: '20240115-20240301', StudyTime: '0800-1200' }, expected: ['c1', 'c4'] },
  {
    name: 'date and time ranges combined',
    query: { StudyDate: '20240115-20240301', StudyTime: '0800-1200' },
    options: { combineDateTime: true },
    expected: ['c1', 'c4', 'c7'],
  },
  { name: 'combined open end', query: { StudyDate: '20240115-', StudyTime: '2000-' }, options: { combineDateTime: true }, expected: ['c4', 'c7'] },
  { name: 'combined open start', query: { StudyDate: '-20240101', StudyTime: '-0700' }, options: { combineDateTime: true }, expected: ['c2', 'c3'] },
  { name: 'different range forms are matched separately', query: { StudyDate: '20240115-', StudyTime: '-1200' }, options: { combineDateTime: true }, expected: ['c1', 'c4'] },

  // Sequence Matching (C.2.2.2.6)
  { name: 'sequence: an item with one key', query: { ScheduledProcedureStepSequence: [{ Modality: 'MR' }] }, expected: ['c1', 'c2'] },
  { name: 'sequence: all keys in the same item', query: { ScheduledProcedureStepSequence: [{ Modality: 'MR', ScheduledStationAETitle: 'MR1' }] }, expected: ['c1'] },
  { name: 'sequence: keys from different items do not match', query: { ScheduledProcedureStepSequence: [{ Modality: 'MR', ScheduledStationAETitle: 'CT1' }] }, expected: [] },
  { name: 'sequence: a date in an item', query: { ScheduledProcedureStepSequence: [{ ScheduledProcedureStepStartDate: '20240115' }] }, expected: ['c1', 'c2'] },
  {
    name: 'sequence: combined date and time inside an item',
    query: { ScheduledProcedureStepSequence: [{ ScheduledProcedureStepStartDate: '20240115-20240116', ScheduledProcedureStepStartTime: '1000-1500' }] },
    options: { combineDateTime: true },
    expected: ['c1'],
  },
  { name: 'sequence: an item of universal keys is universal', query: { ScheduledProcedureStepSequence: [{ Modality: '' }] }, expected: ALL },
  { name: 'sequence: with other keys', query: { PatientID: 'ID2', ScheduledProcedureStepSequence: [{ Modality: 'M*' }] }, expected: ['c2'] },

  // A key the index has no column for (checked in memory after SQL)
  { name: 'PN key without a column', query: { ReferringPhysicianName: 'house^*' }, expected: ['c1'] },

  // Several keys
  { name: 'all keys must match', query: { PatientName: 'smith*', StudyDate: '20240101-', ModalitiesInStudy: 'CT' }, expected: ['c1'] },
];
