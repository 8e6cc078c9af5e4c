/**
 * Processes of the query benchmark: `portico serve` on an existing data folder, Orthanc on an existing (or new)
 * storage and index folder with the bench's calling AE title registered for C-FIND, DCMTK `wlmscpfs` on a folder of
 * `.wl` files, DCMTK `storescu` (loading) and `findscu --repeat` (orientation). DCMTK and Orthanc run with
 * TCP_NODELAY=1. Every server started here is stopped by its PID (SIGTERM, then SIGKILL), on failure too, and
 * killed by PID if the bench process exits while it still runs; wlmscpfs' per-association children by their PIDs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probe } from './net-measure.js';
import { cpuMs, DCMTK_ENV, freePort, HOST, porticoNodeArgs, type ProcessRun, runTimed } from './net-procs.js';
import { ORTHANC_BIN, superviseServer } from './store-procs.js';

/** The calling AE title of every client of this bench (Orthanc knows it as a modality). */
export const BENCH_AET = 'BENCHSCU';
/** wlmscpfs serves `<dir>/<called AE title>/*.wl`. */
export const WLM_AET = 'WLQUERY';

export interface Server {
  readonly kind: 'portico' | 'orthanc' | 'wlmscpfs';
  readonly aeTitle: string;
  readonly port: number;
  readonly pid: number;
  readonly command: string;
  cpuMs(): number;
  tail(): string;
  stop(): Promise<void>;
}

async function started(kind: Server['kind'], child: ChildProcess, aeTitle: string, port: number, command: string, ready: () => Promise<boolean>, readyMs: number): Promise<Server> {
  const { pid, tail, stop } = await superviseServer(child, command, kind, ready, readyMs);
  return { kind, aeTitle, port, pid, command, cpuMs: () => cpuMs(pid), tail, stop };
}

/** `portico serve --dir <dir>` (the copy of Portico made at the start of the run); ready when it says it listens. */
export async function startPorticoServe(bin: string, dir: string, maxMatches = 1000): Promise<Server> {
  const port = await freePort();
  const args = [...porticoNodeArgs(bin), bin, 'serve', '--host', HOST, '--port', String(port), '--aet', 'PORTICO', '--dir', dir, '--reserve-mb', '1', '--max-matches', String(maxMatches)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  // Drain stdout all the time: it logs a line per association, and a full pipe would block the server.
  child.stdout?.on('data', (c: Buffer) => {
    if (out.length < 8192) out += c.toString('utf8');
  });
  // Opening a large index may take a while the first time (page cache).
  return started('portico', child, 'PORTICO', port, `node ${args.join(' ')}`, async () => out.includes('listening on'), 120_000);
}

export interface OrthancServer extends Server {
  /** GET on its REST API (loopback). */
  rest(path: string): Promise<unknown>;
  count(): Promise<number>;
}

/**
 * Orthanc (Debian's, SQLite) with its default configuration apart from what must be local to this run: ports,
 * storage and index folders, loopback only, no plugins — and the bench's AE title in DicomModalities, since Orthanc
 * answers C-FIND only to modalities it knows (DicomAlwaysAllowFind is false by default).
 */
export async function startOrthanc(dir: string): Promise<OrthancServer> {
  const port = await freePort();
  const httpPort = await freePort();
  await mkdir(dir, { recursive: true });
  const config = {
    Name: 'PorticoQueryBench',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'index'),
    HttpPort: httpPort,
    DicomPort: port,
    DicomAet: 'ORTHANC',
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    Plugins: [],
    DicomModalities: { bench: [BENCH_AET, HOST, 104] },
  };
  const configPath = join(dir, 'orthanc.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const child = spawn(ORTHANC_BIN, [configPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: DCMTK_ENV });
  const rest = async (path: string): Promise<unknown> => {
    const r = await fetch(`http://${HOST}:${httpPort}${path}`, { signal: AbortSignal.timeout(30_000) });
    if (!r.ok) throw new Error(`Orthanc GET ${path}: HTTP ${r.status}`);
    return r.json();
  };
  const ready = async (): Promise<boolean> => (await rest('/system').then(() => true, () => false)) && probe(port, 'ORTHANC');
  const server = await started('orthanc', child, 'ORTHANC', port, `Orthanc ${configPath}`, ready, 120_000);
  return {
    ...server,
    rest,
    count: async () => Number((await rest('/statistics') as { CountInstances?: number }).CountInstances ?? Number.NaN),
  };
}

/** `wlmscpfs -dhl -csk -dfp <dir> <port>`: answers in each file's own character set; files in `<dir>/WLQUERY/`. */
export async function startWlmscpfs(dir: string): Promise<Server> {
  const port = await freePort();
  const args = ['-dhl', '-csk', '-dfp', dir, String(port)];
  const child = spawn('wlmscpfs', args, { stdio: ['ignore', 'pipe', 'pipe'], env: DCMTK_ENV });
  return started('wlmscpfs', child, WLM_AET, port, `wlmscpfs ${args.join(' ')}`, () => probe(port, WLM_AET), 30_000);
}

// -- Clients --------------------------------------------------------------------------------------------------------------

/** DCMTK storescu: one association with these files. */
export const storescu = (server: Server, files: readonly string[], timeoutMs: number): Promise<ProcessRun> =>
  runTimed('storescu', ['-aet', BENCH_AET, '-aec', server.aeTitle, HOST, String(server.port), ...files], DCMTK_ENV, timeoutMs);

export interface LoadResult {
  /** Chunks sent completely (storescu exit 0), in chunk order: a prefix of the list when nothing failed. */
  readonly sent: number;
  readonly files: number;
  readonly ms: number;
  readonly errors: readonly string[];
}

/**
 * Sends chunks of files with `parallel` storescu processes at once, each chunk one association, in order; no new
 * chunk starts after `budgetMs`. Stops at the first failure.
 */
export async function loadChunks(server: Server, chunks: readonly (readonly string[])[], parallel: number, budgetMs: number, log: (t: string) => void): Promise<LoadResult> {
  const t0 = performance.now();
  let next = 0;
  let files = 0;
  const done: boolean[] = [];
  const errors: string[] = [];
  let lastLog = t0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length && performance.now() - t0 < budgetMs && errors.length === 0) {
      const i = next++;
      const r = await storescu(server, chunks[i]!, 300_000);
      const problem = r.code !== 0 ? `storescu exit ${r.code}: ${r.stderr.split('\n').find((l) => l.startsWith('E:')) ?? r.stderr.slice(0, 200)}` : undefined;
      if (problem) errors.push(`chunk ${i}: ${problem}`);
      else {
        done[i] = true;
        files += chunks[i]!.length;
      }
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(`    ${files.toLocaleString('en-US')} instances sent (${((lastLog - t0) / 1000).toFixed(0)} s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  let sent = 0;
  while (done[sent]) sent++;
  const gaps = done.filter(Boolean).length - sent;
  if (gaps > 0) errors.push(`${gaps} chunk(s) after a failed one were sent too`);
  return { sent, files, ms: performance.now() - t0, errors };
}

/** `findscu --repeat n`: one process, one association, the same query n times; wall time from spawn to exit. */
export function findscuRepeat(server: Server, model: 'study' | 'worklist', keys: readonly string[], repeat: number, timeoutMs: number): Promise<ProcessRun> {
  const args = ['-aet', BENCH_AET, '-aec', server.aeTitle, model === 'study' ? '-S' : '-W', '--repeat', String(repeat), ...keys.flatMap((k) => ['-k', k]), HOST, String(server.port)];
  return runTimed('findscu', args, DCMTK_ENV, timeoutMs);
}
