/**
 * The query benchmark's data on disk, generated once and cached under `$TMPDIR/portico-bench-query-cache/v<N>`
 * (N = GENERATOR_VERSION of query-corpus.ts): a step whose `done.json` is there is not done again, and its file
 * says how long it took the first time.
 *
 * - `archive-1m/`: a Portico data folder (the archive's own layout: `index.sqlite`, `store/`) whose index holds the
 *   1M-instance plan, filled through the index API in large batches (`SqliteArchiveIndex.indexInstances`); only the
 *   real study's 100 files exist in `store/` (study-level keys never need a file); and the 100k-entry worklist added
 *   through `SqliteWorklistStore.add`.
 * - `wlmscpfs/WLQUERY/`: the same worklist as `.wl` files (Part 10, written with `writeDicom`) and a `lockfile`.
 * - `small/`: the small-file plan as files (32×32 pixels), in chunks of whole studies, for the equal-size
 *   comparison (sent to Orthanc and to `portico serve` with storescu).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { Archive } from '../src/archive/archive.js';
import { SqliteArchiveIndex } from '../src/archive/index/sqlite-index.js';
import { instanceRecord } from '../src/archive/ingest.js';
import { SqliteWorklistStore } from '../src/archive/worklist/sqlite-store.js';
import { Dataset } from '../src/data/dataset.js';
import { writeDicom } from '../src/encoding/write.js';
import { ModalityWorklistInformationModelFind } from '../src/services/worklist/uids.js';
import {
  type ArchivePlan, GENERATOR_VERSION, instanceDataset, instanceRecords, planArchive, planWorklist, type WorklistRow, worklistDataset,
} from './query-corpus.js';

export const CACHE_DIR = process.env.PORTICO_BENCH_QUERY_CACHE ?? join(tmpdir(), 'portico-bench-query-cache', `v${GENERATOR_VERSION}`);

/** The sizes the issue asks for. */
export const BIG = { instances: 1_000_000, studies: 10_000, patients: 4_000, worklist: 100_000 } as const;
/** The small-file plan: more than Orthanc takes in the load budget; only the chunks it took are used. */
export const SMALL = { studies: 14_000, patients: 5_600, chunkStudies: 40 } as const;

export const bigPlan = (): ArchivePlan => planArchive({ seed: 1, studies: BIG.studies, patients: BIG.patients, instances: BIG.instances, prefix: 'P' });
export const smallPlan = (): ArchivePlan => planArchive({ seed: 2, studies: SMALL.studies, patients: SMALL.patients, prefix: 'S' });
export const worklistRows = (): WorklistRow[] => planWorklist(BIG.worklist, 3);

const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';

/** At most `limit` writes in flight: the generator's encoding overlaps the file system's work. */
function writePool(limit = 32): { write(path: string, data: Uint8Array): Promise<void>; drain(): Promise<void> } {
  const pending = new Set<Promise<void>>();
  return {
    async write(path, data) {
      while (pending.size >= limit) await Promise.race(pending);
      const p: Promise<void> = writeFile(path, data).finally(() => pending.delete(p));
      pending.add(p);
    },
    async drain() {
      await Promise.all(pending);
    },
  };
}

/** What a cached step recorded when it was made. */
export interface StepRecord {
  readonly version: number;
  readonly madeAt: string;
  readonly ms: Readonly<Record<string, number>>;
  readonly facts: Readonly<Record<string, number | string>>;
}

export async function readStep(name: string): Promise<StepRecord | undefined> {
  const path = join(CACHE_DIR, `${name}.done.json`);
  if (!existsSync(path)) return undefined;
  const record = JSON.parse(await readFile(path, 'utf8')) as StepRecord;
  return record.version === GENERATOR_VERSION ? record : undefined;
}

export async function writeStep(name: string, ms: Record<string, number>, facts: Record<string, number | string>): Promise<StepRecord> {
  const record: StepRecord = { version: GENERATOR_VERSION, madeAt: new Date().toISOString(), ms, facts };
  await mkdir(CACHE_DIR, { recursive: true });
  await writeFile(join(CACHE_DIR, `${name}.done.json`), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/**
 * The 1M data folder: the real study's files and rows, the other 999,900 rows in batches of 20,000 (one transaction
 * each), then the worklist in batches of 5,000. Made in a temporary folder and renamed when complete.
 */
export async function makeBigArchive(plan: ArchivePlan, rows: readonly WorklistRow[], log: (text: string) => void): Promise<StepRecord> {
  const final = join(CACHE_DIR, 'archive-1m');
  const dir = `${final}.part`;
  await rm(dir, { recursive: true, force: true });
  await rm(final, { recursive: true, force: true });
  const archive = await Archive.open(dir, { reserveBytes: 0 });
  const index = archive.index;
  if (!(index instanceof SqliteArchiveIndex)) throw new Error('the archive index is not the SQLite one');
  const ms: Record<string, number> = {};
  try {
    const study = plan.studies[0]!;
    const series = study.series[0]!;
    const real = [];
    for (let i = 1; i <= series.instances; i++) {
      const ds = instanceDataset(plan, study, series, i);
      const bytes = writeDicom(ds);
      const sopUid = ds.string('SOPInstanceUID')!;
      const rel = archive.files.relativePath(study.uid, series.uid, sopUid);
      await mkdir(dirname(join(dir, rel)), { recursive: true });
      await writeFile(join(dir, rel), bytes);
      real.push(instanceRecord(ds, sopUid, ds.string('SOPClassUID')!, study.uid, series.uid, rel, bytes.length, EXPLICIT_VR_LE, 'BENCHGEN'));
    }
    await index.indexInstances(real, 'keep-first');

    let t0 = performance.now();
    let done = real.length;
    const receivedAt = new Date().toISOString();
    for (const batch of instanceRecords(plan, 20_000, receivedAt)) {
      await index.indexInstances(batch, 'keep-first');
      done += batch.length;
      if (done % 200_000 < batch.length) log(`    ${done.toLocaleString('en-US')} instances indexed (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    ms.indexInstances = performance.now() - t0;

    t0 = performance.now();
    const store = SqliteWorklistStore.of(index);
    for (let i = 0; i < rows.length; i += 5_000) await store.add(rows.slice(i, i + 5_000).map(worklistDataset));
    ms.worklistAdd = performance.now() - t0;
    const counts = await index.counts();
    const worklist = await store.count();
    if (counts.instances !== plan.instances) throw new Error(`indexed ${counts.instances} instances, the plan has ${plan.instances}`);
    if (worklist !== rows.length) throw new Error(`the worklist holds ${worklist} entries, expected ${rows.length}`);
    await archive.close();
    await rename(dir, final);
    return writeStep('archive-1m', ms, { ...counts, worklist });
  } catch (error) {
    await archive.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The worklist as `.wl` files for wlmscpfs (called AE title WLQUERY), each a Part 10 file. */
export async function makeWlFiles(rows: readonly WorklistRow[]): Promise<StepRecord> {
  const final = join(CACHE_DIR, 'wlmscpfs');
  const dir = `${final}.part`;
  await rm(dir, { recursive: true, force: true });
  await rm(final, { recursive: true, force: true });
  const ae = join(dir, 'WLQUERY');
  await mkdir(ae, { recursive: true });
  await writeFile(join(ae, 'lockfile'), '');
  const t0 = performance.now();
  let bytes = 0;
  const pool = writePool();
  for (const row of rows) {
    const ds = worklistDataset(row);
    const meta = new Dataset();
    meta.set('MediaStorageSOPClassUID', ModalityWorklistInformationModelFind);
    meta.set('MediaStorageSOPInstanceUID', row.studyUid);
    const data = writeDicom(ds, { meta });
    bytes += data.length;
    await pool.write(join(ae, `${String(row.i + 1).padStart(6, '0')}.wl`), data);
  }
  await pool.drain();
  const ms = { write: performance.now() - t0 };
  await rename(dir, final);
  return writeStep('wlmscpfs', ms, { files: rows.length, bytes });
}

export interface SmallChunk {
  readonly dir: string;
  readonly files: readonly string[];
  readonly studies: number;
}

/** The small-file plan as files: `small/cNNNN/` of `SMALL.chunkStudies` whole studies each (the real study is chunk 0). */
export async function makeSmallFiles(plan: ArchivePlan): Promise<StepRecord> {
  const final = join(CACHE_DIR, 'small');
  const dir = `${final}.part`;
  await rm(dir, { recursive: true, force: true });
  await rm(final, { recursive: true, force: true });
  const t0 = performance.now();
  let files = 0;
  let bytes = 0;
  const pool = writePool();
  for (let s = 0; s < plan.studies.length; s++) {
    const chunk = join(dir, `c${String(Math.floor(s / SMALL.chunkStudies)).padStart(4, '0')}`);
    if (s % SMALL.chunkStudies === 0) await mkdir(chunk, { recursive: true });
    const study = plan.studies[s]!;
    for (const series of study.series) {
      for (let i = 1; i <= series.instances; i++) {
        const data = writeDicom(instanceDataset(plan, study, series, i));
        await pool.write(join(chunk, `s${String(s).padStart(5, '0')}-${series.number}-${String(i).padStart(3, '0')}.dcm`), data);
        files++;
        bytes += data.length;
      }
    }
  }
  await pool.drain();
  const ms = { write: performance.now() - t0 };
  await rename(dir, final);
  return writeStep('small', ms, { files, bytes, studies: plan.studies.length });
}

/** The chunks of the small-file set, in order, with their files (sorted). */
export async function smallChunks(plan: ArchivePlan): Promise<SmallChunk[]> {
  const root = join(CACHE_DIR, 'small');
  const chunks: SmallChunk[] = [];
  for (let c = 0; c * SMALL.chunkStudies < plan.studies.length; c++) {
    const dir = join(root, `c${String(c).padStart(4, '0')}`);
    const studies = plan.studies.slice(c * SMALL.chunkStudies, (c + 1) * SMALL.chunkStudies);
    const files = studies.flatMap((study, k) => {
      const s = c * SMALL.chunkStudies + k;
      return study.series.flatMap((series) =>
        Array.from({ length: series.instances }, (_, i) => join(dir, `s${String(s).padStart(5, '0')}-${series.number}-${String(i + 1).padStart(3, '0')}.dcm`)));
    });
    chunks.push({ dir, files, studies: studies.length });
  }
  return chunks;
}
