import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dataset } from '../../data/dataset.js';
import { isValidUid } from '../../data/uid.js';
import { matchConditions } from '../../matching/condition.js';
import { openSqliteIndex } from '../index/database.js';
import type { SqliteArchiveIndex } from '../index/sqlite-index.js';
import { WorklistError } from './errors.js';
import { datasetFromKeywords } from './keywords.js';
import { SqliteWorklistStore } from './sqlite-store.js';

const SPS = 'ScheduledProcedureStepSequence';

const jane = (): Record<string, unknown> => ({
  PatientName: 'Doe^Jane',
  PatientID: 'P1',
  PatientBirthDate: '19700101',
  PatientSex: 'F',
  AccessionNumber: 'A1',
  RequestedProcedureDescription: 'CT chest',
  Modality: 'CT',
  ScheduledStationAETitle: 'CT01',
  ScheduledProcedureStepStartDate: '20240501',
  ScheduledProcedureStepStartTime: '0900',
});

const item = (fields: Record<string, unknown>): Dataset => datasetFromKeywords(fields);

/** A query identifier from keyword fields (SPS keys under `ScheduledProcedureStepSequence/`). */
const conditions = (fields: Record<string, unknown>) => matchConditions(datasetFromKeywords(fields));

let dir: string;
let index: SqliteArchiveIndex;
let store: SqliteWorklistStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-worklist-'));
  index = await openSqliteIndex(join(dir, 'index.sqlite'));
  store = SqliteWorklistStore.of(index);
});
afterEach(async () => {
  await index.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ids(fields: Record<string, unknown>, limit = 100): Promise<string[]> {
  const found = await store.findMatches(conditions(fields), { limit });
  return (await store.entries(found)).map((e) => e.item.string('AccessionNumber')!);
}

describe('SqliteWorklistStore.add', () => {
  it('stores one row per entry with its columns, and generates Study Instance UID, SPS ID and Requested Procedure ID', async () => {
    const [entry] = await store.add([item(jane())]);
    expect(entry!.id).toBeGreaterThan(0);
    const stored = entry!.item;
    expect(isValidUid(stored.string('StudyInstanceUID')!)).toBe(true);
    expect(stored.string('RequestedProcedureID')).toBe('A1');
    const sps = stored.items(SPS);
    expect(sps).toHaveLength(1);
    expect(sps[0]!.string('ScheduledProcedureStepID')).toMatch(/^W[0-9A-Z]{13}$/);
    // The flat SPS keys went into the item.
    expect(stored.has('Modality')).toBe(false);
    expect(sps[0]!.string('Modality')).toBe('CT');
    const row = await index.kysely
      .withTables<{ worklist: { id: number; patient_name: string; modality: string; sps_start_date: string; sps_id: string; item_json: string } }>()
      .selectFrom('worklist')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ patient_name: 'Doe^Jane', modality: 'CT', sps_start_date: '20240501', sps_id: sps[0]!.string('ScheduledProcedureStepID') });
    expect(JSON.parse(row.item_json)['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] });
    expect(await store.count()).toBe(1);
  });

  it('makes an entry with several Scheduled Procedure Steps one row each, sharing the study', async () => {
    const input: Record<string, unknown> = { ...jane(), [SPS]: [{ Modality: 'CT', ScheduledProcedureStepStartDate: '20240501' }, { Modality: 'MR', ScheduledProcedureStepStartDate: '20240502' }] };
    for (const k of ['Modality', 'ScheduledStationAETitle', 'ScheduledProcedureStepStartDate', 'ScheduledProcedureStepStartTime']) delete input[k];
    const entries = await store.add([item(input)]);
    expect(entries).toHaveLength(2);
    expect(entries[0]!.item.string('StudyInstanceUID')).toBe(entries[1]!.item.string('StudyInstanceUID'));
    const spsIds = entries.map((e) => e.item.items(SPS)[0]!.string('ScheduledProcedureStepID'));
    expect(new Set(spsIds).size).toBe(2);
    expect(entries.map((e) => e.item.items(SPS)[0]!.string('Modality'))).toEqual(['CT', 'MR']);
  });

  it('adds all entries or none: an invalid one names its label and field, and nothing is stored', async () => {
    const bad = { ...jane(), AccessionNumber: 'A2', PatientBirthDate: '1970-01-01' };
    const error = await store.add([item(jane()), item(bad)], { labels: ['line 2', 'line 3'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorklistError);
    expect((error as WorklistError).code).toBe('ERR_WORKLIST_INPUT');
    expect((error as WorklistError).message).toBe('line 3, PatientBirthDate: Invalid DA value "1970-01-01": expected YYYYMMDD');
    expect(await store.count()).toBe(0);
  });

  it('refuses an entry whose study and SPS ID are already there (CONFLICT), and then stores nothing of the batch', async () => {
    const fixed = { ...jane(), StudyInstanceUID: '1.2.3', [`${SPS}/ScheduledProcedureStepID`]: 'SPS1' };
    await store.add([item(fixed)]);
    const error = await store.add([item({ ...fixed, StudyInstanceUID: '1.2.4' }), item(fixed)]).catch((e: unknown) => e);
    expect((error as WorklistError).code).toBe('ERR_WORKLIST_CONFLICT');
    expect((error as WorklistError).message).toBe('entry 2: the worklist already has Scheduled Procedure Step SPS1 of study 1.2.3');
    expect(await store.count()).toBe(1);
  });

  it.each([
    [{ PatientID: 'P1', ScheduledProcedureStepStartDate: '20240501' }, 'entry 1, PatientName: required'],
    [{ PatientName: 'X', ScheduledProcedureStepStartDate: '20240501' }, 'entry 1, PatientID: required'],
    [{ PatientName: 'X', PatientID: 'P' }, 'entry 1, ScheduledProcedureStepSequence: no Scheduled Procedure Step (give at least ScheduledProcedureStepStartDate)'],
    [{ PatientName: 'X', PatientID: 'P', Modality: 'CT' }, 'entry 1, ScheduledProcedureStepSequence/ScheduledProcedureStepStartDate: required'],
    [{ PatientName: 'X', PatientID: 'P', ScheduledProcedureStepStartDate: '20240230' }, 'entry 1, ScheduledProcedureStepSequence/ScheduledProcedureStepStartDate: Invalid DA value "20240230": day 30'],
    [{ PatientName: 'X', PatientID: 'P', ScheduledProcedureStepStartDate: '20240501', ScheduledProcedureStepStartTime: '2561' }, 'entry 1, ScheduledProcedureStepSequence/ScheduledProcedureStepStartTime: Invalid TM value "2561": hours 25'],
    [{ PatientName: 'X', PatientID: 'P', ScheduledProcedureStepStartDate: '20240501', Modality: 'ct' }, 'entry 1, ScheduledProcedureStepSequence/Modality: "ct" is not a code string (upper-case letters, digits, space, underscore)'],
    [{ PatientName: 'X', PatientID: 'P', ScheduledProcedureStepStartDate: '20240501', StudyInstanceUID: '1.2.abc' }, 'entry 1, StudyInstanceUID: "1.2.abc" is not a UID (digits and dots, at most 64 characters)'],
    [{ PatientName: 'X', PatientID: 'P', ScheduledProcedureStepStartDate: '20240501', AccessionNumber: 'A'.repeat(17) }, 'entry 1, AccessionNumber: "AAAAAAAAAAAAAAAAA" is 17 characters, longer than SH allows (16)'],
    [{ PatientName: 'X', PatientID: 'P\nQ', ScheduledProcedureStepStartDate: '20240501' }, 'entry 1, PatientID: "P\\nQ" contains a control character'],
    [{ PatientName: 'A=B=C=D', PatientID: 'P', ScheduledProcedureStepStartDate: '20240501' }, 'entry 1, PatientName: "A=B=C=D" is not a valid person name: 4 component groups (at most 3)'],
    [
      { PatientName: 'X', PatientID: 'P', Modality: 'CT', [SPS]: [{ ScheduledProcedureStepStartDate: '20240501', Modality: 'MR' }] },
      'entry 1, Modality: given both at the top level and in ScheduledProcedureStepSequence: use one or the other',
    ],
  ])('refuses %j', async (fields, message) => {
    await expect(store.add([item(fields)])).rejects.toThrow(message);
    expect(await store.count()).toBe(0);
  });

  it('refuses binary values and sequences nested too deep', async () => {
    const binary = item({ PatientName: 'X', PatientID: 'P', ScheduledProcedureStepStartDate: '20240501' });
    binary.set('PixelData', new Uint8Array(4), 'OB');
    await expect(store.add([binary])).rejects.toThrow('entry 1, PixelData: OB values are not accepted in a worklist entry');
    let nested: Record<string, unknown> = { CodeValue: 'X' };
    for (let i = 0; i < 12; i++) nested = { ReferencedStudySequence: [nested] };
    await expect(store.add([item({ PatientName: 'X', PatientID: 'P', ScheduledProcedureStepStartDate: '20240501', ...nested })])).rejects.toThrow(/nested deeper than 8 levels/);
  });
});

describe('SqliteWorklistStore: matching (SQL over the columns, the rest in memory)', () => {
  beforeEach(async () => {
    await store.add([
      item(jane()),
      item({ ...jane(), PatientName: 'Doe^John', PatientID: 'P2', AccessionNumber: 'A2', Modality: 'MR', ScheduledStationAETitle: 'MR01', ScheduledProcedureStepStartTime: '0800' }),
      item({ ...jane(), PatientName: 'Smith^Anna', PatientID: 'P3', AccessionNumber: 'A3', ScheduledProcedureStepStartDate: '20240502', RequestedProcedureDescription: 'CT head' }),
      item({ ...jane(), PatientName: 'Camera^Case', PatientID: 'P4', AccessionNumber: 'A4', Modality: 'XC', ScheduledStationAETitle: ['CAM1', 'CAM2'], ScheduledProcedureStepStartTime: '1000' }),
      item({ ...jane(), PatientName: "O'Brien^Sean", PatientID: 'P%5', AccessionNumber: 'A_5', ScheduledProcedureStepStartDate: '20240503' }),
    ]);
  });

  it('orders matches by start date, then start time', async () => {
    expect(await ids({})).toEqual(['A2', 'A1', 'A4', 'A3', 'A_5']);
  });

  it('matches date, date range, modality and station AE title (multi-valued) in the SPS item', async () => {
    expect(await ids({ [`${SPS}/ScheduledProcedureStepStartDate`]: '20240501' })).toEqual(['A2', 'A1', 'A4']);
    expect(await ids({ [`${SPS}/ScheduledProcedureStepStartDate`]: '20240502-' })).toEqual(['A3', 'A_5']);
    expect(await ids({ [`${SPS}/ScheduledProcedureStepStartDate`]: '-20240501' })).toEqual(['A2', 'A1', 'A4']);
    expect(await ids({ [`${SPS}/Modality`]: 'CT', [`${SPS}/ScheduledStationAETitle`]: 'CT01' })).toEqual(['A1', 'A3', 'A_5']);
    expect(await ids({ [`${SPS}/ScheduledStationAETitle`]: 'CAM2' })).toEqual(['A4']);
  });

  it('matches patient name wild cards case-insensitively, accession and patient ID', async () => {
    expect(await ids({ PatientName: 'doe*' })).toEqual(['A2', 'A1']);
    expect(await ids({ AccessionNumber: 'A3' })).toEqual(['A3']);
    expect(await ids({ PatientID: 'P?' })).toEqual(['A2', 'A1', 'A4', 'A3']);
  });

  it('folds case beyond ASCII: MÜLLER* finds Müller, and müller* finds MÜLLER (both in SQL, on the folded column)', async () => {
    await store.add([item({ ...jane(), PatientName: 'Müller^Jürgen', PatientID: 'PM1', AccessionNumber: 'M1' }), item({ ...jane(), PatientName: 'MÜLLER^HANS', PatientID: 'PM2', AccessionNumber: 'M2' })]);
    const found = async (name: string): Promise<number> => (await store.findMatches(conditions({ PatientName: name }), { limit: 10 })).length;
    expect(await found('MÜLLER*')).toBe(2);
    expect(await found('müller^jürgen')).toBe(1);
    expect(await found('Müller^Hans')).toBe(1);
    expect(await found('MULLER*')).toBe(0);
  });

  it('matches keys that have no column in memory (Requested Procedure Description, SPS Description)', async () => {
    expect(await ids({ RequestedProcedureDescription: 'CT h*' })).toEqual(['A3']);
    expect(await ids({ RequestedProcedureDescription: 'CT*', [`${SPS}/Modality`]: 'CT' })).toEqual(['A1', 'A3', 'A_5']);
    expect(await ids({ [`${SPS}/ScheduledProcedureStepLocation`]: 'ROOM*' })).toEqual([]);
  });

  it('stops at the limit, with or without conditions checked in memory', async () => {
    expect(await store.findMatches(conditions({}), { limit: 2 })).toHaveLength(2);
    expect(await store.findMatches(conditions({ RequestedProcedureDescription: 'CT*' }), { limit: 3 })).toHaveLength(3);
  });

  it('takes SQL metacharacters and LIKE wild cards as text, and keeps the table', async () => {
    expect(await ids({ PatientName: "O'Brien^Sean" })).toEqual(['A_5']);
    expect(await ids({ PatientID: 'P%5' })).toEqual(['A_5']);
    expect(await ids({ PatientID: 'P%' })).toEqual([]);
    expect(await ids({ AccessionNumber: 'A_' })).toEqual([]);
    expect(await ids({ AccessionNumber: 'A_*' })).toEqual(['A_5']);
    expect(await ids({ PatientName: "x'; DROP TABLE worklist; --" })).toEqual([]);
    expect(await ids({ RequestedProcedureDescription: "*'); DELETE FROM worklist; --*" })).toEqual([]);
    expect(await store.count()).toBe(5);
  });

  it('stops scanning when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await store.findMatches(conditions({ RequestedProcedureDescription: 'CT*' }), { limit: 10, signal: controller.signal })).toEqual([]);
  });

  it('lists by date (single or range), modality and station, with a limit', async () => {
    const acc = (entries: { item: Dataset }[]) => entries.map((e) => e.item.string('AccessionNumber'));
    expect(acc(await store.list())).toEqual(['A2', 'A1', 'A4', 'A3', 'A_5']);
    expect(acc(await store.list({ date: '20240501' }))).toEqual(['A2', 'A1', 'A4']);
    expect(acc(await store.list({ date: '20240502-20240503' }))).toEqual(['A3', 'A_5']);
    expect(acc(await store.list({ date: '-20240501', modality: 'MR' }))).toEqual(['A2']);
    expect(acc(await store.list({ stationAeTitle: 'CAM1' }))).toEqual(['A4']);
    expect(acc(await store.list({ limit: 2 }))).toEqual(['A2', 'A1']);
  });

  it('removes by accession number, by id, and before a date', async () => {
    expect(await store.remove({ accessionNumbers: ['A1', 'NONE'] })).toBe(1);
    const [first] = await store.list({ date: '20240502' });
    expect(await store.remove({ ids: [first!.id] })).toBe(1);
    expect(await store.remove({ before: '20240502' })).toBe(2);
    expect((await store.list()).map((e) => e.item.string('AccessionNumber'))).toEqual(['A_5']);
  });

  it('reports a stored item that was damaged outside Portico as CORRUPT', async () => {
    await sql`update worklist set item_json = 'not json' where accession_number = 'A3'`.execute(index.kysely);
    await expect(store.list()).rejects.toThrow(/worklist entry \d+: the stored item cannot be read/);
  });
});

describe('SqliteWorklistStore: a large worklist', () => {
  it('scans in batches and stops at the limit (memory bounded by the limit, not the table)', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => item({ ...jane(), AccessionNumber: `B${i}`, PatientID: `Q${i}` }));
    await store.add(many);
    expect(await store.count()).toBe(1200);
    expect(await store.findMatches(conditions({ RequestedProcedureDescription: 'CT*' }), { limit: 1001 })).toHaveLength(1001);
    expect(await store.findMatches(conditions({ PatientName: '*' }), { limit: 1001 })).toHaveLength(1001);
    expect(await store.remove({ before: '99991231' })).toBe(1200);
  });
});
