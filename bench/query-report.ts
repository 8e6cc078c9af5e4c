/**
 * Tables and checks of the query benchmark (Markdown, as the other parts print them): latency percentiles per query
 * kind per SCP, Portico / Orthanc at equal size, the `findscu --repeat` orientation, the targets, and every query
 * whose match count differs from what the data says or from the other SCP's answer.
 */
import { percentile } from './net-measure.js';
import { type KindId, KIND_LABEL, type KindRun, type QueryTime } from './query-measure.js';
import { fmtRatio, table, type TargetCheck } from './report.js';

/** One SCP holding one data set, and its runs. */
export interface ScpRun {
  /** `portico-1m`, `portico-eq`, `orthanc-eq`, `wlmscpfs`. */
  readonly id: string;
  readonly label: string;
  /** What it holds, for the tables ("1,000,000 instances"). */
  readonly holds: string;
  readonly runs: readonly KindRun[];
  readonly rssIdleMB?: number;
  readonly rssPeakMB?: number;
  readonly cpuMs?: number;
  readonly error?: string;
}

export interface KindStats {
  readonly n: number;
  readonly failed: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  readonly minMatches: number;
  readonly maxMatches: number;
  /** Queries whose match count differs from the data's. */
  readonly wrong: number;
}

export function stats(times: readonly QueryTime[]): KindStats {
  const ok = times.filter((t) => t.error === undefined);
  const ms = ok.map((t) => t.ms).sort((a, b) => a - b);
  const matches = ok.map((t) => t.matches);
  return {
    n: ok.length,
    failed: times.length - ok.length,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    max: ms.length ? ms[ms.length - 1]! : Number.NaN,
    mean: ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : Number.NaN,
    minMatches: matches.length ? Math.min(...matches) : Number.NaN,
    maxMatches: matches.length ? Math.max(...matches) : Number.NaN,
    wrong: times.filter((t) => t.error !== undefined || t.matches !== t.expected || (t.fileKeys !== undefined && t.fileKeys !== t.matches)).length,
  };
}

export const fmtMs = (x: number): string => (!Number.isFinite(x) ? '–' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US'));

export const runOf = (scp: ScpRun | undefined, kind: KindId): KindRun | undefined => scp?.runs.find((r) => r.kind === kind);
export const statsOf = (scp: ScpRun | undefined, kind: KindId): KindStats | undefined => {
  const run = runOf(scp, kind);
  return run && run.times.length ? stats(run.times) : undefined;
};

/** p50 / p99 / max per query kind, one row per (kind, SCP). */
export function latencyTable(scps: readonly ScpRun[], kinds: readonly KindId[]): string {
  const rows: string[][] = [];
  for (const kind of kinds) {
    for (const scp of scps) {
      const s = statsOf(scp, kind);
      if (!s) continue;
      const matches = s.minMatches === s.maxMatches ? String(s.minMatches) : `${s.minMatches}–${s.maxMatches}`;
      const check = s.wrong === 0 ? 'yes' : `**NO: ${s.wrong} of ${s.n + s.failed}**`;
      rows.push([KIND_LABEL[kind], `${scp.label} (${scp.holds})`, `${s.n}${s.failed ? ` (+${s.failed} failed)` : ''}`, fmtMs(s.p50), fmtMs(s.p99), fmtMs(s.max), fmtMs(s.mean), matches, check]);
    }
  }
  return table(['query', 'SCP (holding)', 'queries', 'p50 ms', 'p99 ms', 'max ms', 'mean ms', 'matches/query', 'counts as the data says'], rows);
}

/** Portico / Orthanc at the same data: how many times faster (Orthanc's time ÷ Portico's). */
export function ratioTable(portico: ScpRun | undefined, orthanc: ScpRun | undefined, kinds: readonly KindId[]): string {
  const rows = kinds.flatMap((kind) => {
    const a = statsOf(portico, kind);
    const b = statsOf(orthanc, kind);
    if (!a || !b) return [];
    return [[KIND_LABEL[kind], fmtMs(a.p50), fmtMs(b.p50), fmtRatio(b.p50 / a.p50), fmtMs(a.p99), fmtMs(b.p99), fmtRatio(b.p99 / a.p99)]];
  });
  return table(['query', 'Portico p50 ms', 'Orthanc p50 ms', 'Portico faster (p50)', 'Portico p99 ms', 'Orthanc p99 ms', 'Portico faster (p99)'], rows);
}

export interface FindscuRun {
  readonly scp: string;
  readonly query: string;
  readonly repeat: number;
  readonly ms: number;
  readonly ok: boolean;
  readonly note: string;
}

export const findscuTable = (runs: readonly FindscuRun[]): string =>
  table(
    ['SCP', 'query (findscu)', 'repeats', 'wall s', 'ms per query', 'note'],
    runs.map((r) => [r.scp, r.query, String(r.repeat), (r.ms / 1000).toFixed(2), r.ok ? fmtMs(r.ms / r.repeat) : 'FAILED', r.note]),
  );

export const queryTargetTable = (checks: readonly TargetCheck[]): string =>
  table(['target', 'measured', 'result'], checks.map((c) => [c.target, c.measured, c.pass ? 'PASS' : 'MISS']));

/** Every query whose answer differs from the data, or from the other SCP's answer to the same query. */
export function mismatches(scps: readonly ScpRun[], pairs: readonly (readonly [string, string])[]): string[] {
  const out: string[] = [];
  for (const scp of scps) {
    for (const run of scp.runs) {
      for (const t of run.times) {
        if (t.error !== undefined) out.push(`${scp.label}, ${KIND_LABEL[run.kind]} ${t.param}: FAILED: ${t.error}`);
        else if (t.matches !== t.expected) out.push(`${scp.label}, ${KIND_LABEL[run.kind]} ${t.param}: ${t.matches} matches, the data has ${t.expected}`);
        else if (t.fileKeys !== undefined && t.fileKeys !== t.matches) out.push(`${scp.label}, ${KIND_LABEL[run.kind]}: Rows = 32 in ${t.fileKeys} of ${t.matches} matches`);
      }
    }
  }
  for (const [x, y] of pairs) {
    const a = scps.find((s) => s.id === x);
    const b = scps.find((s) => s.id === y);
    if (!a || !b) continue;
    for (const run of a.runs) {
      const other = runOf(b, run.kind);
      if (!other) continue;
      const answers = new Map(other.times.filter((t) => t.error === undefined).map((t) => [t.param, t.matches]));
      for (const t of run.times) {
        const theirs = answers.get(t.param);
        if (t.error === undefined && theirs !== undefined && theirs !== t.matches) out.push(`${KIND_LABEL[run.kind]} ${t.param}: ${a.label} ${t.matches} matches, ${b.label} ${theirs}`);
      }
    }
  }
  return out;
}
