import { describe, expect, it } from 'vitest';
import { MAX_KEY_VALUE, parseQueryKey, QueryKeyError, queryKeysDataset, topLevelTags } from './query-keys.js';

const SPS = 0x00400100;

describe('parseQueryKey', () => {
  it.each([
    ['PatientName=DOE^J*', [0x00100010], 'PN', 'DOE^J*'],
    ['0010,0020=ID42', [0x00100020], 'LO', 'ID42'],
    ['(0010,0020)=ID42', [0x00100020], 'LO', 'ID42'],
    ['00100020=ID42', [0x00100020], 'LO', 'ID42'],
    ['PatientBirthDate', [0x00100030], 'DA', undefined],
    ['PatientBirthDate=', [0x00100030], 'DA', ''],
    ['StudyDate=20240101-20240131', [0x00080020], 'DA', '20240101-20240131'],
    ['StudyInstanceUID=1.2.3\\1.2.4', [0x0020000d], 'UI', '1.2.3\\1.2.4'],
    ['ScheduledProcedureStepSequence[0].Modality=CT', [SPS, 0x00080060], 'CS', 'CT'],
    ['ScheduledProcedureStepSequence/Modality=CT', [SPS, 0x00080060], 'CS', 'CT'],
    ['(0040,0100)[0].(0040,0001)=CAMERA', [SPS, 0x00400001], 'AE', 'CAMERA'],
    ['ScheduledProcedureStepSequence', [SPS], 'SQ', undefined],
    ['PatientName=Yamada^Tarou=山田^太郎', [0x00100010], 'PN', 'Yamada^Tarou=山田^太郎'],
    ['PatientName=*', [0x00100010], 'PN', '*'],
    ["PatientName=O'Brien; DROP TABLE studies; --", [0x00100010], 'PN', "O'Brien; DROP TABLE studies; --"],
    ['PatientID=%_\\x', [0x00100020], 'LO', '%_\\x'],
    ['Rows=512', [0x00280010], 'US', '512'],
  ])('%s', (text, path, vr, value) => {
    const key = parseQueryKey(text);
    expect(key.path).toEqual(path);
    expect(key.vr).toBe(vr);
    expect(key.value).toBe(value);
  });

  it.each([
    ['=DOE', /no key before '='/],
    ['NoSuchKeyword=1', /Unknown tag "NoSuchKeyword"/],
    ['patientname=DOE', /Did you mean PatientName/],
    ['0009,1010=x', /not in the data dictionary/],
    ['PatientName[0].PatientID=1', /not a sequence/],
    ['PatientName.PatientID=1', /Unknown tag/],
    ['ScheduledProcedureStepSequence[1].Modality=CT', /only index is \[0\]/],
    ['ScheduledProcedureStepSequence=CT', /is a sequence: give keys inside it/],
    ['ScheduledProcedureStepSequence//Modality=CT', /empty key/],
    ['StudyDate=2024-01-01', /not a date or date range/],
    ['StudyDate=20240230', /not a date/],
    ['StudyDate=20240131-20240101', /ends before it starts/],
    ['StudyDate=2024*', /wild cards \(\* \?\) are not allowed for VR DA/],
    ['StudyDate=*', /wild cards/],
    ['StudyTime=25', /not a time/],
    ['StudyTime=170000-080000', /ends before it starts/],
    ['StudyInstanceUID=1.2.*', /wild cards/],
    ['StudyInstanceUID=1.02.3', /not a UID/],
    ['StudyInstanceUID=abc', /not a UID/],
    ['PatientName=a\u001b[2Jb', /control character/],
    ['PatientID=' + 'x'.repeat(65), /VR LO allows at most 64/],
    ['PatientName=' + 'x'.repeat(65), /at most 64/],
    ['PatientName=a=b=c=d', /4 component groups/],
    ['PatientName=' + 'A'.repeat(MAX_KEY_VALUE + 1), /a query key holds at most 1024/],
    ['Modality=' + 'CT\\'.repeat(400), /a query key holds at most 1024/],
    ['NumberOfStudyRelatedSeries=many', /not an integer string/],
    ['PatientWeight=heavy', /not a decimal string/],
    ['Rows=big', /not a number/],
    ['PixelData=1', /cannot be a matching key/],
    ['A[0].B[0].C[0].D[0].E=1', /Unknown tag|nest at most/],
  ])('refuses %s', (text, message) => {
    let error: unknown;
    try {
      parseQueryKey(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueryKeyError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a path nested deeper than three sequences', () => {
    const deep = 'ReferencedStudySequence[0].ReferencedSeriesSequence[0].ReferencedImageSequence[0].ReferencedSeriesSequence[0].Modality=CT';
    expect(() => parseQueryKey(deep)).toThrow(/nest at most 3 deep/);
  });
});

describe('queryKeysDataset', () => {
  it('builds the dataset: later keys win, sequence keys share item 0, numbers as numbers', () => {
    const ds = queryKeysDataset(
      ['PatientName=A*', 'PatientName=B*', 'ScheduledProcedureStepSequence[0].Modality=CT', 'ScheduledProcedureStepSequence/ScheduledStationAETitle', 'Rows=512', 'StudyInstanceUID=1.2\\1.3', 'ReferencedStudySequence'].map(parseQueryKey),
    );
    expect(ds.string('PatientName')).toBe('B*');
    const items = ds.items('ScheduledProcedureStepSequence');
    expect(items).toHaveLength(1);
    expect(items[0]!.string('Modality')).toBe('CT');
    expect(items[0]!.has('ScheduledStationAETitle')).toBe(true);
    expect(items[0]!.string('ScheduledStationAETitle')).toBeUndefined();
    expect(ds.number('Rows')).toBe(512);
    expect(ds.strings('StudyInstanceUID')).toEqual(['1.2', '1.3']);
    expect(ds.items('ReferencedStudySequence')).toEqual([]);
    expect(ds.has('ReferencedStudySequence')).toBe(true);
  });

  it('topLevelTags names each top-level attribute whose values can vary, once', () => {
    expect(topLevelTags(['PatientName=A', 'PatientName', 'ScheduledProcedureStepSequence/Modality=CT'].map(parseQueryKey))).toEqual([0x00100010, SPS]);
    const keys = ['PatientID=ID1', 'StudyInstanceUID=1.2.3', 'AccessionNumber=A*', 'StudyDate=20240101-', 'StudyTime=1015', 'Modality=CT\\MR', 'StudyDescription'].map(parseQueryKey);
    expect(topLevelTags(keys)).toEqual([0x00080050, 0x00080020, 0x00080060, 0x00081030]);
  });
});
