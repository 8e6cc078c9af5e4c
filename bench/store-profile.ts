/**
 * Summary of V8 CPU profiles (`node --cpu-prof`) of `portico serve`: self time by function and by file, in % of the
 * profile and in % of the busy (non-idle) time, plus inclusive time of the busiest functions.
 *
 *   node dist/bench/store-profile.js <file.cpuprofile | folder> [top]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { table } from './report.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface ProfileEntry {
  readonly name: string;
  readonly ms: number;
  /** % of all sampled time (idle included). */
  readonly pct: number;
  /** % of busy time (idle excluded). */
  readonly busyPct: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly idleMs: number;
  readonly gcMs: number;
  readonly selfByFunction: readonly ProfileEntry[];
  readonly selfByFile: readonly ProfileEntry[];
  /** Inclusive (self + callees) time of Portico's own functions, each counted once per sample. */
  readonly inclusive: readonly ProfileEntry[];
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function shortUrl(url: string): string {
  if (!url) return '';
  if (url.startsWith('file://')) {
    const path = fileURLToPath(url);
    // The bench runs a copy of dist/ (see snapshotPortico): name files by their place in the package.
    const npm = path.lastIndexOf('/node_modules/');
    if (npm >= 0) return `npm:${path.slice(npm + '/node_modules/'.length)}`;
    const dist = path.lastIndexOf('/dist/');
    if (dist >= 0) return path.slice(dist + '/dist/'.length);
    return relative(REPO, path);
  }
  return url;
}

const frameName = (f: CallFrame): string => {
  const url = shortUrl(f.url);
  const fn = f.functionName || '(anonymous)';
  return url ? `${fn} ${url}:${f.lineNumber + 1}` : fn;
};

const fileName = (f: CallFrame): string => shortUrl(f.url) || `${f.functionName || '(anonymous)'}`;

const isOwn = (f: CallFrame): boolean => f.url.startsWith('file://') && !f.url.includes('/node_modules/');

function top(map: ReadonlyMap<string, number>, totalMs: number, busyMs: number, n: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => ({ name, ms, pct: (100 * ms) / totalMs, busyPct: (100 * ms) / busyMs }));
}

/** Self time per function and per file, and inclusive time of Portico's functions, of one .cpuprofile. */
export function summarizeProfile(path: string, n = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const selfMs = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample: charge it to sample i's node.
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  let totalMs = 0;
  let idleMs = 0;
  let gcMs = 0;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    totalMs += ms;
    const f = node.callFrame;
    if (f.functionName === '(idle)') idleMs += ms;
    if (f.functionName === '(garbage collector)') gcMs += ms;
    byFunction.set(frameName(f), (byFunction.get(frameName(f)) ?? 0) + ms);
    byFile.set(fileName(f), (byFile.get(fileName(f)) ?? 0) + ms);
    // Walk up the stack once per node (bounded by the tree depth); count each own function once.
    const seen = new Set<string>();
    let cur: number | undefined = id;
    for (let depth = 0; cur !== undefined && depth < 10_000; depth++) {
      const frame: CallFrame | undefined = byId.get(cur)?.callFrame;
      if (frame && isOwn(frame)) {
        const name = frameName(frame);
        if (!seen.has(name)) {
          seen.add(name);
          inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
        }
      }
      cur = parent.get(cur);
    }
  }
  const busyMs = Math.max(totalMs - idleMs, 1e-9);
  byFunction.delete('(idle)');
  byFile.delete('(idle)');
  return {
    file: path,
    totalMs,
    idleMs,
    gcMs,
    selfByFunction: top(byFunction, totalMs, busyMs, n),
    selfByFile: top(byFile, totalMs, busyMs, n),
    inclusive: top(inclusive, totalMs, busyMs, n),
  };
}

/** Every .cpuprofile below `dir` (bounded). */
export function findProfiles(dir: string): string[] {
  const out: string[] = [];
  const todo = [dir];
  while (todo.length && out.length < 1000) {
    const d = todo.pop()!;
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const p = join(d, name);
      if (name.endsWith('.cpuprofile')) out.push(p);
      else if (statSync(p).isDirectory()) todo.push(p);
    }
  }
  return out;
}

const pct = (x: number): string => `${x.toFixed(1)} %`;

/** Markdown of one summary. */
export function profileText(s: ProfileSummary): string {
  const rows = (entries: readonly ProfileEntry[]): string[][] => entries.map((e) => [e.name, e.ms.toFixed(0), pct(e.pct), pct(e.busyPct)]);
  return [
    `profile ${s.file}: ${(s.totalMs / 1000).toFixed(2)} s sampled, idle ${pct((100 * s.idleMs) / s.totalMs)}, GC ${pct((100 * s.gcMs) / s.totalMs)} (of all)`,
    '',
    'self time by function:',
    '',
    table(['function', 'ms', '% all', '% busy'], rows(s.selfByFunction)),
    '',
    'self time by file:',
    '',
    table(['file', 'ms', '% all', '% busy'], rows(s.selfByFile)),
    '',
    'inclusive time, Portico functions:',
    '',
    table(['function', 'ms', '% all', '% busy'], rows(s.inclusive)),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: node dist/bench/store-profile.js <file.cpuprofile | folder> [top]\n');
    process.exitCode = 2;
  } else {
    const n = Number(process.argv[3] ?? 15) || 15;
    const files = statSync(target).isDirectory() ? findProfiles(target) : [target];
    for (const f of files) process.stdout.write(`${profileText(summarizeProfile(f, n))}\n\n`);
  }
}
