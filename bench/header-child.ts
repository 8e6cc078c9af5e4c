/**
 * Child process of the header test: reads the header of one huge file with one parser and prints one JSON line.
 * Run apart from the throughput bench so that the RSS figures are those of a fresh process.
 *
 *   node --expose-gc dist/bench/header-child.js portico|dcmjs|dicom-parser <path> [repeats]
 *
 * Portico: `readFile(path)` (bulk values stay in the file) + every value decoded. The peers have no file reader:
 * they must load the whole file (`fs.readFileSync`) and parse it, which is what they are timed doing.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile } from '../src/encoding/read.js';
import { decodeAll } from './decode-all.js';

export interface HeaderRun {
  readonly parser: string;
  readonly path: string;
  readonly fileBytes: number;
  /** First read in this process (includes JIT warm-up and building the dictionary's maps), ms. */
  readonly firstMs: number;
  /** All reads, ms, first included. */
  readonly runsMs: readonly number[];
  /** Median of the reads after the first (the first when there is only one), ms. */
  readonly warmMs: number;
  /** RSS before the first read, after it (the result still held), MB (1 MB = 2^20 B). */
  readonly rssBeforeMB: number;
  readonly rssAfterMB: number;
  readonly rssDeltaMB: number;
  /**
   * Peak RSS of this process, MB: VmHWM from /proc/self/status where there is one. `resourceUsage().maxRSS` is kept
   * too, but on Linux it carries over the high-water mark of the parent's address space copied at fork (kept across
   * exec), so in a child of the big bench process it reports the parent's RSS.
   */
  readonly maxRssMB: number;
  readonly ruMaxRssMB: number;
  readonly elements: number;
}

const MB = 1024 * 1024;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

type Reader = (path: string) => Promise<{ count: number; keep: unknown }>;

async function readerFor(parser: string): Promise<Reader> {
  if (parser === 'portico') {
    return async (path) => {
      const f = await readFile(path);
      return { count: decodeAll(f.meta) + decodeAll(f.dataset), keep: f };
    };
  }
  // Imported only here, so that the Portico child does not carry the peers' code.
  const { dcmjsRead, dicomParserRead } = await import('./parsers.js');
  if (parser === 'dcmjs') {
    return async (path) => {
      const buf = readFileSync(path);
      const ab = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      return { count: dcmjsRead(ab as ArrayBuffer), keep: ab };
    };
  }
  if (parser === 'dicom-parser') {
    return async (path) => {
      const buf = readFileSync(path);
      return { count: dicomParserRead(buf), keep: buf };
    };
  }
  throw new Error(`unknown parser ${parser}`);
}

/** VmHWM (KiB) of this process; resourceUsage().maxRSS where /proc is missing. */
function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

async function main(): Promise<void> {
  const [parser = 'portico', path, repeatsArg] = process.argv.slice(2);
  if (!path) throw new Error('usage: header-child.js portico|dcmjs|dicom-parser <path> [repeats]');
  const repeats = Math.max(1, Number(repeatsArg ?? 1));
  const read = await readerFor(parser);
  gc();
  const rssBefore = process.memoryUsage().rss;
  let t0 = performance.now();
  let result: { count: number; keep: unknown } | undefined = await read(path);
  const firstMs = performance.now() - t0;
  const rssAfter = process.memoryUsage().rss;
  const elements = result.count;
  const runsMs = [firstMs];
  for (let i = 1; i < repeats; i++) {
    // eslint-disable-next-line no-useless-assignment -- dropped so that gc() can collect the previous read
    result = undefined;
    gc();
    t0 = performance.now();
    // eslint-disable-next-line no-useless-assignment -- kept alive while timed, as the first read was
    result = await read(path);
    runsMs.push(performance.now() - t0);
  }
  const warm = runsMs.length > 1 ? runsMs.slice(1).sort((a, b) => a - b) : runsMs;
  const out: HeaderRun = {
    parser,
    path,
    fileBytes: statSync(path).size,
    firstMs,
    runsMs,
    warmMs: warm[warm.length >> 1]!,
    rssBeforeMB: rssBefore / MB,
    rssAfterMB: rssAfter / MB,
    rssDeltaMB: (rssAfter - rssBefore) / MB,
    maxRssMB: peakRssKiB() / 1024,
    ruMaxRssMB: process.resourceUsage().maxRSS / 1024,
    elements,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
