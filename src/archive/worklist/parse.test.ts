import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { toDicomJson } from '../../encoding/dicom-json.js';
import { parseCsv } from './csv.js';
import { WorklistError } from './errors.js';
import { datasetFromKeywords } from './keywords.js';
import { parseWorklistText, readWorklistFile } from './parse.js';
import { thrownBy } from '../../../test/support/thrown.js';

const SPS = 'ScheduledProcedureStepSequence';

const errorOf = (run: () => unknown): WorklistError => thrownBy(WorklistError, run);

describe('parseCsv', () => {
  it('reads fields, quoted fields with separators, quotes and line breaks, CRLF and LF, and skips blank lines', () => {
    const text = '\uFEFFa,b,c\r\n1,"two, too","say ""hi"""\n\n"multi\nline",,x\n';
    expect(parseCsv(text)).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['1', 'two, too', 'say "hi"'], line: 2 },
      { fields: ['multi\nline', '', 'x'], line: 4 },
    ]);
  });

  it('takes ; as the separator when the header has semicolons and no comma', () => {
    expect(parseCsv('a;b\n1,5;2\n').map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['1,5', '2'],
    ]);
  });

  it('reads a last line without a line break', () => {
    expect(parseCsv('a,b\n1,2').map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('refuses an unterminated quote and text after a closing quote, naming the line', () => {
    expect(errorOf(() => parseCsv('a,b\n1,"open\n\n')).message).toBe('line 2: a quoted field is not closed');
    expect(errorOf(() => parseCsv('a,b\n1,"x"y\n')).message).toBe('line 2: text after a closing quote');
  });
});

describe('datasetFromKeywords', () => {
  it('reads keywords, tags, nested sequences, key paths, numbers, multiple values, PN objects and empty values', () => {
    const d = datasetFromKeywords({
      PatientName: { Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎' },
      '0010,0020': 'P1',
      PatientWeight: 72.5,
      OtherPatientIDs: ['X1', 'X2'],
      PatientBirthDate: null,
      [SPS]: [{ Modality: 'CT', ScheduledStationAETitle: 'A\\B' }],
      'ReferencedStudySequence/ReferencedSOPInstanceUID': '1.2.3',
      PatientSize: '1.80',
    });
    expect(d.string('PatientName')).toBe('Yamada^Tarou=山田^太郎');
    expect(d.string('PatientID')).toBe('P1');
    expect(d.string('PatientWeight')).toBe('72.5');
    expect(d.strings('OtherPatientIDs')).toEqual(['X1', 'X2']);
    expect(d.get('PatientBirthDate')!.vm).toBe(0);
    expect(d.items(SPS)[0]!.strings('ScheduledStationAETitle')).toEqual(['A', 'B']);
    expect(d.items('ReferencedStudySequence')[0]!.string('ReferencedSOPInstanceUID')).toBe('1.2.3');
  });

  it.each([
    [{ Nonsense: 'x' }, 'Nonsense: is not a DICOM keyword or tag'],
    [{ patientname: 'x' }, 'patientname: is not a DICOM keyword or tag'],
    [{ '0009,1010': 'x' }, '(0009,1010): has no VR in the dictionary (private and unknown attributes need DICOM JSON)'],
    [{ PatientName: true }, 'PatientName: expected a string, got boolean true'],
    [{ PatientName: { Alphabet: 'x' } }, "PatientName: unknown person name group 'Alphabet' (use Alphabetic, Ideographic, Phonetic)"],
    [{ PixelData: 'AAAA' }, 'PixelData: OB values are not accepted here'],
    [{ 'PatientID/Modality': 'CT' }, "PatientID: is not a sequence, so 'PatientID/Modality' cannot name an attribute inside it"],
    [{ [SPS]: ['CT'] }, 'ScheduledProcedureStepSequence/: expected an object keyed by DICOM keywords, got the string "CT"'],
    [{ [SPS]: [{ Modality: 'CT' }, { Modality: 5 }], [`${SPS}/Modality`]: 'MR' }, "ScheduledProcedureStepSequence: has 2 items: 'ScheduledProcedureStepSequence/Modality' is ambiguous"],
    [{ Rows: 'many' }, 'Rows: expected a number, got the string "many"'],
  ])('refuses %j', (object, message) => {
    expect(errorOf(() => datasetFromKeywords(object)).message).toBe(message);
  });
});

describe('parseWorklistText', () => {
  it('reads a JSON array of keyword objects (nested or flat SPS keys)', () => {
    const entries = parseWorklistText(
      JSON.stringify([
        { PatientName: 'Doe^Jane', PatientID: 'P1', [SPS]: [{ Modality: 'CT', ScheduledProcedureStepStartDate: '20240501' }] },
        { PatientName: 'Doe^John', PatientID: 'P2', Modality: 'MR', ScheduledProcedureStepStartDate: '20240502' },
      ]),
    );
    expect(entries.map((e) => e.where)).toEqual(['entry 1', 'entry 2']);
    expect(entries[0]!.dataset.items(SPS)[0]!.string('Modality')).toBe('CT');
    expect(entries[1]!.dataset.string('Modality')).toBe('MR');
  });

  it('reads DICOM JSON (one object or an array)', () => {
    const d = new Dataset();
    d.set('PatientName', 'Müller^Jürgen');
    d.set('PatientID', 'P9');
    const sps = new Dataset();
    sps.set('Modality', 'XC');
    d.set(SPS, [sps]);
    const json = toDicomJson(d);
    for (const text of [JSON.stringify(json), JSON.stringify([json, json])]) {
      const entries = parseWorklistText(text);
      expect(entries[0]!.dataset.string('PatientName')).toBe('Müller^Jürgen');
      expect(entries[0]!.dataset.items(SPS)[0]!.string('Modality')).toBe('XC');
    }
  });

  it('reads CSV with keyword and key path columns; an empty cell is an absent attribute', () => {
    const entries = parseWorklistText(
      'PatientName,PatientID,PatientBirthDate,Modality,ScheduledProcedureStepSequence/ScheduledStationAETitle\n"Doe^Jane",P1,,CT,CT01\nDoe^John,P2,19800101,MR,\n',
    );
    expect(entries.map((e) => e.where)).toEqual(['line 2', 'line 3']);
    expect(entries[0]!.dataset.has('PatientBirthDate')).toBe(false);
    expect(entries[0]!.dataset.items(SPS)[0]!.string('ScheduledStationAETitle')).toBe('CT01');
    expect(entries[1]!.dataset.string('PatientBirthDate')).toBe('19800101');
  });

  it.each([
    ['[{"PatientName": "A"}, 5]', 'json', 'entry 2, expected an object, got number'],
    ['[{"PatientName": "A"}, {"Bogus": 1}]', 'json', 'entry 2, Bogus: is not a DICOM keyword or tag'],
    ['{"00100010": {"vr": "XX"}}', 'json', 'entry 1, DICOM JSON /00100010/vr: unknown VR "XX"'],
    ['{"PatientName": ', 'json', /^not valid JSON: /],
    ['PatientName,Bogus\nA,B\n', 'csv', "line 1, Bogus: is not a DICOM keyword or tag"],
    ['PatientName,PatientName\nA,B\n', 'csv', "line 1: column 'PatientName' appears twice"],
    ['PatientName,\nA,B\n', 'csv', 'line 1: column 2 has no name'],
    ['PatientName,PatientID\nA,B,C\n', 'csv', 'line 2: 3 fields, the header has 2'],
    ['PatientName,Rows\nA,1\nB,many\n', 'csv', 'line 3, Rows: expected a number, got the string "many"'],
  ] as const)('refuses %j (%s) naming where', (text, format, message) => {
    const error = errorOf(() => parseWorklistText(text, format));
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it('never follows a BulkDataURI of a DICOM JSON file', () => {
    const text = JSON.stringify({ '00100010': { vr: 'PN', Value: [{ Alphabetic: 'A' }] }, '7FE00010': { vr: 'OB', BulkDataURI: 'file:///etc/passwd?offset=0&length=10' } });
    expect(errorOf(() => parseWorklistText(text)).message).toMatch(/^entry 1, DICOM JSON \/7FE00010/);
  });
});

describe('readWorklistFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-mwl-parse-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the format from the extension, else from the content', async () => {
    const csv = join(dir, 'list.csv');
    await writeFile(csv, '[PatientName]\n');
    // `.csv` wins over the leading bracket: the header names a column '[PatientName]', which is no keyword.
    await expect(readWorklistFile(csv)).rejects.toThrow("line 1, [PatientName]: is not a DICOM keyword or tag");
    const noExt = join(dir, 'entries');
    await writeFile(noExt, '[{"PatientName": "A"}]');
    expect((await readWorklistFile(noExt))[0]!.dataset.string('PatientName')).toBe('A');
    await writeFile(noExt, 'PatientName\nB\n');
    expect((await readWorklistFile(noExt))[0]!.dataset.string('PatientName')).toBe('B');
  });
});
