/**
 * Tables and target checks of the storage benchmark (Markdown, as the other parts print them).
 */
import { median } from './net-measure.js';
import { fmtRate, fmtRatio, table, type TargetCheck } from './report.js';

export type SetId = 'small' | 'large' | 'huge';
export type ScuId = 'storescu' | 'portico-store';

/** One measurement: one fresh SCP, one set sent by `par` SCU processes at once. */
export interface StoreSample {
  readonly set: SetId;
  readonly par: number;
  readonly scu: ScuId;
  /** storescp, storescp-fork, storescp-bp, storescp-bp-fork, orthanc, portico. */
  readonly scp: string;
  readonly round: number;
  readonly files: number;
  readonly bytes: number;
  /** Spawn of the first SCU to exit of the last. */
  readonly wallMs: number;
  readonly instPerS: number;
  /** 1 MB = 1e6 B of file size. */
  readonly mbPerS: number;
  readonly scpIdleMB: number;
  readonly scpPeakMB: number;
  readonly scpCpuMs: number;
  /** Largest of the SCU processes; NaN without /usr/bin/time. */
  readonly scuPeakMB: number;
  /** Sum over the SCU processes. */
  readonly scuCpuMs: number;
  readonly stored: number;
  readonly ok: boolean;
  readonly error?: string;
}

export const caseKey = (set: SetId, par: number, scu: ScuId, scp: string): string => `${set}|${par}|${scu}|${scp}`;
const keyOf = (s: StoreSample): string => caseKey(s.set, s.par, s.scu, s.scp);

/** The medians of one case over its successful rounds. */
export interface StoreCell {
  readonly set: SetId;
  readonly par: number;
  readonly scu: ScuId;
  readonly scp: string;
  readonly runs: number;
  readonly ok: number;
  readonly wallMs: number;
  readonly instPerS: number;
  readonly mbPerS: number;
  readonly minInstPerS: number;
  readonly maxInstPerS: number;
  readonly minMbPerS: number;
  readonly maxMbPerS: number;
  readonly scpIdleMB: number;
  readonly scpPeakMB: number;
  readonly maxScpPeakMB: number;
  readonly scpCpuMs: number;
  readonly scuPeakMB: number;
  readonly scuCpuMs: number;
  readonly files: number;
  readonly stored: string;
  readonly error?: string;
}

/** Per case: the median of each figure over the rounds that succeeded (all rounds when none did). */
export function cells(samples: readonly StoreSample[]): Map<string, StoreCell> {
  const groups = new Map<string, StoreSample[]>();
  for (const s of samples) groups.set(keyOf(s), [...(groups.get(keyOf(s)) ?? []), s]);
  const out = new Map<string, StoreCell>();
  for (const [key, group] of groups) {
    const good = group.filter((s) => s.ok);
    const use = good.length ? good : group;
    const m = (f: (s: StoreSample) => number): number => median(use.map(f).filter(Number.isFinite));
    const first = group[0]!;
    const wallMs = m((s) => s.wallMs);
    const rates = use.map((s) => s.instPerS).filter(Number.isFinite);
    const mbs = use.map((s) => s.mbPerS).filter(Number.isFinite);
    out.set(key, {
      set: first.set,
      par: first.par,
      scu: first.scu,
      scp: first.scp,
      runs: group.length,
      ok: good.length,
      wallMs,
      instPerS: good.length ? m((s) => s.instPerS) : Number.NaN,
      mbPerS: good.length ? m((s) => s.mbPerS) : Number.NaN,
      minInstPerS: Math.min(...rates),
      maxInstPerS: Math.max(...rates),
      minMbPerS: Math.min(...mbs),
      maxMbPerS: Math.max(...mbs),
      scpIdleMB: m((s) => s.scpIdleMB),
      scpPeakMB: m((s) => s.scpPeakMB),
      maxScpPeakMB: Math.max(...use.map((s) => s.scpPeakMB)),
      scpCpuMs: m((s) => s.scpCpuMs),
      scuPeakMB: m((s) => s.scuPeakMB),
      scuCpuMs: m((s) => s.scuCpuMs),
      files: first.files,
      stored: [...new Set(group.map((s) => String(s.stored)))].join('/'),
      error: group.find((s) => s.error)?.error,
    });
  }
  return out;
}

const num = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const range = (lo: number, hi: number, f: (x: number) => string): string => (Number.isFinite(lo) && lo !== hi ? ` (${f(lo)}–${f(hi)})` : '');

export interface RowSpec {
  readonly scu: ScuId;
  readonly scp: string;
  readonly label: string;
}

/** One table per (set, parallelism): a row per (SCU → SCP). */
export function setTable(all: ReadonlyMap<string, StoreCell>, set: SetId, par: number, rows: readonly RowSpec[], perInstance: boolean): string {
  const body = rows.flatMap((r) => {
    const c = all.get(caseKey(set, par, r.scu, r.scp));
    if (!c) return [];
    const failed = c.ok < c.runs ? ` ⚠ ${c.runs - c.ok} failed${c.error ? `: ${c.error.slice(0, 60)}` : ''}` : '';
    return [[
      r.label,
      `${c.ok}/${c.runs}`,
      num(c.wallMs / 1000, 2),
      perInstance ? `${fmtRate(c.instPerS)}${range(c.minInstPerS, c.maxInstPerS, fmtRate)}` : fmtRate(c.instPerS),
      `${fmtRate(c.mbPerS)}${perInstance ? '' : range(c.minMbPerS, c.maxMbPerS, fmtRate)}`,
      `${num(c.scpPeakMB, 0)} (idle ${num(c.scpIdleMB, 0)})`,
      num(c.scpCpuMs / 1000, 2),
      perInstance ? num(c.scpCpuMs / c.files, 2) : num(c.scpCpuMs / (c.files ? c.files : 1), 0),
      `${Math.round((100 * c.scpCpuMs) / c.wallMs)} %`,
      num(c.scuPeakMB, 0),
      num(c.scuCpuMs / 1000, 2),
      `${c.stored}/${c.files}${failed}`,
    ]];
  });
  return table(
    ['SCU → SCP', 'runs ok', 'wall s', `inst/s${perInstance ? ' (rounds)' : ''}`, `MB/s${perInstance ? '' : ' (rounds)'}`, 'SCP peak RSS MB', 'SCP CPU s',
      'SCP CPU ms/inst', 'SCP CPU use', 'SCU RSS MB', 'SCU CPU s', 'stored'],
    body,
  );
}

/** Portico's ratios against each peer, per (set, parallelism). */
export function ratioTable(all: ReadonlyMap<string, StoreCell>, rows: readonly { set: SetId; par: number; label: string; peers: readonly string[] }[]): string {
  const body = rows.flatMap((r) => {
    const ours = all.get(caseKey(r.set, r.par, 'storescu', 'portico'));
    if (!ours) return [];
    return r.peers.flatMap((peer) => {
      const theirs = all.get(caseKey(r.set, r.par, 'storescu', peer));
      if (!theirs) return [];
      return [[
        r.label, peer,
        fmtRatio(ours.instPerS / theirs.instPerS),
        fmtRatio(ours.scpPeakMB / theirs.scpPeakMB),
        fmtRatio(ours.scpCpuMs / theirs.scpCpuMs),
      ]];
    });
  });
  return table(['set', 'Portico vs', 'throughput ratio', 'peak RSS ratio', 'CPU ratio'], body);
}

export const storeTargetTable = (checks: readonly TargetCheck[]): string =>
  table(['target', 'measured', 'result'], checks.map((c) => [c.target, c.measured, c.pass ? 'PASS' : 'MISS']));

/** Each round's rate of one case, for the target lines. */
export function roundsOf(samples: readonly StoreSample[], set: SetId, par: number, scu: ScuId, scp: string, metric: (s: StoreSample) => number): number[] {
  return samples.filter((s) => s.ok && keyOf(s) === caseKey(set, par, scu, scp)).map(metric);
}

/** A ratio target on the medians of two cases. */
export function ratioCheck(
  all: ReadonlyMap<string, StoreCell>, target: string, ours: readonly [SetId, number, ScuId, string], theirs: readonly [SetId, number, ScuId, string],
  metric: (c: StoreCell) => number, unit: string, min: number,
): TargetCheck {
  const a = all.get(caseKey(...ours));
  const b = all.get(caseKey(...theirs));
  if (!a || !b) return { target, measured: 'not measured', pass: false };
  const ra = metric(a);
  const rb = metric(b);
  const ratio = ra / rb;
  const fail = a.ok < a.runs ? ` (${a.runs - a.ok}/${a.runs} Portico rounds failed)` : '';
  return { target, measured: `${fmtRate(ra)} vs ${fmtRate(rb)} ${unit} = ${fmtRatio(ratio)}${fail}`, pass: a.ok > 0 && ratio >= min };
}
