/**
 * Storage benchmark (`--only store`): C-STORE throughput and memory of Storage SCPs on 127.0.0.1, in one run.
 *
 * The corpus of ../shared/peers/make-corpus.sh (/tmp/peer-corpus, made when missing): 1,000 CT instances of 0.5 MB,
 * 20 multi-frame instances of 52 MB, one instance of 1.6 GB. For every measurement a FRESH SCP starts in a fresh
 * temporary folder — DCMTK `storescp` (`--fork` for parallel associations), `storescp +B` (bit-preserving), Orthanc
 * (SQLite, default configuration), `portico serve` (fsync + index before each success) — and DCMTK `storescu` sends
 * the set on one association, or as 4 `storescu` processes at once (each a quarter of the files). `portico store` is
 * measured as the SCU against `storescp`. Per measurement: wall time (spawn of the first SCU to exit of the last),
 * instances/s, MB/s (1e6 B of file size), the SCP's peak RSS (process tree, /proc every 50 ms plus VmHWM), its CPU
 * time, and the number of instances the SCP says it stored (files on disk, Orthanc /statistics, `portico ls
 * --json`), which must equal the number sent. Rounds are interleaved with the order rotated each round; the tables
 * give medians. DCMTK and Orthanc always run with TCP_NODELAY=1.
 *
 * PORTICO_BENCH_STORE_PROF=<dir>: after the timed rounds, one extra run per set with `portico serve` under
 * `node --cpu-prof`, and one of `portico store` → storescp with the SCU profiled (profiles in <dir>, summaries
 * printed; `node dist/bench/store-profile.js <dir>` prints them again). The timed rounds are never profiled.
 *
 * The Portico under test is a copy of dist/ made at the start (others may rebuild dist/ during the run). The `large`
 * set is sent with a fix-up to every SCP alike (see store-corpus.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorText } from './net-measure.js';
import { machine } from './parse.js';
import { fmtRate, fmtRatio, type TargetCheck } from './report.js';
import { withDistinctSeries } from './store-corpus.js';
import { findProfiles, profileText, summarizeProfile } from './store-profile.js';
import {
  ORTHANC_BIN, porticoStore, porticoStoreAvailable, type Scp, type ScpKind, type ScuResult, snapshotPortico, startScp, storescu, syncDisks, versionOf,
  watchMemory,
} from './store-procs.js';
import {
  caseKey, cells, ratioCheck, ratioTable, type RowSpec, roundsOf, type ScuId, type SetId, setTable, type StoreSample, storeTargetTable,
} from './store-report.js';

export interface StoreBenchOptions {
  /** One round, fewer cases: a smoke run, not a measurement. */
  readonly quick: boolean;
  /** Include the 1.6 GB instance (`--no-huge` leaves it out). */
  readonly huge: boolean;
  /** Keep the SCPs' folders of failed measurements. */
  readonly keep: boolean;
}

export const STORE_CORPUS = process.env.PORTICO_BENCH_CORPUS ?? '/tmp/peer-corpus';
const MAKE_CORPUS = fileURLToPath(new URL('../../../shared/peers/make-corpus.sh', import.meta.url));

interface CorpusSet {
  readonly id: SetId;
  /** What is sent: the corpus files, or fixed copies of some (see store-corpus.ts). */
  readonly files: readonly string[];
  /** The corpus files as make-corpus.sh wrote them. */
  readonly original: readonly string[];
  readonly bytes: number;
  readonly expected: number;
  /** What was fixed, if anything. */
  readonly note: string;
}

interface Case {
  readonly set: SetId;
  readonly par: number;
  readonly scu: ScuId;
  readonly scp: ScpKind;
}

const log = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// -- Corpus ---------------------------------------------------------------------------------------------------------------

const EXPECTED: Readonly<Record<SetId, number>> = { small: 1000, large: 20, huge: 1 };

function listDicom(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.dcm')).map((f) => join(dir, f)).sort();
}

/** Runs make-corpus.sh for the missing parts (bounded: 20 minutes). */
async function makeCorpus(parts: readonly SetId[]): Promise<void> {
  if (!existsSync(MAKE_CORPUS)) throw new Error(`corpus missing in ${STORE_CORPUS} and ${MAKE_CORPUS} not found`);
  log(`making the corpus (${parts.join(', ')}) with ${MAKE_CORPUS} ${STORE_CORPUS}…`);
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn('bash', [MAKE_CORPUS, STORE_CORPUS, ...parts], { stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 20 * 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise();
      else reject(new Error(`make-corpus.sh exited with ${code}`));
    });
  });
}

async function loadCorpus(ids: readonly SetId[]): Promise<CorpusSet[]> {
  const missing = ids.filter((id) => listDicom(join(STORE_CORPUS, id)).length !== EXPECTED[id]);
  if (missing.length) await makeCorpus(missing);
  const sets: CorpusSet[] = [];
  for (const id of ids) {
    const files = listDicom(join(STORE_CORPUS, id));
    if (files.length !== EXPECTED[id]) throw new Error(`${STORE_CORPUS}/${id}: ${files.length} files, expected ${EXPECTED[id]}`);
    let bytes = 0;
    for (const f of files) bytes += (await stat(f)).size;
    const fixDir = join(tmpdir(), 'portico-bench-store-corpus', id);
    await mkdir(fixDir, { recursive: true });
    const fixed = await withDistinctSeries(files, fixDir);
    sets.push({ id, files: fixed.files, original: files, bytes, expected: files.length, note: fixed.note });
  }
  return sets;
}

/**
 * Reads every file once, so that the SCU finds its files in the page cache. Done before each measurement, not once
 * at the start: this VM's page cache is emptied from outside within a minute (1 GB cached right after a read, 150 MB
 * 45 s later), so each SCU found a different part of the corpus on disk. `portico store` measured 0.77× storescu
 * that way, and 1.01–1.15× in alternating runs with the corpus evicted before each.
 */
async function warmPageCache(files: readonly string[]): Promise<void> {
  const buffer = Buffer.allocUnsafe(8 << 20);
  for (const f of files) {
    const handle = await open(f, 'r');
    try {
      for (let i = 0; i < 1_000_000; i++) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
      }
    } finally {
      await handle.close();
    }
  }
}

/** Round-robin split into `n` lists (as `split -n r/N` in bench-store.sh). */
const split = (files: readonly string[], n: number): string[][] =>
  Array.from({ length: n }, (_, k) => files.filter((_, i) => i % n === k));

// -- One measurement ------------------------------------------------------------------------------------------------------

const SCU_TIMEOUT_MS: Readonly<Record<SetId, number>> = { small: 180_000, large: 300_000, huge: 300_000 };

interface MeasureContext {
  readonly base: string;
  readonly keep: boolean;
  /** Node flags for `portico serve` (--cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** Node flags for `portico store`. */
  readonly scuNodeArgs?: readonly string[];
}

async function measure(c: Case, set: CorpusSet, round: number, ctx: MeasureContext, files: readonly string[] = set.files): Promise<StoreSample> {
  const work = await mkdtemp(join(ctx.base, `${c.set}-x${c.par}-${c.scu}-${c.scp}-`));
  const lists = split(files, c.par);
  const bytes = files.length === set.files.length ? set.bytes : Number.NaN;
  let scp: Scp | undefined;
  let failed = false;
  const id = c.scp.startsWith('storescp') && c.par > 1 ? `${c.scp}-fork` : c.scp;
  const base = { set: c.set, par: c.par, scu: c.scu, scp: id, round, files: files.length, bytes };
  try {
    await warmPageCache(files);
    scp = await startScp(c.scp, { workDir: work, fork: c.par > 1, nodeArgs: ctx.nodeArgs });
    gc();
    await sleep(300); // idle sample after start-up, and let start-up work (Orthanc's, the JIT's) settle
    const memory = watchMemory(scp.pid);
    const cpu0 = scp.cpuMs();
    const t0 = performance.now();
    const send = (l: readonly string[], i: number): Promise<ScuResult> =>
      c.scu === 'storescu'
        ? storescu(scp!, l, SCU_TIMEOUT_MS[c.set], join(work, `scu-${i}.time`))
        : porticoStore(scp!, l, SCU_TIMEOUT_MS[c.set], join(work, `scu-${i}.time`), ctx.scuNodeArgs);
    const results: ScuResult[] = await Promise.all(lists.map(send));
    const wallMs = performance.now() - t0;
    // storescp --fork children end just after the release: let them be reaped, so their CPU counts.
    if (c.par > 1) await sleep(300);
    const scpCpuMs = scp.cpuMs() - cpu0;
    const mem = memory.stop();
    let stored = Number.NaN;
    let countError: string | undefined;
    const count = async (): Promise<void> => {
      try {
        stored = await scp!.count();
      } catch (error) {
        countError = `count: ${errorText(error)}`;
      }
    };
    if (scp.countWhileRunning) await count();
    await scp.stop();
    if (!scp.countWhileRunning) await count();
    const scuErrors = results.flatMap((r, i) => {
      const errs: string[] = [];
      const said = (r.stderr.split('\n').find((l) => /^E: |error|fail/i.test(l)) ?? (r.stderr.trim() || r.stdout.trim().slice(-200))).slice(0, 200);
      if (r.code !== 0) errs.push(`SCU ${i} exit ${r.code}${said ? `: ${said}` : ''}`);
      else if (c.scu === 'storescu' && /^E: /m.test(r.stderr)) errs.push(`SCU ${i}: ${r.stderr.split('\n').find((l) => l.startsWith('E: '))}`);
      return errs;
    });
    const error = scuErrors[0] ?? countError ?? (stored !== files.length ? `stored ${stored} of ${files.length}` : undefined);
    failed = error !== undefined;
    const mb = (kb: number): number => kb / 1024;
    return {
      ...base,
      wallMs,
      instPerS: (1000 * files.length) / wallMs,
      mbPerS: bytes / 1e3 / wallMs,
      scpIdleMB: mb(mem.idleKb),
      scpPeakMB: mb(mem.peakKb),
      scpCpuMs,
      scuPeakMB: Math.max(...results.map((r) => mb(r.peakRssKb))),
      scuCpuMs: results.reduce((s, r) => s + r.cpuMs, 0),
      stored,
      ok: !failed,
      ...(error ? { error } : {}),
    };
  } catch (error) {
    failed = true;
    const tail = scp?.tail().slice(-300) ?? '';
    return {
      ...base, wallMs: Number.NaN, instPerS: Number.NaN, mbPerS: Number.NaN, scpIdleMB: Number.NaN, scpPeakMB: Number.NaN, scpCpuMs: Number.NaN,
      scuPeakMB: Number.NaN, scuCpuMs: Number.NaN, stored: Number.NaN, ok: false, error: `${errorText(error)}${tail ? ` | SCP: ${tail}` : ''}`,
    };
  } finally {
    await scp?.stop().catch(() => undefined);
    if (failed && ctx.keep) log(`    kept ${work}`);
    else await rm(work, { recursive: true, force: true, maxRetries: 3 });
    syncDisks();
  }
}

// -- Plan -----------------------------------------------------------------------------------------------------------------

const SCPS: readonly ScpKind[] = ['storescp', 'storescp-bp', 'orthanc', 'portico'];

function plan(options: StoreBenchOptions, withPorticoStore: boolean): { blocks: Case[][]; rounds: number; hugeRounds: number } {
  const small1: Case[] = SCPS.map((scp) => ({ set: 'small', par: 1, scu: 'storescu', scp }));
  if (withPorticoStore) {
    small1.push({ set: 'small', par: 1, scu: 'portico-store', scp: 'storescp' });
    if (!options.quick) small1.push({ set: 'small', par: 1, scu: 'portico-store', scp: 'portico' });
  }
  const small4: Case[] = SCPS.map((scp) => ({ set: 'small', par: 4, scu: 'storescu', scp }));
  const large1: Case[] = SCPS.map((scp) => ({ set: 'large', par: 1, scu: 'storescu', scp }));
  if (withPorticoStore) large1.push({ set: 'large', par: 1, scu: 'portico-store', scp: 'storescp' });
  const huge: Case[] = options.huge ? SCPS.map((scp) => ({ set: 'huge', par: 1, scu: 'storescu', scp })) : [];
  return { blocks: [small1, small4, large1, huge].filter((b) => b.length), rounds: options.quick ? 1 : 3, hugeRounds: 1 };
}

const scuLabel = (scu: ScuId, par: number): string => (scu === 'storescu' ? (par > 1 ? `storescu ×${par}` : 'storescu') : '`portico store`');
const scpLabel = (id: string): string =>
  ({
    storescp: 'storescp', 'storescp-fork': 'storescp --fork', 'storescp-bp': 'storescp +B', 'storescp-bp-fork': 'storescp --fork +B', orthanc: 'Orthanc', portico: 'Portico',
  })[id] ?? id;

// -- The benchmark --------------------------------------------------------------------------------------------------------

export async function runStoreBench(options: StoreBenchOptions): Promise<void> {
  const startedAt = new Date();
  const base = await mkdtemp(join(tmpdir(), 'portico-bench-store-'));
  const profDir = process.env.PORTICO_BENCH_STORE_PROF ? resolve(process.env.PORTICO_BENCH_STORE_PROF) : undefined;
  log(`# Storage benchmark (${startedAt.toISOString()})`);
  const m = machine();
  log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`);
  const versions = {
    storescp: versionOf('storescp', ['--version']),
    orthanc: existsSync(ORTHANC_BIN) ? versionOf(ORTHANC_BIN, ['--version']) : 'not installed',
  };
  log(`peers: ${versions.storescp}; ${versions.orthanc}`);
  const loadAtStart = loadavg();
  log(`load average at start: ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}`);
  try {
    const bin = await snapshotPortico(join(base, 'portico'));
    const built = (await stat(fileURLToPath(new URL('../src/cli/main.js', import.meta.url)))).mtime;
    log(`Portico under test: a copy of dist/ (built ${built.toISOString()}) made at start, ${bin}`);
    const withPorticoStore = porticoStoreAvailable();
    if (!withPorticoStore) log('TODO: `portico store` is not available in this build: "portico store → storescp vs storescu → storescp" is not measured.');
    const { blocks, rounds, hugeRounds } = plan(options, withPorticoStore);
    const setIds = [...new Set(blocks.flat().map((c) => c.set))];
    const sets = await loadCorpus(setIds);
    const setOf = (id: SetId): CorpusSet => sets.find((s) => s.id === id)!;
    for (const s of sets) {
      log(`set ${s.id}: ${s.files.length} files, ${(s.bytes / 1e6).toFixed(1)} MB (${STORE_CORPUS}/${s.id})`);
      if (s.note) log(`  note: ${s.note} (for every SCP alike)`);
    }
    log(`timing: ${rounds} interleaved round(s) (huge: ${hugeRounds}), a fresh SCP in a fresh folder (${base}) per measurement, medians; the SCU's files read once just before each, sync after each`);

    // Warm-up (not recorded): each SCP once with 20 small files, so binaries and libraries are in the page cache.
    log('\nwarming up…');
    const small = setOf('small');
    for (const scp of SCPS) {
      const w = await measure({ set: 'small', par: 1, scu: 'storescu', scp }, small, 0, { base, keep: false }, small.files.slice(0, 20));
      if (!w.ok) log(`  warm-up ${scp} FAILED: ${w.error ?? ''}`);
    }

    // The corpus as made, to Portico once (not in the tables): does it still refuse a series UID shared by two studies?
    const originalProbes: StoreSample[] = [];
    for (const s of sets.filter((x) => x.note)) {
      const p = await measure({ set: s.id, par: 1, scu: 'storescu', scp: 'portico' }, s, 0, { base, keep: false }, s.original);
      originalProbes.push(p);
      log(`  ${s.id} as made by make-corpus.sh → Portico: stored ${p.stored} of ${s.original.length}${p.error ? ` (${p.error.slice(0, 120)})` : ''}`);
    }

    const samples: StoreSample[] = [];
    const ctx: MeasureContext = { base, keep: options.keep };
    for (let r = 0; r < Math.max(rounds, hugeRounds); r++) {
      for (const block of blocks) {
        const isHuge = block[0]!.set === 'huge';
        if (r >= (isHuge ? hugeRounds : rounds)) continue;
        for (let k = 0; k < block.length; k++) {
          const c = block[(k + r) % block.length]!;
          const s = await measure(c, setOf(c.set), r + 1, ctx);
          samples.push(s);
          const what = `${scuLabel(c.scu, c.par)} → ${scpLabel(s.scp)}`;
          log(
            `  [round ${r + 1}] ${c.set.padEnd(5)} ${what.padEnd(30)} ` +
              (s.ok
                ? `${fmtRate(s.instPerS).padStart(7)} inst/s ${fmtRate(s.mbPerS).padStart(6)} MB/s  ${(s.wallMs / 1000).toFixed(2)} s  SCP peak ${s.scpPeakMB.toFixed(0)} MB, CPU ${(s.scpCpuMs / 1000).toFixed(2)} s  stored ${s.stored}`
                : `FAILED: ${s.error ?? ''}`),
          );
        }
      }
    }

    // -- Tables --------------------------------------------------------------------------------------------------------
    const all = cells(samples);
    const rowsFor = (set: SetId, par: number): RowSpec[] =>
      [...all.values()].filter((c) => c.set === set && c.par === par).map((c) => ({ scu: c.scu, scp: c.scp, label: `${scuLabel(c.scu, par)} → ${scpLabel(c.scp)}` }));
    const sizeOf = (id: SetId): string => {
      const s = sets.find((x) => x.id === id);
      return s ? `${s.files.length} × ${(s.bytes / s.files.length / 1e6).toFixed(s.id === 'small' ? 2 : 1)} MB` : '';
    };
    const sections: [SetId, number, string][] = [
      ['small', 1, `small (${sizeOf('small')}), one association`],
      ['small', 4, `small (${sizeOf('small')}), 4 storescu processes at once (a quarter of the files each)`],
      ['large', 1, `large (${sizeOf('large')}), one association`],
      ['huge', 1, `huge (${sizeOf('huge')}), one association`],
    ];
    for (const [set, par, title] of sections) {
      const rows = rowsFor(set, par);
      if (!rows.length) continue;
      log(`\n## ${title}\n`);
      log(setTable(all, set, par, rows, set === 'small'));
    }
    log('\ninst/s and MB/s: median of the rounds (range over rounds in brackets); MB = 1e6 B of file size. SCP peak RSS: process tree,');
    log('/proc every 50 ms and VmHWM, median of the rounds. SCP CPU: utime + stime (+ children for --fork) during the transfer.');
    log('\n## Portico / peer (medians; throughput > 1 is better for Portico, RSS and CPU < 1)\n');
    log(ratioTable(all, [
      { set: 'small', par: 1, label: 'small, 1 assoc.', peers: ['storescp', 'storescp-bp', 'orthanc'] },
      { set: 'small', par: 4, label: 'small, 4 assoc.', peers: ['storescp-fork', 'storescp-bp-fork', 'orthanc'] },
      { set: 'large', par: 1, label: 'large, 1 assoc.', peers: ['storescp', 'storescp-bp', 'orthanc'] },
      { set: 'huge', par: 1, label: 'huge, 1 assoc.', peers: ['storescp', 'storescp-bp', 'orthanc'] },
    ]));

    // -- Targets -------------------------------------------------------------------------------------------------------
    const inst = (c: { instPerS: number }): number => c.instPerS;
    const mbps = (c: { mbPerS: number }): number => c.mbPerS;
    const spread = (set: SetId, par: number, scu: ScuId, scp: string, f: (s: StoreSample) => number): string => {
      const xs = roundsOf(samples, set, par, scu, scp, f);
      return xs.length > 1 ? ` (Portico rounds ${fmtRate(Math.min(...xs))}–${fmtRate(Math.max(...xs))})` : '';
    };
    const withSpread = (check: TargetCheck, extra: string): TargetCheck => ({ ...check, measured: check.measured + extra });
    const checks: TargetCheck[] = [
      withSpread(
        ratioCheck(all, '≥ 0.8× storescp inst/s, 1,000 × 0.5 MB, one association', ['small', 1, 'storescu', 'portico'], ['small', 1, 'storescu', 'storescp'], inst, 'inst/s', 0.8),
        spread('small', 1, 'storescu', 'portico', (s) => s.instPerS),
      ),
      ratioCheck(all, '≥ 2.5× Orthanc inst/s, 1,000 × 0.5 MB, one association', ['small', 1, 'storescu', 'portico'], ['small', 1, 'storescu', 'orthanc'], inst, 'inst/s', 2.5),
      withSpread(
        ratioCheck(all, '≥ 1.0× storescp (--fork) inst/s, 4 associations', ['small', 4, 'storescu', 'portico'], ['small', 4, 'storescu', 'storescp-fork'], inst, 'inst/s', 1.0),
        spread('small', 4, 'storescu', 'portico', (s) => s.instPerS),
      ),
      withSpread(
        ratioCheck(all, '50 MB instances ≥ 0.7× storescp +B MB/s', ['large', 1, 'storescu', 'portico'], ['large', 1, 'storescu', 'storescp-bp'], mbps, 'MB/s', 0.7),
        spread('large', 1, 'storescu', 'portico', (s) => s.mbPerS),
      ),
    ];
    {
      const huge = all.get(caseKey('huge', 1, 'storescu', 'portico'));
      checks.push(
        huge
          ? {
            target: '1.6 GB instance: Portico peak RSS < 150 MB',
            measured: `${huge.maxScpPeakMB.toFixed(0)} MB${huge.ok ? '' : ` (transfer FAILED: ${huge.error?.slice(0, 80) ?? ''})`}`,
            pass: huge.ok > 0 && huge.maxScpPeakMB < 150,
          }
          : { target: '1.6 GB instance: Portico peak RSS < 150 MB', measured: 'not measured (--no-huge)', pass: false },
      );
    }
    checks.push(
      withPorticoStore
        ? withSpread(
          ratioCheck(all, '`portico store` → storescp ≥ 1.0× storescu → storescp (small, one association)', ['small', 1, 'portico-store', 'storescp'], ['small', 1, 'storescu', 'storescp'], inst, 'inst/s', 1.0),
          spread('small', 1, 'portico-store', 'storescp', (s) => s.instPerS),
        )
        : { target: '`portico store` → storescp ≥ 1.0× storescu → storescp', measured: 'TODO: `portico store` not available in this build', pass: false },
    );
    log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    log('\n## Targets (information only; the bench does not fail on a miss)\n');
    log(storeTargetTable(checks));
    log(`\nratio of the medians; ${fmtRatio(1)} = equal.`);

    // -- Optional profile ----------------------------------------------------------------------------------------------
    const profiles: { case: string; summary: ReturnType<typeof summarizeProfile> }[] = [];
    if (profDir) {
      log(`\n## Profile of \`portico serve\` (node --cpu-prof, one extra run per set, not timed above; ${profDir})\n`);
      const profiled: Case[] = [
        { set: 'small', par: 1, scu: 'storescu', scp: 'portico' },
        { set: 'small', par: 4, scu: 'storescu', scp: 'portico' },
        { set: 'large', par: 1, scu: 'storescu', scp: 'portico' },
        ...(options.huge ? [{ set: 'huge', par: 1, scu: 'storescu', scp: 'portico' } as const] : []),
        // The SCU side: `portico store` (profiled) → storescp.
        ...(withPorticoStore ? [{ set: 'small', par: 1, scu: 'portico-store', scp: 'storescp' } as const] : []),
      ];
      for (const c of profiled) {
        const name = `${c.set}-x${c.par}${c.scu === 'portico-store' ? '-portico-store' : ''}`;
        const dir = join(profDir, name);
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        const prof = ['--cpu-prof', '--cpu-prof-dir', dir];
        const s = await measure(c, setOf(c.set), 0, { base, keep: options.keep, ...(c.scu === 'portico-store' ? { scuNodeArgs: prof } : { nodeArgs: prof }) });
        log(`### ${c.scu === 'portico-store' ? '`portico store` → storescp, ' : ''}${c.set} × ${c.par}: ${s.ok ? `${fmtRate(s.instPerS)} inst/s, ${fmtRate(s.mbPerS)} MB/s, SCP CPU ${(s.scpCpuMs / 1000).toFixed(2)} s in ${(s.wallMs / 1000).toFixed(2)} s` : `FAILED: ${s.error ?? ''}`}\n`);
        for (const f of findProfiles(dir)) {
          const summary = summarizeProfile(f, 15);
          profiles.push({ case: name, summary });
          log(`${profileText(summary)}\n`);
        }
      }
    }

    const report = {
      date: startedAt.toISOString(),
      machine: m,
      versions,
      loadAverage: { start: loadAtStart, end: loadavg() },
      corpus: sets.map((s) => ({ id: s.id, files: s.files.length, bytes: s.bytes, dir: join(STORE_CORPUS, s.id), note: s.note })),
      originalProbes,
      rounds,
      hugeRounds,
      samples,
      medians: [...all.values()],
      targets: checks,
      profiles,
    };
    const outDir = join(tmpdir(), 'portico-bench-results');
    await mkdir(outDir, { recursive: true });
    const outPath = join(outDir, 'store-latest.json');
    await writeFile(outPath, `${JSON.stringify(report, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
    log(`\nJSON report: ${outPath}`);
  } finally {
    await rm(base, { recursive: true, force: true, maxRetries: 3 });
  }
}
