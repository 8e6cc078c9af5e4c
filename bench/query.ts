/**
 * Query benchmark (`--only query`): C-FIND latency of Portico's Query/Retrieve and Modality Worklist SCPs at scale,
 * against Orthanc and DCMTK wlmscpfs, on 127.0.0.1, in one run.
 *
 * Data (generated, seeded; cached under $TMPDIR/portico-bench-query-cache/v<N>, see query-data.ts):
 *  - a Portico data folder whose index holds 1,000,000 instances (10,000 studies of 4,000 patients, 1–6 series each,
 *    2019–2024), filled through the index API in batches; one study of 100 CT instances is real files; and 100,000
 *    worklist entries (one SPS each, ~200 days, a station AE per modality) through the worklist store;
 *  - the same 100,000 entries as `.wl` files for wlmscpfs;
 *  - for the equal-size comparison: small files (32×32 CT/MR/…; 1–2 series of 1–4 instances per study, plus the same
 *    kind of 100-instance study) sent to Orthanc (SQLite, default config) by 4 storescu at once, in chunks of 40
 *    studies, until a 70 s budget is spent; then exactly the chunks Orthanc took are sent to a fresh `portico serve`
 *    the same way. Both then hold the same instances.
 *
 * Queries (each kind a list of varied parameters, the same list for every SCP holding the same data): study level
 * (Study Root; return keys PatientName, PatientID, StudyDate, StudyTime, AccessionNumber, StudyInstanceUID,
 * StudyDescription, ModalitiesInStudy, NumberOfStudyRelatedInstances) by PatientName prefix (`SCH*`, 10–150 matches),
 * by a 7-day StudyDate range, by AccessionNumber; image level for the 100-instance study (Study and Series Instance
 * UID, as hierarchical search requires) with indexed return keys, and again with Rows and Columns, which only the
 * files hold; worklist by SPS start date + modality + station AE with the usual return keys.
 *
 * Client: Portico's C-FIND library (`find()`, `worklist()`) in this process, on ONE association per SCP and model:
 * a few warm-up queries, then N queries one after the other, each timed from the call to the final response. Tables
 * give p50, p99 (nearest rank), max, mean. Every answer's match count is checked against the generated data, and
 * between the two SCPs holding the same data; a difference is printed as a mismatch. For orientation only,
 * `findscu --repeat` (one process, one association, the same query N times) per SCP. The SCP's RSS (process tree,
 * /proc every 50 ms + VmHWM) and CPU are taken over its queries. DCMTK and Orthanc run with TCP_NODELAY=1; every
 * process is stopped by its PID; the run's temporary folder (a copy of the 1M folder, the Portico under test) is
 * removed at the end. The Portico under test is a copy of dist/ made at the start.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Archive } from '../src/archive/archive.js';
import { errorText } from './net-measure.js';
import { machine } from './parse.js';
import { type ArchivePlan, GENERATOR_VERSION } from './query-corpus.js';
import {
  BIG, bigPlan, CACHE_DIR, makeBigArchive, makeSmallFiles, makeWlFiles, readStep, SMALL, type SmallChunk, smallChunks, smallPlan, type StepRecord,
  worklistRows, writeStep,
} from './query-data.js';
import {
  type KindId, KIND_LABEL, type KindLimits, type KindRun, type Model, type QuerySpec, STUDY_KINDS, studyQueries,
  worklistQueries,
} from './query-measure.js';
import { findscuRepeat, loadChunks, type Server, startOrthanc, startPorticoServe, startWlmscpfs } from './query-procs.js';
import { QueryClient } from './query-worker.js';
import {
  fmtMs, type FindscuRun, findscuTable, latencyTable, mismatches, queryTargetTable, ratioTable, type ScpRun, statsOf,
} from './query-report.js';
import { fmtRatio, table, type TargetCheck } from './report.js';
import { ORTHANC_BIN, snapshotPortico, versionOf, watchMemory } from './store-procs.js';

export interface QueryBenchOptions {
  /** Fewer queries per kind: a smoke run, not a measurement. */
  readonly quick: boolean;
  /** Keep the run's temporary folder. */
  readonly keep: boolean;
}

interface Plan {
  readonly study: KindLimits;
  readonly worklist: KindLimits;
  /** wlmscpfs reads every file for every query (seconds each): fewer. */
  readonly wlmscpfs: KindLimits;
  readonly findscuStudy: number;
  readonly findscuWorklist: number;
  readonly findscuWlmscpfs: number;
}

// 50 warm-up queries per kind for every SCP: a freshly started server (Portico's JIT and SQLite cache, Orthanc's
// caches) answers its first few dozen queries 2-4x slower; the targets are about a server that has been running.
const FULL: Plan = {
  study: { warmup: 50, count: 200, ms: 20_000 },
  worklist: { warmup: 50, count: 200, ms: 30_000 },
  wlmscpfs: { warmup: 1, count: 8, ms: 40_000 },
  findscuStudy: 50,
  findscuWorklist: 50,
  findscuWlmscpfs: 3,
};
const QUICK: Plan = {
  study: { warmup: 2, count: 30, ms: 10_000 },
  worklist: { warmup: 2, count: 30, ms: 10_000 },
  wlmscpfs: { warmup: 0, count: 2, ms: 10_000 },
  findscuStudy: 10,
  findscuWorklist: 10,
  findscuWlmscpfs: 1,
};

/** Orthanc is loaded for this long (new chunks start until then); Portico then gets exactly what Orthanc took. */
const ORTHANC_BUDGET_MS = 70_000;
const LOAD_PARALLEL = 4;

const log = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const n = (x: number): string => x.toLocaleString('en-US');
const s1 = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

// -- Data -----------------------------------------------------------------------------------------------------------------

interface Step {
  readonly record: StepRecord;
  readonly cached: boolean;
}

async function step(name: string, folder: string, make: () => Promise<StepRecord>): Promise<Step> {
  const cached = await readStep(name);
  if (cached && existsSync(join(CACHE_DIR, folder))) {
    log(`  ${name}: cached (made ${cached.madeAt})`);
    return { record: cached, cached: true };
  }
  log(`  ${name}: making…`);
  const t0 = performance.now();
  const record = await make();
  log(`  ${name}: made in ${s1(performance.now() - t0)}`);
  return { record, cached: false };
}

/** Orthanc loaded for ORTHANC_BUDGET_MS in CACHE_DIR/orthanc (redone when the Orthanc version differs). */
async function orthancStep(chunks: readonly SmallChunk[], orthancVersion: string): Promise<Step> {
  const cached = await readStep('orthanc');
  const final = join(CACHE_DIR, 'orthanc');
  if (cached && cached.facts.orthanc === orthancVersion && cached.facts.budgetMs === ORTHANC_BUDGET_MS && existsSync(final)) {
    log(`  orthanc: cached (made ${cached.madeAt}: ${n(Number(cached.facts.instances))} instances)`);
    return { record: cached, cached: true };
  }
  const dir = `${final}.part`;
  await rm(dir, { recursive: true, force: true });
  await rm(final, { recursive: true, force: true });
  log(`  orthanc: loading with ${LOAD_PARALLEL} storescu at once for ${ORTHANC_BUDGET_MS / 1000} s…`);
  const server = await startOrthanc(dir);
  try {
    const load = await loadChunks(server, chunks.map((c) => c.files), LOAD_PARALLEL, ORTHANC_BUDGET_MS, log);
    if (load.errors.length) throw new Error(`loading Orthanc: ${load.errors.slice(0, 3).join('; ')}`);
    const expected = chunks.slice(0, load.sent).reduce((a, c) => a + c.files.length, 0);
    const count = await server.count();
    if (count !== expected) throw new Error(`Orthanc holds ${count} instances, ${expected} were sent`);
    await server.stop();
    await rename(dir, final);
    const studies = chunks.slice(0, load.sent).reduce((a, c) => a + c.studies, 0);
    const all = load.sent === chunks.length ? 'all' : 'budget';
    log(`  orthanc: ${n(count)} instances (${n(studies)} studies) in ${s1(load.ms)}${all === 'all' ? ' — every chunk of the plan: the plan, not Orthanc, set the size' : ''}`);
    return { record: await writeStep('orthanc', { load: load.ms }, { instances: count, chunks: load.sent, studies, orthanc: orthancVersion, budgetMs: ORTHANC_BUDGET_MS, limit: all }), cached: false };
  } finally {
    await server.stop();
  }
}

/** The same chunks to a fresh `portico serve` (CACHE_DIR/archive-eq); redone when Orthanc took another number of chunks. */
async function porticoEqStep(bin: string, chunks: readonly SmallChunk[]): Promise<Step> {
  const cached = await readStep('archive-eq');
  const final = join(CACHE_DIR, 'archive-eq');
  if (cached && cached.facts.chunks === chunks.length && existsSync(final)) {
    log(`  archive-eq: cached (made ${cached.madeAt})`);
    return { record: cached, cached: true };
  }
  const dir = `${final}.part`;
  await rm(dir, { recursive: true, force: true });
  await rm(final, { recursive: true, force: true });
  log(`  archive-eq: sending the same ${n(chunks.length)} chunks to portico serve with ${LOAD_PARALLEL} storescu at once…`);
  const server = await startPorticoServe(bin, dir);
  let load;
  try {
    load = await loadChunks(server, chunks.map((c) => c.files), LOAD_PARALLEL, Number.POSITIVE_INFINITY, log);
  } finally {
    await server.stop();
  }
  if (load.errors.length) throw new Error(`loading Portico: ${load.errors.slice(0, 3).join('; ')}`);
  const index = await Archive.openIndex(dir);
  const counts = await index.counts();
  await index.close();
  const expected = chunks.reduce((a, c) => a + c.files.length, 0);
  if (counts.instances !== expected) throw new Error(`Portico holds ${counts.instances} instances, ${expected} were sent`);
  await rename(dir, final);
  log(`  archive-eq: ${n(counts.instances)} instances in ${s1(load.ms)}`);
  return { record: await writeStep('archive-eq', { load: load.ms }, { ...counts, chunks: chunks.length }), cached: false };
}

// -- Measuring one SCP ----------------------------------------------------------------------------------------------------

interface Work {
  readonly model: Model;
  readonly kind: KindId;
  readonly specs: readonly QuerySpec[];
  readonly limits: KindLimits;
}

async function measureScp(id: string, label: string, holds: string, start: () => Promise<Server>, work: readonly Work[], findscu: (server: Server) => Promise<FindscuRun[]>): Promise<{ scp: ScpRun; findscu: FindscuRun[] }> {
  let server: Server | undefined;
  const client = new QueryClient();
  try {
    server = await start();
    gc();
    await sleep(300);
    const memory = watchMemory(server.pid);
    const cpu0 = server.cpuMs();
    const runs: KindRun[] = [];
    for (const model of ['study', 'worklist'] as const) {
      for (const w of work.filter((x) => x.model === model)) {
        const run = await client.runKind(server, model, w.specs, w.limits);
        runs.push(run);
        const ok = run.times.filter((t) => t.error === undefined).map((t) => t.ms).sort((a, b) => a - b);
        const failed = run.times.length - ok.length;
        const p = (q: number): number => ok[Math.min(ok.length - 1, Math.max(0, Math.ceil(q * ok.length) - 1))] ?? Number.NaN;
        log(`  ${label.padEnd(18)} ${w.kind.padEnd(10)} ${String(ok.length).padStart(4)} queries  p50 ${fmtMs(p(0.5)).padStart(6)} ms  p99 ${fmtMs(p(0.99)).padStart(6)} ms  max ${fmtMs(ok[ok.length - 1] ?? Number.NaN).padStart(6)} ms${failed ? `  ${failed} FAILED: ${run.times.find((t) => t.error)?.error ?? ''}` : ''}`);
      }
      await client.closeAssociation();
    }
    const cpuMs = server.cpuMs() - cpu0;
    const mem = memory.stop();
    const orientation = await findscu(server);
    return { scp: { id, label, holds, runs, rssIdleMB: mem.idleKb / 1024, rssPeakMB: mem.peakKb / 1024, cpuMs }, findscu: orientation };
  } catch (error) {
    const tail = server?.tail().slice(-300) ?? '';
    log(`  ${label}: FAILED: ${errorText(error)}${tail ? ` | ${tail}` : ''}`);
    return { scp: { id, label, holds, runs: [], error: errorText(error) }, findscu: [] };
  } finally {
    await client.stop();
    await server?.stop();
  }
}

const STUDY_FINDSCU_KEYS = ['PatientName', 'PatientID', 'StudyDate', 'StudyTime', 'StudyInstanceUID', 'StudyDescription', 'ModalitiesInStudy', 'NumberOfStudyRelatedInstances'];

async function findscuStudy(server: Server, label: string, spec: QuerySpec | undefined, repeat: number): Promise<FindscuRun[]> {
  if (!spec) return [];
  const keys = ['QueryRetrieveLevel=STUDY', `AccessionNumber=${spec.param}`, ...STUDY_FINDSCU_KEYS];
  const r = await findscuRepeat(server, 'study', keys, repeat, 120_000);
  const ok = r.code === 0 && !/^E: /m.test(r.stderr);
  return [{ scp: label, query: `AccessionNumber=${spec.param}`, repeat, ms: r.ms, ok, note: ok ? 'process start + association included' : r.stderr.slice(0, 120) }];
}

async function findscuWorklist(server: Server, label: string, spec: QuerySpec | undefined, repeat: number): Promise<FindscuRun[]> {
  if (!spec) return [];
  const [date, modality, station] = spec.param.split(' ');
  const sps = 'ScheduledProcedureStepSequence[0]';
  const keys = [
    'PatientName', 'PatientID', 'AccessionNumber', 'StudyInstanceUID', 'RequestedProcedureID', `${sps}.ScheduledProcedureStepStartDate=${date}`,
    `${sps}.Modality=${modality}`, `${sps}.ScheduledStationAETitle=${station}`, `${sps}.ScheduledProcedureStepStartTime`, `${sps}.ScheduledProcedureStepID`,
    `${sps}.ScheduledProcedureStepDescription`,
  ];
  const r = await findscuRepeat(server, 'worklist', keys, repeat, 300_000);
  const ok = r.code === 0 && !/^E: /m.test(r.stderr);
  return [{ scp: label, query: spec.param, repeat, ms: r.ms, ok, note: ok ? 'process start + association included' : r.stderr.slice(0, 120) }];
}

// -- The benchmark --------------------------------------------------------------------------------------------------------

const held = (plan: ArchivePlan, studies: number): { instances: number; patients: number } => {
  const list = plan.studies.slice(0, studies);
  return { instances: list.reduce((a, s) => a + s.series.reduce((b, x) => b + x.instances, 0), 0), patients: new Set(list.map((s) => s.patient)).size };
};

export async function runQueryBench(options: QueryBenchOptions): Promise<void> {
  const startedAt = new Date();
  const plan = options.quick ? QUICK : FULL;
  const base = await mkdtemp(join(tmpdir(), 'portico-bench-query-'));
  log(`# Query benchmark (${startedAt.toISOString()})`);
  const m = machine();
  log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`);
  const orthancVersion = existsSync(ORTHANC_BIN) ? versionOf(ORTHANC_BIN, ['--version']) : 'not installed';
  const versions = { findscu: versionOf('findscu', ['--version']), wlmscpfs: versionOf('wlmscpfs', ['--version']), orthanc: orthancVersion };
  log(`peers: ${versions.findscu}; ${versions.wlmscpfs}; ${versions.orthanc}`);
  const loadAtStart = loadavg();
  log(`load average at start: ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}`);
  try {
    const bin = await snapshotPortico(join(base, 'portico'));
    const built = (await stat(fileURLToPath(new URL('../src/cli/main.js', import.meta.url)))).mtime;
    log(`Portico under test: a copy of dist/ (built ${built.toISOString()}) made at start, ${bin}`);

    // -- Data ------------------------------------------------------------------------------------------------------------
    log(`\ndata (generator v${GENERATOR_VERSION}, cache ${CACHE_DIR}):`);
    const big = bigPlan();
    const small = smallPlan();
    const rows = worklistRows();
    const archive1m = await step('archive-1m', 'archive-1m', () => makeBigArchive(big, rows, log));
    const wl = await step('wlmscpfs', 'wlmscpfs', () => makeWlFiles(rows));
    const smallFiles = await step('small', 'small', () => makeSmallFiles(small));
    const chunks = await smallChunks(small);
    const orthancData = await orthancStep(chunks, orthancVersion);
    const loadedChunks = Number(orthancData.record.facts.chunks);
    const porticoEqData = await porticoEqStep(bin, chunks.slice(0, loadedChunks));
    const eqStudies = Math.min(small.studies.length, loadedChunks * SMALL.chunkStudies);
    const eq = held(small, eqStudies);
    const indexBytes = (await stat(join(CACHE_DIR, 'archive-1m', 'index.sqlite'))).size;

    // -- Queries ---------------------------------------------------------------------------------------------------------
    const bigSpecs = studyQueries(big, big.studies.length, plan.study.count, 11);
    const eqSpecs = studyQueries(small, eqStudies, plan.study.count, 21);
    const wlSpecs = worklistQueries(rows, plan.worklist.count, 31);
    const imageKinds: KindId[] = ['image', 'image-file'];
    const studyWork = (specs: Record<KindId, QuerySpec[]>): Work[] =>
      [...STUDY_KINDS, ...imageKinds].map((kind) => ({ model: 'study' as const, kind, specs: specs[kind], limits: plan.study }));
    log(`\nqueries: ${plan.study.count} per kind (at most ${plan.study.ms / 1000} s) after ${plan.study.warmup} warm-up, one association per SCP and model; wlmscpfs: ${plan.wlmscpfs.count} after ${plan.wlmscpfs.warmup}`);
    const prefixes = new Set(bigSpecs.name.map((q) => q.param));
    log(`  PatientName prefixes (1M): ${prefixes.size} distinct, ${Math.min(...bigSpecs.name.map((q) => q.expected))}–${Math.max(...bigSpecs.name.map((q) => q.expected))} matches; date ranges: ${Math.min(...bigSpecs.date.map((q) => q.expected))}–${Math.max(...bigSpecs.date.map((q) => q.expected))} matches; worklist: ${Math.min(...wlSpecs.map((q) => q.expected))}–${Math.max(...wlSpecs.map((q) => q.expected))} items`);

    const scps: ScpRun[] = [];
    const findscuRuns: FindscuRun[] = [];
    const bigHolds = `${n(BIG.instances)} instances, ${n(BIG.studies)} studies; ${n(BIG.worklist)} worklist entries`;
    const eqHolds = `${n(eq.instances)} instances, ${n(eqStudies)} studies`;

    // Portico at 1M: a copy of the cached folder, so every run starts from the same state.
    log('\nPortico, 1M instances (copying the data folder)…');
    const p1m = join(base, 'archive-1m');
    await cp(join(CACHE_DIR, 'archive-1m'), p1m, { recursive: true });
    {
      const work: Work[] = [...studyWork(bigSpecs), { model: 'worklist', kind: 'worklist', specs: wlSpecs, limits: plan.worklist }];
      const r = await measureScp('portico-1m', 'Portico 1M', bigHolds, () => startPorticoServe(bin, p1m), work, async (server) => [
        ...(await findscuStudy(server, 'Portico 1M', bigSpecs.accession[0], plan.findscuStudy)),
        ...(await findscuWorklist(server, 'Portico 1M (MWL)', wlSpecs[0], plan.findscuWorklist)),
      ]);
      scps.push(r.scp);
      findscuRuns.push(...r.findscu);
    }
    await rm(p1m, { recursive: true, force: true });

    log(`\nOrthanc and Portico at equal size (${eqHolds}):`);
    {
      const r = await measureScp('orthanc-eq', 'Orthanc', eqHolds, () => startOrthanc(join(CACHE_DIR, 'orthanc')), studyWork(eqSpecs), (server) =>
        findscuStudy(server, 'Orthanc', eqSpecs.accession[0], plan.findscuStudy));
      scps.push(r.scp);
      findscuRuns.push(...r.findscu);
    }
    {
      const r = await measureScp('portico-eq', 'Portico', eqHolds, () => startPorticoServe(bin, join(CACHE_DIR, 'archive-eq')), studyWork(eqSpecs), (server) =>
        findscuStudy(server, 'Portico', eqSpecs.accession[0], plan.findscuStudy));
      scps.push(r.scp);
      findscuRuns.push(...r.findscu);
    }

    log(`\nwlmscpfs (${n(BIG.worklist)} .wl files):`);
    {
      const r = await measureScp('wlmscpfs', 'wlmscpfs', `${n(BIG.worklist)} .wl files`, () => startWlmscpfs(join(CACHE_DIR, 'wlmscpfs')),
        [{ model: 'worklist', kind: 'worklist', specs: wlSpecs, limits: plan.wlmscpfs }], (server) => findscuWorklist(server, 'wlmscpfs', wlSpecs[0], plan.findscuWlmscpfs));
      scps.push(r.scp);
      findscuRuns.push(...r.findscu);
    }
    const loadAtEnd = loadavg();

    // -- Tables ----------------------------------------------------------------------------------------------------------
    const made = (st: Step, what: string): string => (st.cached ? `${what} (cached; made ${st.record.madeAt.slice(0, 16).replace('T', ' ')} UTC)` : `${what} (this run)`);
    log('\n## Data\n');
    log(table(['data', 'size', 'made / loaded in'], [
      ['Portico index, 1M (rows through `SqliteArchiveIndex.indexInstances`, batches of 20,000)',
        `${n(Number(archive1m.record.facts.instances))} instances, ${n(Number(archive1m.record.facts.series))} series, ${n(Number(archive1m.record.facts.studies))} studies, ${n(Number(archive1m.record.facts.patients))} patients; index.sqlite ${(indexBytes / 1e6).toFixed(0)} MB`,
        made(archive1m, s1(archive1m.record.ms.indexInstances ?? Number.NaN))],
      ['Portico worklist (`SqliteWorklistStore.add`, batches of 5,000), same database', `${n(Number(archive1m.record.facts.worklist))} entries`, made(archive1m, s1(archive1m.record.ms.worklistAdd ?? Number.NaN))],
      ['wlmscpfs `.wl` files (`writeDicom`)', `${n(Number(wl.record.facts.files))} files, ${(Number(wl.record.facts.bytes) / 1e6).toFixed(0)} MB`, made(wl, s1(wl.record.ms.write ?? Number.NaN))],
      ['small files for the equal-size sets (32×32)', `${n(Number(smallFiles.record.facts.files))} files in ${n(chunks.length)} chunks of ${SMALL.chunkStudies} studies`, made(smallFiles, s1(smallFiles.record.ms.write ?? Number.NaN))],
      [`Orthanc ${orthancVersion.replace(/^.*Orthanc\s*/, '')} (SQLite, default config): storescu ×${LOAD_PARALLEL} for a ${ORTHANC_BUDGET_MS / 1000} s budget`,
        `${n(Number(orthancData.record.facts.instances))} instances, ${n(eqStudies)} studies, ${n(eq.patients)} patients${orthancData.record.facts.limit === 'all' ? ' (the whole plan: the plan set the limit)' : ''}`,
        made(orthancData, s1(orthancData.record.ms.load ?? Number.NaN))],
      ['Portico `portico serve`: the same chunks, storescu ×4', `${n(Number(porticoEqData.record.facts.instances))} instances`, made(porticoEqData, s1(porticoEqData.record.ms.load ?? Number.NaN))],
    ]));

    log('\n## Latency of one C-FIND (ms; Portico library client, one association, send → final response)\n');
    log(latencyTable(scps, [...STUDY_KINDS, ...imageKinds, 'worklist']));
    log('\n## Portico vs Orthanc at equal size (Orthanc time ÷ Portico time)\n');
    const porticoEq = scps.find((s) => s.id === 'portico-eq');
    const orthancEq = scps.find((s) => s.id === 'orthanc-eq');
    log(ratioTable(porticoEq, orthancEq, [...STUDY_KINDS, ...imageKinds]));
    log('\n## Servers during their queries\n');
    log(table(['SCP (holding)', 'RSS idle MB', 'RSS peak MB', 'CPU s over its queries'], scps.map((s) => [
      `${s.label} (${s.holds})`, Number.isFinite(s.rssIdleMB) ? (s.rssIdleMB ?? 0).toFixed(0) : '–', Number.isFinite(s.rssPeakMB) ? (s.rssPeakMB ?? 0).toFixed(0) : '–',
      s.cpuMs === undefined ? '–' : (s.cpuMs / 1000).toFixed(2),
    ])));
    log('\n## For orientation: `findscu --repeat` (one process, one association, the same query repeated)\n');
    log(findscuTable(findscuRuns));

    // -- Checks ----------------------------------------------------------------------------------------------------------
    const problems = mismatches(scps, [['portico-eq', 'orthanc-eq'], ['portico-1m', 'wlmscpfs']]);
    log('\n## Correctness (match counts against the generated data, and Portico against the peer holding the same data)\n');
    if (problems.length === 0) log('every answer had the number of matches the data says, and the same as the peer with the same data.');
    else {
      log(`**${problems.length} MISMATCH(ES)** (a bug to report, not a measurement):`);
      for (const p of problems.slice(0, 40)) log(`- ${p}`);
      if (problems.length > 40) log(`- … ${problems.length - 40} more`);
    }

    const portico1m = scps.find((s) => s.id === 'portico-1m');
    const checks: TargetCheck[] = [];
    for (const kind of STUDY_KINDS) {
      const st = statsOf(portico1m, kind);
      checks.push({
        target: `study level p99 < 50 ms at 1M instances: ${KIND_LABEL[kind].replace('study: ', '')}`,
        measured: st ? `p99 ${fmtMs(st.p99)} ms (p50 ${fmtMs(st.p50)}, max ${fmtMs(st.max)}; ${st.n} queries${st.failed ? `, ${st.failed} failed` : ''})` : 'not measured',
        pass: st !== undefined && st.failed === 0 && st.p99 < 50,
      });
    }
    for (const kind of STUDY_KINDS) {
      const a = statsOf(porticoEq, kind);
      const b = statsOf(orthancEq, kind);
      const r50 = a && b ? b.p50 / a.p50 : Number.NaN;
      const r99 = a && b ? b.p99 / a.p99 : Number.NaN;
      checks.push({
        target: `≥ 5× faster than Orthanc at equal size (${n(eq.instances)} instances): ${KIND_LABEL[kind].replace('study: ', '')}`,
        measured: a && b ? `p50 ${fmtMs(b.p50)} / ${fmtMs(a.p50)} ms = ${fmtRatio(r50)}; p99 ${fmtMs(b.p99)} / ${fmtMs(a.p99)} ms = ${fmtRatio(r99)}` : 'not measured',
        pass: r50 >= 5 && r99 >= 5 && (a?.failed ?? 1) === 0,
      });
    }
    {
      const st = statsOf(portico1m, 'worklist');
      const peer = statsOf(scps.find((s) => s.id === 'wlmscpfs'), 'worklist');
      checks.push({
        target: `worklist p99 < 20 ms at ${n(BIG.worklist)} entries`,
        measured: st ? `p99 ${fmtMs(st.p99)} ms (p50 ${fmtMs(st.p50)}; ${st.n} queries)${peer ? `; wlmscpfs p50 ${fmtMs(peer.p50)} ms` : ''}` : 'not measured',
        pass: st !== undefined && st.failed === 0 && st.p99 < 20,
      });
    }
    log(`\nload average at the end: ${loadAtEnd.map((x) => x.toFixed(2)).join(' ')}`);
    log('\n## Targets (information only; the bench does not fail on a miss)\n');
    log(queryTargetTable(checks));

    const report = {
      date: startedAt.toISOString(),
      machine: m,
      versions,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      cache: CACHE_DIR,
      generatorVersion: GENERATOR_VERSION,
      data: { archive1m: archive1m.record, wlmscpfs: wl.record, small: smallFiles.record, orthanc: orthancData.record, porticoEq: porticoEqData.record, indexBytes },
      plan,
      scps,
      findscu: findscuRuns,
      mismatches: problems,
      targets: checks,
    };
    const outDir = join(tmpdir(), 'portico-bench-results');
    await mkdir(outDir, { recursive: true });
    const outPath = join(outDir, 'query-latest.json');
    await writeFile(outPath, `${JSON.stringify(report, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
    log(`\nJSON report: ${outPath}`);
  } finally {
    if (options.keep) log(`kept ${base}`);
    else await rm(base, { recursive: true, force: true, maxRetries: 3 });
  }
}
