/**
 * The huge-file header test: each parser reads one huge file in a fresh child process (clean RSS figures).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HeaderRun } from './header-child.js';

const CHILD = fileURLToPath(new URL('./header-child.js', import.meta.url));

export interface HeaderFailure {
  readonly parser: string;
  readonly path: string;
  readonly error: string;
}

export type HeaderResult = HeaderRun | HeaderFailure;
export const isFailure = (r: HeaderResult): r is HeaderFailure => 'error' in r;

/** Runs one child; peers load the whole file, so they get fewer repeats and a generous timeout. */
export function runHeaderChild(parser: string, path: string, repeats: number): HeaderResult {
  const r = spawnSync(process.execPath, ['--expose-gc', CHILD, parser, path, String(repeats)], {
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 1 << 20,
  });
  const line = r.stdout?.trim().split('\n').pop();
  if (r.status === 0 && line) return JSON.parse(line) as HeaderRun;
  const why = r.error?.message ?? (r.signal ? `killed by ${r.signal}` : `exit ${r.status}`);
  const stderr = (r.stderr ?? '').trim().split('\n').slice(0, 3).join(' | ');
  return { parser, path, error: `${why}${stderr ? `: ${stderr}` : ''}`.slice(0, 300) };
}

export function runHeaderTest(path: string, withPeers: boolean): HeaderResult[] {
  const results: HeaderResult[] = [runHeaderChild('portico', path, 21)];
  if (withPeers) {
    results.push(runHeaderChild('dicom-parser', path, 3));
    results.push(runHeaderChild('dcmjs', path, 2));
  }
  return results;
}
