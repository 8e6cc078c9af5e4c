import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteIndex } from './database.js';
import type { InstanceRecord } from './types.js';

/** Timings are printed, never asserted (DESIGN.md: timed assertions do not belong in tests; `npm run bench` measures). */

const N = 10_000;

function records(prefix: string, n: number): InstanceRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const study = `1.2.${prefix}.${i % 50}`;
    const series = `${study}.${i % 4}`;
    return {
      sopInstanceUid: `${series}.${i}`,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      instanceNumber: String(i),
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      path: `store/ab/${study}/${series}/${series}.${i}.dcm`,
      size: 500_000,
      receivedAt: new Date().toISOString(),
      callingAeTitle: 'BENCH',
      specificCharacterSet: 'ISO_IR 192',
      patientId: `P${i % 20}`,
      issuerOfPatientId: '',
      patientName: `Patient^${i % 20}`,
      patientBirthDate: '19700101',
      patientSex: 'O',
      studyInstanceUid: study,
      studyDate: '20240501',
      studyTime: '120000',
      accessionNumber: `A${i % 50}`,
      studyId: '1',
      studyDescription: 'Timing',
      referringPhysicianName: '',
      seriesInstanceUid: series,
      modality: i % 4 === 0 ? 'CT' : 'SR',
      seriesNumber: String(i % 4),
      seriesDescription: '',
      bodyPartExamined: '',
    };
  });
}

function report(label: string, n: number, ms: number): void {
  console.log(`[index timing] ${label}: ${n} instances in ${ms.toFixed(0)} ms = ${((ms * 1000) / n).toFixed(1)} µs/instance, ${Math.round((n * 1000) / ms)}/s`);
}

describe('index timing (printed, not asserted)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portico-index-timing-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${N} inserts: concurrent calls (group commit), batches, one commit each, in memory`, async () => {
    const file = await openSqliteIndex(join(dir, 'concurrent.sqlite'));
    let t = performance.now();
    await Promise.all(records('1', N).map((r) => file.indexInstance(r, 'keep-first')));
    report('file, WAL+FULL, 10,000 concurrent indexInstance (group commit)', N, performance.now() - t);

    const batch = records('2', N);
    t = performance.now();
    for (let i = 0; i < N; i += 100) await file.indexInstances(batch.slice(i, i + 100), 'keep-first');
    report('file, WAL+FULL, indexInstances in batches of 100', N, performance.now() - t);

    // One commit (one WAL fsync) per instance: bounded by the disk, so fewer of them to keep the suite quick.
    const sequential = records('3', N / 10);
    t = performance.now();
    for (const r of sequential) await file.indexInstance(r, 'keep-first');
    report('file, WAL+FULL, sequential awaited indexInstance (one fsync each)', N / 10, performance.now() - t);
    expect((await file.counts()).instances).toBe(2 * N + N / 10);
    await file.close();

    const memory = await openSqliteIndex(':memory:');
    const inMemory = records('4', N);
    t = performance.now();
    for (const r of inMemory) await memory.indexInstance(r, 'keep-first');
    report('memory, sequential awaited indexInstance (CPU cost)', N, performance.now() - t);
    expect((await memory.counts()).instances).toBe(N);
    await memory.close();
  });
});
