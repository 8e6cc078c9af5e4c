import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import type { DestinationProgress } from '../services/storage/scu-destination.js';

/** Progress of `portico store`: one bar per destination on a terminal, nothing elsewhere. */
export interface StoreProgress {
  update(destination: string, progress: DestinationProgress): void;
  /** Prints a line above the bars (or through `fallback` when there are none). */
  log(line: string): void;
  stop(): void;
}

const MB = 1_000_000;

/** Bars on `stream` (a TTY): instances, MB, MB/s and ETA per destination. Lines go above them. */
export function terminalProgress(destinations: readonly string[], instances: number, bytes: number, stream: NodeJS.WriteStream): StoreProgress {
  // Loaded only for a terminal: 7 ms of start-up that scripts and pipes do not need.
  const { MultiBar, Presets } = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const multi = new MultiBar(
    {
      stream,
      format: '{peer} [{bar}] {done}/{instances} instances | {mb}/{mbTotal} MB | {speed} MB/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 50,
      fps: 10,
      barsize: 24,
    },
    Presets.shades_classic,
  );
  const started = performance.now();
  const width = Math.max(...destinations.map((d) => d.length));
  const bars = new Map<string, CliProgress.SingleBar>();
  for (const d of destinations) {
    bars.set(d, multi.create(Math.max(bytes, 1), 0, { peer: d.padEnd(width), done: 0, instances, mb: '0.0', mbTotal: (bytes / MB).toFixed(1), speed: '0.0' }));
  }
  return {
    update: (destination, p) => {
      const seconds = (performance.now() - started) / 1000;
      bars.get(destination)?.update(p.bytesDone, {
        done: p.done,
        mb: (p.bytesDone / MB).toFixed(1),
        speed: seconds > 0 ? (p.bytesDone / MB / seconds).toFixed(1) : '0.0',
      });
    },
    log: (line) => multi.log(`${line}\n`),
    stop: () => multi.stop(),
  };
}

/** No bars: lines go straight to `write`. */
export function noProgress(write: (line: string) => void): StoreProgress {
  return { update: () => undefined, log: write, stop: () => undefined };
}
