import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dateToDA } from '../data/date-time.js';
import { runPortico } from '../../test/support/cli.js';

const run = runPortico;

let dir: string;
let data: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-mwl-cli-'));
  data = join(dir, 'data');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const add = (...extra: string[]) =>
  run('mwl', 'add', '--dir', data, '--patient-name', 'Doe^Jane', '--patient-id', 'P1', '--accession', 'A1', ...extra);

describe('portico mwl add', () => {
  it('adds an entry (today by default), creating the data folder, and prints it', async () => {
    const { code, out, err } = await add('--modality', 'ct', '--station-aet', 'CT01', '--time', '0930', '--procedure', 'CT chest', '--sex', 'f', '--birth-date', '19700101');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^Added worklist entry 1: Doe\\^Jane \\[P1\\] acc A1, ${dateToDA(new Date())} 0930, CT on CT01 "CT chest", SPS W[0-9A-Z]{13}, study [0-9.]+\\n$`));
  });

  it('prints JSON with the whole item as DICOM JSON, and takes other attributes with -k', async () => {
    const { code, out } = await add('--date', '20240501', '--json', '-k', 'AdmissionID=ADM7', '-k', 'ScheduledProcedureStepSequence/ScheduledProcedureStepLocation=Room 2');
    expect(code).toBe(0);
    const json = JSON.parse(out) as { id: number; date: string; accessionNumber: string; item: Record<string, { Value?: unknown[] }> };
    expect(json).toMatchObject({ id: 1, date: '20240501', accessionNumber: 'A1' });
    expect(json.item['00380010']!.Value).toEqual(['ADM7']);
    const sps = json.item['00400100']!.Value![0] as Record<string, { Value: unknown[] }>;
    expect(sps['00400011']!.Value).toEqual(['Room 2']);
    expect(sps['00400002']!.Value).toEqual(['20240501']);
  });

  it('is a usage error (exit 2) without a required option or with a bad date, time or AE title', async () => {
    expect((await run('mwl', 'add', '--dir', data, '--patient-id', 'P1', '--accession', 'A1')).code).toBe(2);
    expect((await add('--date', '2024-05-01')).code).toBe(2);
    expect((await add('--date', '20241301')).code).toBe(2);
    expect((await add('--time', '25:00')).code).toBe(2);
    expect((await add('--station-aet', 'SEVENTEEN_CHARS_X')).code).toBe(2);
    expect((await add('--sex', 'X')).code).toBe(2);
    expect((await add('-k', 'NoEqualsSign')).code).toBe(2);
  });

  it('fails (exit 1) with one line naming the field when the entry is not valid', async () => {
    const { code, err } = await add('-k', 'StudyInstanceUID=1.2.x');
    expect(code).toBe(1);
    expect(err).toEqual(['portico mwl add: the entry, StudyInstanceUID: "1.2.x" is not a UID (digits and dots, at most 64 characters)']);
  });
});

describe('portico mwl import', () => {
  it('imports CSV, JSON and DICOM JSON files; a bad file is all-or-nothing and named, the others go in', async () => {
    const csv = join(dir, 'day.csv');
    await writeFile(csv, 'PatientName,PatientID,AccessionNumber,Modality,ScheduledStationAETitle,ScheduledProcedureStepStartDate,ScheduledProcedureStepStartTime\nDoe^Jane,P1,A1,CT,CT01,20240501,0900\n"Smith^Anna",P2,A2,MR,MR01,20240501,1000\n');
    const json = join(dir, 'more.json');
    await writeFile(json, JSON.stringify([{ PatientName: 'Roe^Rick', PatientID: 'P3', AccessionNumber: 'A3', ScheduledProcedureStepSequence: [{ Modality: 'XC', ScheduledProcedureStepStartDate: '20240502' }] }]));
    const dicomJson = join(dir, 'dicom.json');
    await writeFile(dicomJson, JSON.stringify({ '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Poe^Pam' }] }, '00100020': { vr: 'LO', Value: ['P4'] }, '00400100': { vr: 'SQ', Value: [{ '00400002': { vr: 'DA', Value: ['20240503'] } }] } }));
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'PatientName,PatientID,ScheduledProcedureStepStartDate\nOk^One,P5,20240501\nBad^Two,P6,2024-05-01\n');
    const { code, out, err } = await run('mwl', 'import', csv, bad, json, dicomJson, '--dir', data);
    expect(code).toBe(1);
    expect(out).toBe(`${csv}: imported 2 entries (ids 1-2)\n${json}: imported 1 entry (id 3)\n${dicomJson}: imported 1 entry (id 4)\n`);
    expect(err).toEqual([`portico mwl import: ${bad}: line 3, ScheduledProcedureStepSequence/ScheduledProcedureStepStartDate: Invalid DA value "2024-05-01": expected YYYYMMDD; nothing imported from this file`]);
    const listed = await run('mwl', 'list', '--dir', data, '--json');
    expect((JSON.parse(listed.out) as { patientId: string }[]).map((e) => e.patientId)).toEqual(['P1', 'P2', 'P3', 'P4']);
  });

  it('reports a missing file on one line', async () => {
    const { code, err } = await run('mwl', 'import', join(dir, 'nope.csv'), '--dir', data);
    expect(code).toBe(1);
    expect(err).toEqual([`portico mwl import: ${join(dir, 'nope.csv')}: ${join(dir, 'nope.csv')}: no such file; nothing imported from this file`]);
  });
});

describe('portico mwl list and remove', () => {
  beforeEach(async () => {
    const csv = join(dir, 'week.csv');
    await writeFile(
      csv,
      [
        'PatientName,PatientID,AccessionNumber,Modality,ScheduledStationAETitle,ScheduledProcedureStepStartDate,ScheduledProcedureStepStartTime,RequestedProcedureDescription',
        'Doe^Jane,P1,A1,CT,CT01,20240501,0900,CT chest',
        'Smith^Anna,P2,A2,MR,MR01,20240501,0800,',
        'Roe^Rick,P3,A3,CT,CT01,20240502,,CT head',
      ].join('\n'),
    );
    expect((await run('mwl', 'import', csv, '--dir', data)).code).toBe(0);
  });

  it('prints a table by start date and time, filtered by date, range and modality', async () => {
    const all = await run('mwl', 'list', '--dir', data);
    expect(all.code).toBe(0);
    expect(all.out).toBe(
      [
        'ID  DATE      TIME  MOD  STATION  ACCESSION  PATIENT ID  PATIENT NAME  PROCEDURE',
        '2   20240501  0800  MR   MR01     A2         P2          Smith^Anna    -',
        '1   20240501  0900  CT   CT01     A1         P1          Doe^Jane      CT chest',
        '3   20240502  -     CT   CT01     A3         P3          Roe^Rick      CT head',
        '3 entries',
        '',
      ].join('\n'),
    );
    const ids = async (...args: string[]) => (JSON.parse((await run('mwl', 'list', '--dir', data, '--json', ...args)).out) as { id: number }[]).map((e) => e.id);
    expect(await ids('--date', '20240501')).toEqual([2, 1]);
    expect(await ids('--date', '20240502-')).toEqual([3]);
    expect(await ids('--modality', 'ct')).toEqual([1, 3]);
    expect(await ids('--date', 'today')).toEqual([]);
    expect((await run('mwl', 'list', '--dir', data, '--date', 'today')).out).toBe('No worklist entries.\n');
    expect((await run('mwl', 'list', '--dir', data, '--date', '2024-05-01-x')).code).toBe(2);
  });

  it('refuses to list a folder that holds no archive', async () => {
    const { code, err } = await run('mwl', 'list', '--dir', dir);
    expect(code).toBe(1);
    expect(err).toEqual([`portico mwl list: cannot open the worklist in ${dir}: ${dir} holds no archive (start one with: portico serve --dir ${dir})`]);
  });

  it('removes by accession, by id, and before a date; nothing matched is exit 1; the selector is exactly one', async () => {
    expect(await run('mwl', 'remove', 'A1', '--dir', data)).toMatchObject({ code: 0, out: 'Removed 1 entry.\n' });
    expect(await run('mwl', 'remove', 'A1', '--dir', data)).toMatchObject({ code: 1, out: 'Removed 0 entries.\n', err: ['portico mwl remove: no entry matched'] });
    expect(await run('mwl', 'remove', '--id', '3', '--dir', data)).toMatchObject({ code: 0, out: 'Removed 1 entry.\n' });
    expect(await run('mwl', 'remove', '--before', '20240502', '--dir', data)).toMatchObject({ code: 0, out: 'Removed 1 entry.\n' });
    expect((await run('mwl', 'remove', '--dir', data)).code).toBe(2);
    expect((await run('mwl', 'remove', 'A2', '--before', 'today', '--dir', data)).code).toBe(2);
    expect((await run('mwl', 'remove', '--id', 'x', '--dir', data)).code).toBe(2);
    expect((await run('mwl', 'list', '--dir', data)).out).toBe('No worklist entries.\n');
  });
});
