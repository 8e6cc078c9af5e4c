/**
 * Throughput measurement: each (parser, group) is run in interleaved rounds, so that a noisy neighbour on a shared
 * VM hurts every parser alike; a round repeats passes over the group's files until its time budget is spent.
 */
import type { LoadedFile, Parser } from './parsers.js';

export interface Group {
  readonly id: string;
  readonly label: string;
  readonly files: readonly LoadedFile[];
}

export const groupBytes = (g: Group): number => g.files.reduce((sum, f) => sum + f.bytes.length, 0);

export interface MeasureOptions {
  /** Rounds per (parser, group); the median round is reported. */
  readonly rounds: number;
  /** Minimum time of one round, ms. */
  readonly roundMs: number;
  /** Minimum warm-up time per (parser, group), ms. */
  readonly warmupMs: number;
}

export interface Sample {
  readonly parser: string;
  readonly group: string;
  readonly bytes: number;
  /** MB/s (1 MB = 1e6 bytes) of each round, in run order. */
  readonly roundsMBps: readonly number[];
  /** Median round. */
  readonly mbps: number;
  /** Milliseconds for one pass over the group at the median rate. */
  readonly msPerPass: number;
  readonly passes: number;
  /** The value count one pass returned (a sanity check that every parser saw the data). */
  readonly values: number;
}

/** A sink that keeps results alive, so that no parse can be dropped as dead code. */
let sink = 0;
export const sinkValue = (): number => sink;

function pass(parser: Parser, files: readonly LoadedFile[]): number {
  let n = 0;
  for (const f of files) n += parser.parse(f);
  return n;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Runs passes until `ms` have elapsed (at least one); returns passes and elapsed ms. */
function timed(parser: Parser, files: readonly LoadedFile[], ms: number): { passes: number; elapsed: number } {
  let passes = 0;
  const t0 = performance.now();
  let elapsed: number;
  do {
    sink += pass(parser, files);
    passes++;
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return { passes, elapsed };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Measures every parser on one group: warm-up each, then `rounds` interleaved rounds. */
export function measureGroup(group: Group, parsers: readonly Parser[], options: MeasureOptions): Sample[] {
  const bytes = groupBytes(group);
  const values = new Map<string, number>();
  for (const p of parsers) {
    gc();
    values.set(p.id, pass(p, group.files));
    timed(p, group.files, options.warmupMs);
  }
  const rounds = new Map<string, number[]>(parsers.map((p) => [p.id, []]));
  const passes = new Map<string, number>(parsers.map((p) => [p.id, 0]));
  for (let r = 0; r < options.rounds; r++) {
    // Rotate the order each round so that no parser always runs right after a heavy one.
    for (let k = 0; k < parsers.length; k++) {
      const p = parsers[(k + r) % parsers.length]!;
      gc();
      const t = timed(p, group.files, options.roundMs);
      rounds.get(p.id)!.push((bytes * t.passes) / 1e6 / (t.elapsed / 1000));
      passes.set(p.id, passes.get(p.id)! + t.passes);
    }
  }
  return parsers.map((p) => {
    const rs = rounds.get(p.id)!;
    const mbps = median(rs);
    return {
      parser: p.id,
      group: group.id,
      bytes,
      roundsMBps: rs,
      mbps,
      msPerPass: bytes / 1e3 / mbps,
      passes: passes.get(p.id)!,
      values: values.get(p.id)!,
    };
  });
}
