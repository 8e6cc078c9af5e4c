/**
 * Tables and target checks of the parse benchmark. Tables are Markdown, readable on a terminal and pastable as is.
 */
import type { HeaderResult } from './header.js';
import { isFailure } from './header.js';
import type { Group, Sample } from './measure.js';

export const PORTICO = 'portico';
export const DCMJS = 'dcmjs';
export const DP_VALUES = 'dp-values';
export const DP_INDEX = 'dp-index';

/** A parser's throughput over the whole corpus (every file once): total bytes / total time. */
export interface Total {
  readonly parser: string;
  readonly bytes: number;
  readonly ms: number;
  readonly mbps: number;
}

export function totals(samples: readonly Sample[], parsers: readonly string[]): Total[] {
  return parsers.map((parser) => {
    const own = samples.filter((s) => s.parser === parser);
    const bytes = own.reduce((sum, s) => sum + s.bytes, 0);
    const ms = own.reduce((sum, s) => sum + s.msPerPass, 0);
    return { parser, bytes, ms, mbps: bytes / 1e3 / ms };
  });
}

export const fmtRate = (x: number): string =>
  !Number.isFinite(x) ? '–' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(x >= 10 ? 1 : 2);
export const fmtRatio = (x: number): string => (!Number.isFinite(x) ? '–' : `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`);
const fmtMB = (bytes: number): string => (bytes / 1e6 >= 10 ? (bytes / 1e6).toFixed(0) : (bytes / 1e6).toFixed(2));

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

const rateOf = (samples: readonly Sample[], group: string, parser: string): number =>
  samples.find((s) => s.group === group && s.parser === parser)?.mbps ?? Number.NaN;

/** MB/s per parser per group, the ratios, a byte-weighted total row and the geometric mean of the group ratios. */
export function throughputTable(groups: readonly Group[], samples: readonly Sample[], parsers: readonly string[]): string {
  const header = ['group', 'files', 'MB', ...parsers, 'P/dcmjs', 'P/dp-values', 'P/dp-index'];
  const rows = groups.map((g) => {
    const r = (p: string): number => rateOf(samples, g.id, p);
    const bytes = samples.find((s) => s.group === g.id)?.bytes ?? 0;
    return [
      g.id, String(g.files.length), fmtMB(bytes), ...parsers.map((p) => fmtRate(r(p))),
      fmtRatio(r(PORTICO) / r(DCMJS)), fmtRatio(r(PORTICO) / r(DP_VALUES)), fmtRatio(r(PORTICO) / r(DP_INDEX)),
    ];
  });
  const t = totals(samples, parsers);
  const tr = (p: string): number => t.find((x) => x.parser === p)?.mbps ?? Number.NaN;
  rows.push([
    '**total** (bytes / time)', String(groups.reduce((n, g) => n + g.files.length, 0)), fmtMB(t[0]?.bytes ?? 0),
    ...parsers.map((p) => fmtRate(tr(p))),
    fmtRatio(tr(PORTICO) / tr(DCMJS)), fmtRatio(tr(PORTICO) / tr(DP_VALUES)), fmtRatio(tr(PORTICO) / tr(DP_INDEX)),
  ]);
  const geo = (other: string): number => geomean(groups.map((g) => rateOf(samples, g.id, PORTICO) / rateOf(samples, g.id, other)));
  rows.push(['geomean of group ratios', '', '', ...parsers.map(() => ''), fmtRatio(geo(DCMJS)), fmtRatio(geo(DP_VALUES)), fmtRatio(geo(DP_INDEX))]);
  return table(header, rows);
}

export const geomean = (xs: readonly number[]): number => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

export function headerTable(results: readonly HeaderResult[]): string {
  const header = ['parser', 'file MB', 'first ms', 'warm ms (median)', 'RSS before MB', 'RSS delta MB', 'peak RSS MB (VmHWM)', 'ru_maxrss MB', 'elements'];
  const rows = results.map((r) =>
    isFailure(r)
      ? [r.parser, '', 'FAILED', r.error.slice(0, 60), '', '', '', '', '']
      : [
          r.parser, (r.fileBytes / 1e6).toFixed(0), r.firstMs.toFixed(1), r.runsMs.length > 1 ? r.warmMs.toFixed(2) : '–',
          r.rssBeforeMB.toFixed(1), r.rssDeltaMB.toFixed(1), r.maxRssMB.toFixed(1), r.ruMaxRssMB.toFixed(1), String(r.elements),
        ],
  );
  return table(header, rows);
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

/** The issue's targets; information only: a miss never fails the bench. */
export function checkTargets(groups: readonly Group[], samples: readonly Sample[], parsers: readonly string[], header: readonly HeaderResult[]): TargetCheck[] {
  const t = totals(samples, parsers);
  const tr = (p: string): number => t.find((x) => x.parser === p)?.mbps ?? Number.NaN;
  const worst = (other: string): { ratio: number; group: string } =>
    groups
      .map((g) => ({ ratio: rateOf(samples, g.id, PORTICO) / rateOf(samples, g.id, other), group: g.id }))
      .reduce((a, b) => (b.ratio < a.ratio ? b : a), { ratio: Number.POSITIVE_INFINITY, group: '' });
  const checks: TargetCheck[] = [];
  const vsDcmjs = tr(PORTICO) / tr(DCMJS);
  const vsDp = tr(PORTICO) / tr(DP_VALUES);
  const wDcmjs = worst(DCMJS);
  const wDp = worst(DP_VALUES);
  checks.push({ target: 'Portico ≥ 3× dcmjs MB/s (total)', measured: fmtRatio(vsDcmjs), pass: vsDcmjs >= 3 });
  checks.push({ target: 'Portico ≥ 3× dcmjs MB/s (every group)', measured: `${fmtRatio(wDcmjs.ratio)} worst (${wDcmjs.group})`, pass: wDcmjs.ratio >= 3 });
  checks.push({ target: 'Portico ≥ 1× dicom-parser MB/s, with values (total)', measured: fmtRatio(vsDp), pass: vsDp >= 1 });
  checks.push({ target: 'Portico ≥ 1× dicom-parser MB/s, with values (every group)', measured: `${fmtRatio(wDp.ratio)} worst (${wDp.group})`, pass: wDp.ratio >= 1 });
  const ours = header.find((r) => r.parser === PORTICO);
  if (ours && !isFailure(ours)) {
    const gb = (ours.fileBytes / 2 ** 30).toFixed(2);
    checks.push({ target: `header of a ${gb} GiB file < 50 ms (warm median)`, measured: `${ours.warmMs.toFixed(2)} ms`, pass: ours.warmMs < 50 });
    checks.push({ target: `header of a ${gb} GiB file < 50 ms (first read in a fresh process)`, measured: `${ours.firstMs.toFixed(1)} ms`, pass: ours.firstMs < 50 });
    checks.push({ target: 'header read adds < 50 MB RSS', measured: `${ours.rssDeltaMB.toFixed(1)} MB (peak process RSS ${ours.maxRssMB.toFixed(0)} MB)`, pass: ours.rssDeltaMB < 50 });
  } else if (ours) {
    checks.push({ target: 'header of a huge file', measured: `FAILED: ${ours.error}`, pass: false });
  }
  return checks;
}

export const targetTable = (checks: readonly TargetCheck[]): string =>
  table(['target', 'measured', 'result'], checks.map((c) => [c.target, c.measured, c.pass ? 'PASS' : 'MISS']));
