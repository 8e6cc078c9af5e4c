/**
 * Tables and target checks of the network benchmark (Markdown, as the parse benchmark prints them).
 */
import type { ConcurrentResult } from './net-measure.js';
import { percentile } from './net-measure.js';
import { fmtRate, fmtRatio, table, type TargetCheck } from './report.js';

/** One measured (client, server) pair in one round. */
export interface NetSample {
  readonly client: string;
  readonly server: string;
  /** What the median is taken over: a rate (higher is better), or a latency for the concurrent test. */
  readonly metric: number;
  /** C-ECHOs or associations done (for CPU per unit). */
  readonly units: number;
  readonly wallMs: number;
  /** CPU the server process (and its children) used during the measurement, ms. */
  readonly serverCpuMs: number;
  readonly detail: unknown;
}

/** The median round of each (client, server): the sample whose metric is the median (lower middle if even). */
export function medians(samples: readonly NetSample[]): Map<string, NetSample> {
  const groups = new Map<string, NetSample[]>();
  for (const s of samples) {
    const key = cellKey(s.client, s.server);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out = new Map<string, NetSample>();
  for (const [key, group] of groups) {
    const sorted = [...group].sort((a, b) => a.metric - b.metric);
    out.set(key, sorted[(sorted.length - 1) >> 1]!);
  }
  return out;
}

export const cellKey = (client: string, server: string): string => `${client}|${server}`;

export interface Column {
  readonly id: string;
  readonly label: string;
}

export interface Row {
  readonly id: string;
  readonly label: string;
}

/** A rate per (client row, server column), with a last column: the first server ÷ the best of the others. */
export function rateMatrix(cells: ReadonlyMap<string, NetSample>, rows: readonly Row[], columns: readonly Column[]): string[][] {
  return rows.map((r) => {
    const rates = columns.map((c) => cells.get(cellKey(r.id, c.id))?.metric ?? Number.NaN);
    const others = rates.slice(1).filter(Number.isFinite);
    return [r.label, ...rates.map(fmtRate), fmtRatio(rates[0]! / Math.max(...others))];
  });
}

/** A row of client ratios: `a` ÷ `b` under each server column. */
export function clientRatioRow(cells: ReadonlyMap<string, NetSample>, label: string, a: string, b: string, columns: readonly Column[]): string[] {
  return [label, ...columns.map((c) => fmtRatio((cells.get(cellKey(a, c.id))?.metric ?? Number.NaN) / (cells.get(cellKey(b, c.id))?.metric ?? Number.NaN))), ''];
}

/** Server CPU per unit (µs per C-ECHO or ms per association) with a given client, per server column. */
export function cpuRow(cells: ReadonlyMap<string, NetSample>, label: string, client: string, columns: readonly Column[], scale: number, digits: number): string[] {
  const per = columns.map((c) => {
    const s = cells.get(cellKey(client, c.id));
    return s ? (s.serverCpuMs * scale) / s.units : Number.NaN;
  });
  const others = per.slice(1).filter(Number.isFinite);
  return [label, ...per.map((x) => (Number.isFinite(x) ? x.toFixed(digits) : '–')), others.length ? `${fmtRatio(per[0]! / Math.min(...others))} CPU` : ''];
}

/** Server CPU use during the measurement, in % of one core. */
export function cpuUseRow(cells: ReadonlyMap<string, NetSample>, label: string, client: string, columns: readonly Column[]): string[] {
  return [
    label,
    ...columns.map((c) => {
      const s = cells.get(cellKey(client, c.id));
      return s ? `${Math.round((100 * s.serverCpuMs) / s.wallMs)} %` : '–';
    }),
    '',
  ];
}

export const matrix = (corner: string, columns: readonly Column[], lastHeader: string, rows: readonly (readonly string[])[]): string =>
  table([corner, ...columns.map((c) => c.label), lastHeader], rows);

const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(x >= 100 ? 0 : 2) : '–');

/** The concurrent test: one row per (client, server) (its median round by p99). */
export function concurrentTable(cells: ReadonlyMap<string, NetSample>, clients: readonly Row[], columns: readonly Column[], notes: ReadonlyMap<string, string>): string {
  const rows = clients.flatMap((client) =>
    columns.map((c) => {
      const s = cells.get(cellKey(client.id, c.id));
      const note = notes.get(c.id);
      if (!s) return [client.label, c.label, note ?? 'not measured', '', '', '', '', '', '', '', ''];
      const r = s.detail as ConcurrentResult;
      const l = r.latencies;
      return [
        client.label, c.label, `${r.opened}/${r.associations}`, ms(r.openMs), `${r.echoes}`, fmtRate(r.perSecond), ms(percentile(l, 50)), ms(percentile(l, 90)),
        ms(percentile(l, 99)), ms(l[l.length - 1] ?? Number.NaN), `${r.openFailures + r.echoFailures}${r.firstError ? ` (${r.firstError.slice(0, 50)})` : ''}`,
      ];
    }),
  );
  return table(['client', 'SCP', 'open', 'open ms', 'C-ECHOs', 'C-ECHO/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'failures'], rows);
}

/** Associations per second one core could serve, from the server CPU per association. */
export function capacityRow(cells: ReadonlyMap<string, NetSample>, label: string, client: string, columns: readonly Column[]): string[] {
  const cap = columns.map((c) => {
    const s = cells.get(cellKey(client, c.id));
    return s && s.serverCpuMs > 0 ? (1000 * s.units) / s.serverCpuMs : Number.NaN;
  });
  const others = cap.slice(1).filter(Number.isFinite);
  return [label, ...cap.map(fmtRate), others.length ? fmtRatio(cap[0]! / Math.max(...others)) : ''];
}

export const netTargetTable = (checks: readonly TargetCheck[]): string =>
  table(['target', 'measured', 'result'], checks.map((c) => [c.target, c.measured, c.pass ? 'PASS' : 'MISS']));
