import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteIndex } from './database.js';
import { ArchiveIndexError } from './errors.js';
import type { SqliteArchiveIndex } from './sqlite-index.js';
import { distinctJoin } from './sqlite-writer.js';
import type { InstanceRecord } from './types.js';

function record(sop: string, overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  const study = overrides.studyInstanceUid ?? '1.2.3';
  const series = overrides.seriesInstanceUid ?? `${study}.1`;
  return {
    sopInstanceUid: sop,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
    instanceNumber: '1',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    path: `store/ab/${study}/${series}/${sop}.dcm`,
    size: 100,
    receivedAt: '2024-05-01T10:00:00.000Z',
    callingAeTitle: 'MODALITY',
    specificCharacterSet: 'ISO_IR 100',
    patientId: 'P1',
    issuerOfPatientId: '',
    patientName: 'Doe^Jane',
    patientBirthDate: '19700101',
    patientSex: 'F',
    studyInstanceUid: study,
    studyDate: '20240501',
    studyTime: '100000',
    accessionNumber: 'ACC1',
    studyId: 'S1',
    studyDescription: 'Chest',
    referringPhysicianName: 'House^Gregory',
    seriesInstanceUid: series,
    modality: 'CT',
    seriesNumber: '1',
    seriesDescription: 'Axial',
    bodyPartExamined: 'CHEST',
    ...overrides,
  };
}

/** Every maintained counter that disagrees with the rows it counts (empty when the index is consistent). */
async function counterMismatches(index: SqliteArchiveIndex): Promise<unknown[]> {
  const q = async (query: ReturnType<typeof sql>) => (await query.execute(index.kysely)).rows;
  return [
    ...(await q(sql`SELECT se.id FROM series se WHERE se.number_of_instances <> (SELECT count(*) FROM instances i WHERE i.series_pk = se.id)
                     OR se.size <> (SELECT coalesce(sum(size), 0) FROM instances i WHERE i.series_pk = se.id)
                     OR se.number_of_instances = 0`)),
    ...(await q(sql`SELECT st.id FROM studies st WHERE st.number_of_series <> (SELECT count(*) FROM series se WHERE se.study_pk = st.id)
                     OR st.number_of_instances <> (SELECT coalesce(sum(number_of_instances), 0) FROM series se WHERE se.study_pk = st.id)
                     OR st.size <> (SELECT coalesce(sum(size), 0) FROM series se WHERE se.study_pk = st.id)
                     OR st.number_of_series = 0`)),
    ...(await q(sql`SELECT p.id FROM patients p WHERE p.number_of_studies <> (SELECT count(*) FROM studies st WHERE st.patient_pk = p.id)
                     OR p.number_of_series <> (SELECT coalesce(sum(number_of_series), 0) FROM studies st WHERE st.patient_pk = p.id)
                     OR p.number_of_instances <> (SELECT coalesce(sum(number_of_instances), 0) FROM studies st WHERE st.patient_pk = p.id)
                     OR p.size <> (SELECT coalesce(sum(size), 0) FROM studies st WHERE st.patient_pk = p.id)
                     OR p.number_of_studies = 0`)),
  ];
}

async function studyRow(index: SqliteArchiveIndex, uid: string) {
  return index.kysely.selectFrom('studies').selectAll().where('study_instance_uid', '=', uid).executeTakeFirst();
}

async function expectIndexError(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArchiveIndexError);
  expect((error as ArchiveIndexError).code).toBe(code);
}

let index: SqliteArchiveIndex;
beforeEach(async () => {
  index = await openSqliteIndex(':memory:');
});
afterEach(async () => {
  await index.close();
});

describe('indexInstance', () => {
  it('creates the patient, study, series and instance rows and reads the record back', async () => {
    const r = record('1.2.3.1.1');
    expect(await index.indexInstance(r, 'keep-first')).toEqual({ outcome: 'inserted' });
    expect(await index.findInstance(r.sopInstanceUid)).toEqual(r);
    expect(await index.findInstance('9.9.9')).toBeUndefined();
    expect(await index.counts()).toEqual({ patients: 1, studies: 1, series: 1, instances: 1, size: 100 });
    expect(await index.listPatients()).toEqual([{ patientId: 'P1', patientName: 'Doe^Jane', studies: 1, instances: 1 }]);
  });

  it('keeps counts and sizes on series, study and patient', async () => {
    await index.indexInstance(record('1.2.3.1.1', { size: 100 }), 'keep-first');
    await index.indexInstance(record('1.2.3.1.2', { size: 250 }), 'keep-first');
    await index.indexInstance(record('1.2.3.2.1', { seriesInstanceUid: '1.2.3.2', size: 50 }), 'keep-first');
    await index.indexInstance(record('1.2.4.1.1', { studyInstanceUid: '1.2.4', size: 7 }), 'keep-first');

    expect(await index.listStudies()).toEqual([
      expect.objectContaining({ studyInstanceUid: '1.2.3', series: 2, instances: 3, size: 400 }),
      expect.objectContaining({ studyInstanceUid: '1.2.4', series: 1, instances: 1, size: 7 }),
    ]);
    expect(await index.listSeries('1.2.3')).toEqual([
      { seriesInstanceUid: '1.2.3.1', studyInstanceUid: '1.2.3', modality: 'CT', seriesNumber: '1', seriesDescription: 'Axial', instances: 2, size: 350 },
      { seriesInstanceUid: '1.2.3.2', studyInstanceUid: '1.2.3', modality: 'CT', seriesNumber: '1', seriesDescription: 'Axial', instances: 1, size: 50 },
    ]);
    expect((await index.listInstances('1.2.3.1')).map((i) => i.sopInstanceUid)).toEqual(['1.2.3.1.1', '1.2.3.1.2']);
    expect(await index.listPatients()).toEqual([{ patientId: 'P1', patientName: 'Doe^Jane', studies: 2, instances: 4 }]);
    expect(await index.counts()).toEqual({ patients: 1, studies: 2, series: 3, instances: 4, size: 407 });
    expect(await counterMismatches(index)).toEqual([]);
  });

  it('updates patient demographics to the latest non-empty values', async () => {
    await index.indexInstance(record('1.1', { patientName: 'Doe^Jane', patientSex: 'F', patientBirthDate: '' }), 'keep-first');
    await index.indexInstance(record('1.2', { patientName: 'Doe^Jane^Q', patientSex: '', patientBirthDate: '19700101' }), 'keep-first');
    await index.indexInstance(record('1.3', { patientName: '', patientSex: '', patientBirthDate: '' }), 'keep-first');
    const found = await index.findInstance('1.1');
    expect([found?.patientName, found?.patientSex, found?.patientBirthDate]).toEqual(['Doe^Jane^Q', 'F', '19700101']);
  });

  it('tells patients apart by Patient ID and Issuer of Patient ID', async () => {
    await index.indexInstance(record('1.1', { studyInstanceUid: '1.2.10', patientId: 'P1', issuerOfPatientId: 'HOSP_A' }), 'keep-first');
    await index.indexInstance(record('1.2', { studyInstanceUid: '1.2.11', patientId: 'P1', issuerOfPatientId: 'HOSP_B' }), 'keep-first');
    expect((await index.counts()).patients).toBe(2);
    expect(await index.listStudies({ patientId: 'P1' })).toHaveLength(2);
    expect(await index.listStudies({ patientId: 'P2' })).toEqual([]);
  });

  it('fills empty study and series attributes but never overwrites a set one', async () => {
    await index.indexInstance(record('1.1', { studyDescription: '', accessionNumber: 'ACC1', seriesDescription: '', studyTime: '' }), 'keep-first');
    await index.indexInstance(record('1.2', { studyDescription: 'Chest PA', accessionNumber: 'OTHER', seriesDescription: 'Late', studyTime: '101010' }), 'keep-first');
    const study = await studyRow(index, '1.2.3');
    expect([study?.study_description, study?.accession_number, study?.study_time]).toEqual(['Chest PA', 'ACC1', '101010']);
    expect((await index.listSeries('1.2.3'))[0].seriesDescription).toBe('Late');
  });

  it('keeps Modalities in Study and the study Body Part Examined as the distinct values of its series', async () => {
    await index.indexInstance(record('1.1', { seriesInstanceUid: '1.2.3.1', modality: 'CT', bodyPartExamined: 'CHEST' }), 'keep-first');
    await index.indexInstance(record('1.2', { seriesInstanceUid: '1.2.3.2', modality: 'PR', bodyPartExamined: '' }), 'keep-first');
    await index.indexInstance(record('1.3', { seriesInstanceUid: '1.2.3.3', modality: 'CT', bodyPartExamined: 'ABDOMEN' }), 'keep-first');
    await index.indexInstance(record('1.4', { seriesInstanceUid: '1.2.3.4', modality: '', bodyPartExamined: 'CHEST' }), 'keep-first');
    expect((await index.listStudies())[0].modalitiesInStudy).toBe('CT\\PR');
    expect((await studyRow(index, '1.2.3'))?.body_part_examined).toBe('CHEST\\ABDOMEN');

    // A series whose modality arrives late, and the removal of the only PR series, both refresh the study.
    await index.indexInstance(record('1.5', { seriesInstanceUid: '1.2.3.4', modality: 'SR' }), 'keep-first');
    await index.removeInstances(['1.2']);
    expect((await index.listStudies())[0].modalitiesInStudy).toBe('CT\\SR');
  });

  it('keeps a known study with its first patient and creates no patient for another Patient ID', async () => {
    await index.indexInstance(record('1.1', { patientId: 'P1', patientName: 'First^Name' }), 'keep-first');
    await index.indexInstance(record('1.2', { patientId: 'P9', patientName: 'Other^Name' }), 'keep-first');
    expect(await index.listPatients()).toEqual([{ patientId: 'P1', patientName: 'First^Name', studies: 1, instances: 2 }]);
    expect(await counterMismatches(index)).toEqual([]);
  });

  it('refuses a series already indexed under another study (ERR_INDEX_CONFLICT) and changes nothing', async () => {
    await index.indexInstance(record('1.1', { studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.1' }), 'keep-first');
    await expectIndexError(index.indexInstance(record('1.2', { studyInstanceUid: '1.2.4', seriesInstanceUid: '1.2.3.1' }), 'keep-first'), 'ERR_INDEX_CONFLICT');
    expect(await index.counts()).toEqual({ patients: 1, studies: 1, series: 1, instances: 1, size: 100 });
  });

  it('refuses records it cannot index (ERR_INDEX_INVALID_RECORD)', async () => {
    await expectIndexError(index.indexInstance(record(''), 'keep-first'), 'ERR_INDEX_INVALID_RECORD');
    await expectIndexError(index.indexInstance(record('1.1', { studyInstanceUid: '' , seriesInstanceUid: '1.5' }), 'keep-first'), 'ERR_INDEX_INVALID_RECORD');
    await expectIndexError(index.indexInstance(record('1.1', { size: -1 }), 'keep-first'), 'ERR_INDEX_INVALID_RECORD');
    await expectIndexError(index.indexInstance(record('1.1', { size: 1.5 }), 'keep-first'), 'ERR_INDEX_INVALID_RECORD');
    await expectIndexError(index.indexInstance(record('1.1', { patientName: null as unknown as string }), 'keep-first'), 'ERR_INDEX_INVALID_RECORD');
    await expectIndexError(index.indexInstance(record('1.1'), 'replace' as 'overwrite'), 'ERR_INDEX_INVALID_RECORD');
    expect((await index.counts()).instances).toBe(0);
  });
});

describe('duplicates', () => {
  it("'keep-first' keeps the indexed instance and changes nothing", async () => {
    await index.indexInstance(record('1.1', { path: 'first.dcm', size: 100 }), 'keep-first');
    expect(await index.indexInstance(record('1.1', { path: 'second.dcm', size: 999, patientName: 'New^Name' }), 'keep-first')).toEqual({
      outcome: 'duplicate-kept',
    });
    expect((await index.findInstance('1.1'))?.path).toBe('first.dcm');
    expect((await index.findInstance('1.1'))?.patientName).toBe('Doe^Jane');
    expect(await index.counts()).toEqual({ patients: 1, studies: 1, series: 1, instances: 1, size: 100 });
  });

  it("'overwrite' replaces the row, returns the previous path and fixes the sizes", async () => {
    await index.indexInstance(record('1.1', { path: 'first.dcm', size: 100 }), 'keep-first');
    await index.indexInstance(record('1.2', { size: 10 }), 'keep-first');
    const replacement = record('1.1', { path: 'second.dcm', size: 300, transferSyntaxUid: '1.2.840.10008.1.2.4.50' });
    expect(await index.indexInstance(replacement, 'overwrite')).toEqual({ outcome: 'overwritten', previousPath: 'first.dcm' });
    expect(await index.findInstance('1.1')).toEqual(replacement);
    expect(await index.counts()).toEqual({ patients: 1, studies: 1, series: 1, instances: 2, size: 310 });
    expect(await counterMismatches(index)).toEqual([]);
  });

  it("'overwrite' moves the instance to its new series and study and prunes what it left empty", async () => {
    await index.indexInstance(record('1.1', { studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.1', modality: 'CT' }), 'keep-first');
    await index.indexInstance(record('1.2', { studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.2', modality: 'MR' }), 'keep-first');
    await index.indexInstance(record('1.3', { studyInstanceUid: '1.2.5', seriesInstanceUid: '1.2.5.1', modality: 'US', patientId: 'P2' }), 'keep-first');

    // 1.2 was the only instance of series 1.2.3.2: it moves into study 1.2.5 (another patient's).
    const moved = record('1.2', { studyInstanceUid: '1.2.5', seriesInstanceUid: '1.2.5.1', modality: 'US', patientId: 'P2', path: 'moved.dcm' });
    expect(await index.indexInstance(moved, 'overwrite')).toEqual({ outcome: 'overwritten', previousPath: 'store/ab/1.2.3/1.2.3.2/1.2.dcm' });
    expect(await index.listSeries('1.2.3')).toEqual([expect.objectContaining({ seriesInstanceUid: '1.2.3.1', instances: 1 })]);
    expect(await index.listSeries('1.2.5')).toEqual([expect.objectContaining({ seriesInstanceUid: '1.2.5.1', instances: 2 })]);
    const studies = await index.listStudies();
    expect(studies.map((s) => [s.studyInstanceUid, s.modalitiesInStudy, s.series, s.instances])).toEqual([
      ['1.2.3', 'CT', 1, 1],
      ['1.2.5', 'US', 1, 2],
    ]);

    // Moving the last instance of a study away prunes the study and its patient.
    await index.indexInstance(record('1.1', { studyInstanceUid: '1.2.5', seriesInstanceUid: '1.2.5.1', modality: 'US', patientId: 'P2' }), 'overwrite');
    expect((await index.listStudies()).map((s) => s.studyInstanceUid)).toEqual(['1.2.5']);
    expect((await index.listPatients()).map((p) => p.patientId)).toEqual(['P2']);
    expect(await index.counts()).toEqual({ patients: 1, studies: 1, series: 1, instances: 3, size: 300 });
    expect(await counterMismatches(index)).toEqual([]);
  });

  it("'overwrite' of the last instance of a study recreates it under the new patient", async () => {
    await index.indexInstance(record('1.1', { patientId: 'OLD' }), 'keep-first');
    await index.indexInstance(record('1.1', { patientId: 'NEW', patientName: 'Corrected^Name' }), 'overwrite');
    expect(await index.listPatients()).toEqual([{ patientId: 'NEW', patientName: 'Corrected^Name', studies: 1, instances: 1 }]);
  });
});

describe('removeInstances and allPaths', () => {
  it('removes rows, prunes emptied series, studies and patients and fixes the counts', async () => {
    await index.indexInstance(record('1.1', { seriesInstanceUid: '1.2.3.1' }), 'keep-first');
    await index.indexInstance(record('1.2', { seriesInstanceUid: '1.2.3.1' }), 'keep-first');
    await index.indexInstance(record('1.3', { seriesInstanceUid: '1.2.3.2', modality: 'MR' }), 'keep-first');
    await index.indexInstance(record('2.1', { studyInstanceUid: '1.2.4', patientId: 'P2' }), 'keep-first');
    expect(await index.allPaths()).toEqual([
      'store/ab/1.2.3/1.2.3.1/1.1.dcm',
      'store/ab/1.2.3/1.2.3.1/1.2.dcm',
      'store/ab/1.2.3/1.2.3.2/1.3.dcm',
      'store/ab/1.2.4/1.2.4.1/2.1.dcm',
    ]);

    await index.removeInstances(['1.1', '1.3', 'not.indexed']);
    expect(await index.counts()).toEqual({ patients: 2, studies: 2, series: 2, instances: 2, size: 200 });
    expect((await index.listStudies({ patientId: 'P1' }))[0]).toEqual(expect.objectContaining({ modalitiesInStudy: 'CT', series: 1, instances: 1 }));
    expect(await counterMismatches(index)).toEqual([]);

    await index.removeInstances(['1.2', '2.1']);
    expect(await index.counts()).toEqual({ patients: 0, studies: 0, series: 0, instances: 0, size: 0 });
    expect(await index.allPaths()).toEqual([]);
    await index.removeInstances([]);
  });
});

describe('concurrency and group commit', () => {
  it('1000 indexInstance calls at once across 10 studies give exact counts', async () => {
    const records = Array.from({ length: 1000 }, (_, i) =>
      record(`1.9.${i}`, { studyInstanceUid: `1.2.${i % 10}`, seriesInstanceUid: `1.2.${i % 10}.${i % 3}`, patientId: `P${i % 4}`, size: i }),
    );
    const results = await Promise.all(records.map((r) => index.indexInstance(r, 'keep-first')));
    expect(results.every((r) => r.outcome === 'inserted')).toBe(true);
    // Study i%10 belongs to the patient of its first instance (i < 10): patient i%4.
    expect(await index.counts()).toEqual({ patients: 4, studies: 10, series: 30, instances: 1000, size: (999 * 1000) / 2 });
    for (const study of await index.listStudies()) expect(study.instances).toBe(100);
    expect(await counterMismatches(index)).toEqual([]);
  });

  it('races on the same SOP Instance UIDs index each once', async () => {
    const calls = Array.from({ length: 1000 }, (_, i) => index.indexInstance(record(`1.8.${i % 500}`, { size: 1 }), 'keep-first'));
    const outcomes = (await Promise.all(calls)).map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'inserted')).toHaveLength(500);
    expect(outcomes.filter((o) => o === 'duplicate-kept')).toHaveLength(500);
    expect(await index.counts()).toEqual({ patients: 1, studies: 1, series: 1, instances: 500, size: 500 });
  });

  it('fails only the bad record of a group commit', async () => {
    await index.indexInstance(record('1.1', { studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.1' }), 'keep-first');
    const settled = await Promise.allSettled([
      index.indexInstance(record('1.2', { studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.1' }), 'keep-first'),
      index.indexInstance(record('1.3', { studyInstanceUid: '1.2.4', seriesInstanceUid: '1.2.3.1' }), 'keep-first'),
      index.indexInstance(record('1.4', { studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.1' }), 'keep-first'),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((settled[1] as PromiseRejectedResult).reason as ArchiveIndexError).code).toBe('ERR_INDEX_CONFLICT');
    expect(await index.counts()).toEqual({ patients: 1, studies: 1, series: 1, instances: 3, size: 300 });
    expect(await counterMismatches(index)).toEqual([]);
  });

  it('is just as correct with group commit off (one transaction per call)', async () => {
    const single = await openSqliteIndex(':memory:', { groupCommit: false });
    const calls = Array.from({ length: 300 }, (_, i) => single.indexInstance(record(`1.7.${i}`, { studyInstanceUid: `1.2.${i % 3}` }), 'keep-first'));
    await Promise.all(calls);
    expect(await single.counts()).toEqual({ patients: 1, studies: 3, series: 3, instances: 300, size: 30000 });
    expect(await counterMismatches(single)).toEqual([]);
    await single.close();
  });

  it('indexInstances commits a batch as a whole, or nothing of it', async () => {
    const batch = [record('1.1'), record('1.2'), record('1.1', { path: 'again.dcm' })];
    expect(await index.indexInstances(batch, 'overwrite')).toEqual([
      { outcome: 'inserted' },
      { outcome: 'inserted' },
      { outcome: 'overwritten', previousPath: 'store/ab/1.2.3/1.2.3.1/1.1.dcm' },
    ]);
    await expectIndexError(
      index.indexInstances([record('1.3'), record('1.4', { studyInstanceUid: '1.2.4', seriesInstanceUid: '1.2.3.1' })], 'keep-first'),
      'ERR_INDEX_CONFLICT',
    );
    expect((await index.counts()).instances).toBe(2);
    expect(await index.indexInstances([], 'keep-first')).toEqual([]);
  });
});

describe('durability', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portico-index-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a file database survives close and reopen, with calls still queued at close committed', async () => {
    const path = join(dir, 'index.sqlite');
    const file = await openSqliteIndex(path);
    await file.indexInstance(record('1.1'), 'keep-first');
    const queued = file.indexInstance(record('1.2'), 'keep-first'); // not awaited before close
    await file.close();
    expect(await queued).toEqual({ outcome: 'inserted' });
    await expectIndexError(file.indexInstance(record('1.3'), 'keep-first'), 'ERR_INDEX_CLOSED');
    await expectIndexError(file.counts(), 'ERR_INDEX_CLOSED');
    await file.close();

    const reopened = await openSqliteIndex(path);
    expect(await reopened.findInstance('1.1')).toEqual(record('1.1'));
    expect(await reopened.counts()).toEqual({ patients: 1, studies: 1, series: 1, instances: 2, size: 200 });
    expect(await counterMismatches(reopened)).toEqual([]);
    await reopened.close();
  });
});

describe('distinctJoin', () => {
  it('joins distinct non-empty values in first-seen order', () => {
    expect(distinctJoin(['CT', '', 'PR', 'CT', 'MR'])).toBe('CT\\PR\\MR');
    expect(distinctJoin(['', ''])).toBe('');
  });
});
