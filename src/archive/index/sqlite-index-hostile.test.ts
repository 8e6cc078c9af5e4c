import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteIndex } from './database.js';
import { RECORD_STRING_FIELDS } from './record-validation.js';
import type { SqliteArchiveIndex } from './sqlite-index.js';
import type { InstanceRecord } from './types.js';

/** Strings that break code that splices values into SQL or treats them as LIKE patterns. */
const HOSTILE = [
  "O'Brien^Miles",
  "'; DROP TABLE patients; --",
  '"; DROP TABLE studies; --',
  'Robert\'); DELETE FROM instances WHERE (\'1\'=\'1',
  '%',
  '_',
  '100%_sure\\%',
  'a\u0000b',
  '\u0000',
  '   ',
  '\\\\',
  'Ÿamada^Tarō=山田^太郎=やまだ^たろう',
  '😀\u{10FFFF}\uFFFD',
  'x'.repeat(10 * 1024),
  'line\nbreak\r\ttab',
  '$1 ? :name @p',
];

function hostileRecord(i: number, value: string): InstanceRecord {
  const base = Object.fromEntries(RECORD_STRING_FIELDS.map((field) => [field, `${value}|${field}`])) as Record<(typeof RECORD_STRING_FIELDS)[number], string>;
  return { ...base, size: i };
}

let index: SqliteArchiveIndex;
beforeEach(async () => {
  index = await openSqliteIndex(':memory:');
});
afterEach(async () => {
  await index.close();
});

describe('hostile strings', () => {
  it('are stored and read back verbatim in every field, through every read', async () => {
    const records = HOSTILE.map((value, i) => hostileRecord(i, value));
    for (const r of records) expect(await index.indexInstance(r, 'keep-first')).toEqual({ outcome: 'inserted' });

    expect(await index.counts()).toEqual({
      patients: HOSTILE.length,
      studies: HOSTILE.length,
      series: HOSTILE.length,
      instances: HOSTILE.length,
      size: (HOSTILE.length * (HOSTILE.length - 1)) / 2,
    });
    for (const r of records) {
      expect(await index.findInstance(r.sopInstanceUid)).toEqual(r);
      expect(await index.listInstances(r.seriesInstanceUid)).toEqual([r]);
      const [series] = await index.listSeries(r.studyInstanceUid);
      expect(series).toEqual({
        seriesInstanceUid: r.seriesInstanceUid,
        studyInstanceUid: r.studyInstanceUid,
        modality: r.modality,
        seriesNumber: r.seriesNumber,
        seriesDescription: r.seriesDescription,
        instances: 1,
        size: r.size,
      });
      // Equality, not LIKE: '%' and '_' match only themselves.
      const studies = await index.listStudies({ patientId: r.patientId });
      expect(studies.map((s) => [s.studyInstanceUid, s.patientName, s.accessionNumber, s.studyDescription, s.modalitiesInStudy])).toEqual([
        [r.studyInstanceUid, r.patientName, r.accessionNumber, r.studyDescription, r.modality],
      ]);
    }
    const patients = await index.listPatients();
    expect(new Set(patients.map((p) => p.patientName))).toEqual(new Set(records.map((r) => r.patientName)));
    expect(new Set(await index.allPaths())).toEqual(new Set(records.map((r) => r.path)));
  });

  it('used as lookup keys match nothing else and remove only themselves', async () => {
    await index.indexInstance(hostileRecord(1, 'plain'), 'keep-first');
    expect(await index.findInstance('%')).toBeUndefined();
    expect(await index.findInstance("' OR '1'='1")).toBeUndefined();
    expect(await index.listStudies({ patientId: '%' })).toEqual([]);
    expect(await index.listSeries('_')).toEqual([]);
    await index.removeInstances(['%', "' OR '1'='1", '*']);
    expect((await index.counts()).instances).toBe(1);

    // NUL is part of the key: 'a\0b' and 'a' are different instances.
    await index.indexInstance({ ...hostileRecord(2, 'nul'), sopInstanceUid: 'a\u0000b' }, 'keep-first');
    expect((await index.findInstance('a'))?.sopInstanceUid).toBeUndefined();
    expect((await index.findInstance('a\u0000b'))?.sopInstanceUid).toBe('a\u0000b');
  });
});
