import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagForKeyword } from '../dictionary/attributes.js';
import { ALL, CASES, CORPUS, dataset } from './cases.js';
import { matchConditions, type MatchCondition } from './condition.js';
import { conditionsToSql } from './sql.js';
import { CandidateTable, COLUMNS } from './test-database.js';

const tag = (keyword: string): number => tagForKeyword(keyword)!;
let table: CandidateTable;

beforeAll(() => {
  table = new CandidateTable();
  table.load(CORPUS);
});
afterAll(async () => {
  await table.close();
});

describe('conditionsToSql: the shared case table through SQLite', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expect(await table.matching(dataset(c.query), c.options)).toEqual([...c.expected].sort());
  });
});

describe('conditionsToSql: translation', () => {
  it('gives no WHERE clause when every condition is universal', () => {
    const { where, residual } = conditionsToSql(matchConditions(dataset({ PatientName: '', StudyDate: '*' })), COLUMNS);
    expect(where).toBeUndefined();
    expect(residual).toEqual([]);
  });

  it('leaves sequences and keys without a column as residual conditions', () => {
    const conditions = matchConditions(dataset({ ReferringPhysicianName: 'X', ScheduledProcedureStepSequence: [{ Modality: 'MR' }], PatientID: 'A' }));
    const { where, residual } = conditionsToSql(conditions, COLUMNS);
    expect(where).toBeDefined();
    expect(residual).toEqual([
      { kind: 'single', tag: tag('ReferringPhysicianName'), vr: 'PN', value: 'X' },
      { kind: 'sequence', tag: tag('ScheduledProcedureStepSequence'), item: [{ kind: 'single', tag: tag('Modality'), vr: 'CS', value: 'MR' }] },
    ]);
  });

  it('leaves a combined date-time range residual when the time has no column', () => {
    const condition: MatchCondition = { kind: 'date-time-range', dateTag: tag('StudyDate'), timeTag: tag('SeriesTime'), from: '20240101000000.000000' };
    expect(conditionsToSql([condition], COLUMNS).residual).toEqual([condition]);
  });

  it('binds every key value as a parameter, never as SQL text', () => {
    const hostile = "'; DROP TABLE candidates; --";
    const conditions = matchConditions(dataset({ PatientName: `${hostile}*`, PatientID: hostile, StudyInstanceUID: '1.2\\1.3', ModalitiesInStudy: `CT${hostile}` }));
    const compiled = conditionsToSql(conditions, COLUMNS).where!.compile(table.db);
    expect(compiled.sql).not.toContain('DROP');
    expect(compiled.parameters.some((p) => typeof p === 'string' && p.includes('DROP TABLE'))).toBe(true);
  });

  it('survives SQL injection attempts: the table is still there and nothing matches', async () => {
    for (const value of ["'; DROP TABLE candidates; --", "x' OR '1'='1", "*' OR 1=1 --", '%', '_', '[', ']*', '"']) {
      expect(await table.matching(dataset({ PatientID: value }))).toEqual([]);
      expect(await table.matching(dataset({ StudyDescription: `${value}*` }))).toEqual([]);
      expect(await table.matching(dataset({ PatientName: value }))).toEqual([]);
    }
    expect(await table.tableCount()).toBe(1);
    expect(await table.matching(dataset({}))).toEqual(ALL);
  });

  it('uses a plain = on a single-valued column, so an index can serve exact keys', () => {
    const compiled = conditionsToSql(matchConditions(dataset({ PatientID: 'ID1' })), COLUMNS).where!.compile(table.db);
    expect(compiled.sql).toBe('(("candidates"."patient_id" = ?))');
    expect(compiled.parameters).toEqual(['ID1']);
  });

  it('matches a long UID list (one JSON parameter, not one per UID)', async () => {
    const uids = Array.from({ length: 40_000 }, (_, i) => `1.2.999.${i}`).concat('1.2.3.4');
    const query = dataset({ StudyInstanceUID: uids.join('\\') });
    const compiled = conditionsToSql(matchConditions(query), COLUMNS).where!.compile(table.db);
    expect(compiled.parameters).toHaveLength(1);
    expect(await table.matching(query)).toEqual(['c4']);
  });

  it('matches a 1000-star wild card pattern against a 64 KiB value without blowing up', async () => {
    expect(await table.matching(dataset({ StudyDescription: `${'*x'.repeat(1000)}*` }))).toEqual(['c8']);
    expect(await table.matching(dataset({ StudyDescription: `${'*x'.repeat(1000)}*y` }))).toEqual([]);
  });
});
