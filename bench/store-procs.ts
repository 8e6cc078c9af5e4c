/**
 * Processes of the storage benchmark: a fresh Storage SCP per measurement (DCMTK `storescp`, `storescp +B`, Orthanc,
 * `portico serve`), each in its own temporary folder and on a free loopback port; the SCU processes (DCMTK
 * `storescu`, `portico store`) under `/usr/bin/time`; the memory of a process tree from /proc; and the number of
 * instances each SCP says it stored. Every process started here is tracked and stopped by its PID, on failure too.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probe } from './net-measure.js';
import { cpuMs, DCMTK_ENV, freePort, HOST, keepTail, PORTICO_BIN, porticoNodeArgs, stopProcess, waitReady } from './net-procs.js';

export type ScpKind = 'storescp' | 'storescp-bp' | 'orthanc' | 'portico';

export const SCP_LABELS: Readonly<Record<ScpKind, string>> = {
  storescp: 'DCMTK storescp',
  'storescp-bp': 'DCMTK storescp +B (bit-preserving)',
  orthanc: 'Orthanc (SQLite, default config)',
  portico: 'Portico `portico serve`',
};

/** Orthanc as Debian packages it. */
export const ORTHANC_BIN = '/usr/sbin/Orthanc';
const TIME_BIN = '/usr/bin/time';

// -- The Portico under test -------------------------------------------------------------------------------------------------

let porticoBin = PORTICO_BIN;

/**
 * Copies the built Portico (bin/, dist/src/, package.json; node_modules linked) into `dir` and uses that copy for every
 * `portico serve`, `portico store` and `portico ls` of this run, so that a rebuild of dist/ by someone else during the
 * run cannot change the code under test halfway (or break it while tsc writes). Returns the copy's bin/portico.
 */
export async function snapshotPortico(dir: string): Promise<string> {
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  await mkdir(join(dir, 'bin'), { recursive: true });
  await copyFile(join(repo, 'package.json'), join(dir, 'package.json'));
  await copyFile(join(repo, 'bin', 'portico'), join(dir, 'bin', 'portico'));
  await cp(join(repo, 'dist', 'src'), join(dir, 'dist', 'src'), { recursive: true });
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  porticoBin = join(dir, 'bin', 'portico');
  return porticoBin;
}

// -- Registry: every child is stopped by its PID, also when the bench dies ----------------------------------------------

const live = new Set<ChildProcess>();

/** Registers a child the bench started: killed by its PID, with what it forked, if the bench exits before it does. */
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

process.once('exit', () => {
  for (const child of live) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    for (const pid of processTree(child.pid).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

/** What the bench keeps of a server process it started (see superviseServer). */
export interface Supervised {
  readonly pid: number;
  tail(): string;
  /** Stops it by its PID, then any child it forked that is still there (storescp --fork: one per association). */
  stop(): Promise<void>;
}

/**
 * Tracks a server child and waits until `ready(tail)` says it serves; a spawn error, an early exit or `readyMs`
 * without readiness stop it and throw (with the tail of its output).
 */
export async function superviseServer(child: ChildProcess, command: string, kind: string, ready: (tail: () => string) => Promise<boolean>, readyMs: number): Promise<Supervised> {
  track(child);
  const tail = keepTail(child);
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`${command}: ${e.message}`))));
  spawnFailed.catch(() => undefined);
  const pid = child.pid ?? -1;
  const stop = async (): Promise<void> => {
    const children = pid > 0 ? processTree(pid).slice(1) : [];
    await stopProcess(child, 20_000);
    live.delete(child);
    for (const c of children) {
      try {
        process.kill(c, 'SIGTERM');
      } catch {
        // already gone: it ended with its association
      }
    }
  };
  try {
    await Promise.race([waitReady(child, () => ready(tail), readyMs, kind, tail), spawnFailed]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid, tail, stop };
}

// -- /proc ----------------------------------------------------------------------------------------------------------------

/** A field of /proc/PID/status in kB (VmRSS, VmHWM); 0 when the process is gone. */
function statusKb(pid: number, key: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const at = text.indexOf(`\n${key}:`);
    if (at < 0) return 0;
    return Number.parseInt(text.slice(at + key.length + 2).trimStart(), 10) || 0;
  } catch {
    return 0;
  }
}

/** The PIDs of a process and its descendants (bounded). */
export function processTree(root: number): number[] {
  const seen: number[] = [];
  const todo = [root];
  while (todo.length && seen.length < 10_000) {
    const pid = todo.pop()!;
    seen.push(pid);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        const kids = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
        if (kids) todo.push(...kids.split(' ').map(Number));
      } catch {
        // task ended
      }
    }
  }
  return seen;
}

export interface MemoryPeak {
  /** Tree RSS at the first sample. */
  readonly idleKb: number;
  /** max(largest sum of the tree's VmRSS over the samples, largest VmHWM of any one process of the tree). */
  readonly peakKb: number;
  readonly samples: number;
}

/**
 * Samples the memory of a process tree every `intervalMs` until stopped (at most `maxMs`): the sum of VmRSS over the
 * tree, and each process's VmHWM (the kernel's exact peak; it catches a spike between two samples).
 */
export function watchMemory(root: number, intervalMs = 50, maxMs = 900_000): { stop(): MemoryPeak } {
  let idleKb = -1;
  let peakSum = 0;
  let peakHwm = 0;
  let samples = 0;
  const t0 = Date.now();
  const sample = (): void => {
    let sum = 0;
    for (const pid of processTree(root)) {
      sum += statusKb(pid, 'VmRSS');
      peakHwm = Math.max(peakHwm, statusKb(pid, 'VmHWM'));
    }
    if (idleKb < 0) idleKb = sum;
    peakSum = Math.max(peakSum, sum);
    samples++;
  };
  sample();
  const timer = setInterval(() => {
    if (Date.now() - t0 > maxMs) clearInterval(timer);
    else sample();
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { idleKb, peakKb: Math.max(peakSum, peakHwm), samples };
    },
  };
}

// -- SCPs -----------------------------------------------------------------------------------------------------------------

export interface Scp {
  readonly kind: ScpKind;
  /** kind, with `-fork` for storescp --fork. */
  readonly id: string;
  readonly aeTitle: string;
  readonly port: number;
  readonly pid: number;
  /** The exact command line, for the report. */
  readonly command: string;
  /** CPU ms of the process and its children so far. */
  cpuMs(): number;
  /** What it wrote on stderr/stdout lately. */
  tail(): string;
  /** How many instances it says it holds (files on disk, Orthanc /statistics, `portico ls --json`). */
  count(): Promise<number>;
  /** Orthanc answers `count()` over REST while it runs; the others are counted after `stop()`. */
  readonly countWhileRunning: boolean;
  stop(): Promise<void>;
}

export interface StartScpOptions {
  /** A fresh empty folder: the SCP's storage goes below it. */
  readonly workDir: string;
  /** storescp: `--fork` (one child process per association). Needed for parallel associations. */
  readonly fork: boolean;
  /** Node flags for `portico serve` (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  readonly readyTimeoutMs?: number;
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

/** Runs a command to its end (killed by PID after `timeoutMs`): exit code and output. */
function runToEnd(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    track(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => {
      if (stdout.length < 16 << 20) stdout += c.toString('utf8');
    });
    child.stderr?.on('data', (c: Buffer) => {
      if (stderr.length < 64 << 10) stderr += c.toString('utf8');
    });
    // On timeout: SIGKILL the child's descendants (the SCU under /usr/bin/time), then the child, each by its PID.
    const timer = setTimeout(() => {
      for (const pid of child.pid === undefined ? [] : processTree(child.pid).slice(1).reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      void stopProcess(child, 1_000);
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(e) });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a fresh SCP of `kind` in `options.workDir`; resolves once it answers (stopped again if it never does). */
export async function startScp(kind: ScpKind, options: StartScpOptions): Promise<Scp> {
  const port = await freePort();
  const readyMs = options.readyTimeoutMs ?? 30_000;
  let child: ChildProcess;
  let aeTitle: string;
  let command: string;
  let ready: (tail: () => string) => Promise<boolean>;
  let count: () => Promise<number>;
  if (kind === 'storescp' || kind === 'storescp-bp') {
    aeTitle = 'STORESCP';
    const out = join(options.workDir, 'store');
    await mkdir(out, { recursive: true });
    const args = ['-aet', aeTitle, ...(options.fork ? ['--fork'] : []), ...(kind === 'storescp-bp' ? ['+B'] : []), '-od', out, String(port)];
    command = `storescp ${args.join(' ')}`;
    child = spawn('storescp', args, { stdio: ['ignore', 'pipe', 'pipe'], env: DCMTK_ENV });
    ready = () => probe(port, aeTitle);
    count = () => countFiles(out);
  } else if (kind === 'orthanc') {
    aeTitle = 'ORTHANC';
    const httpPort = await freePort();
    // Orthanc's defaults, except what must be local to this run: ports, folders, loopback only, no plugins.
    const config = {
      Name: 'PorticoStoreBench',
      StorageDirectory: join(options.workDir, 'storage'),
      IndexDirectory: join(options.workDir, 'index'),
      HttpPort: httpPort,
      DicomPort: port,
      DicomAet: aeTitle,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      Plugins: [],
    };
    const configPath = join(options.workDir, 'orthanc.json');
    await writeFile(configPath, JSON.stringify(config, null, 2));
    command = `Orthanc ${configPath}`;
    child = spawn(ORTHANC_BIN, [configPath], { cwd: options.workDir, stdio: ['ignore', 'pipe', 'pipe'], env: DCMTK_ENV });
    const rest = async (path: string): Promise<unknown> => {
      const r = await fetch(`http://${HOST}:${httpPort}${path}`, { signal: AbortSignal.timeout(10_000) });
      if (!r.ok) throw new Error(`Orthanc GET ${path}: HTTP ${r.status}`);
      return r.json();
    };
    ready = async () => (await rest('/system').then(() => true, () => false)) && (await probe(port, aeTitle));
    count = async () => Number((await rest('/statistics') as { CountInstances?: number }).CountInstances ?? Number.NaN);
  } else {
    aeTitle = 'PORTICO';
    const dir = join(options.workDir, 'data');
    const args = [...porticoNodeArgs(porticoBin), ...(options.nodeArgs ?? []), porticoBin, 'serve', '--host', HOST, '--port', String(port), '--aet', aeTitle, '--dir', dir, '--reserve-mb', '1'];
    command = `node ${args.join(' ')}`;
    child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout?.on('data', (c: Buffer) => {
      if (stdout.length < 8192) stdout += c.toString('utf8');
    });
    ready = async () => stdout.includes('listening on');
    count = async () => {
      const r = await runToEnd(process.execPath, [porticoBin, 'ls', '--dir', dir, '--json'], process.env, 60_000);
      if (r.code !== 0) throw new Error(`portico ls failed (${r.code}): ${r.stderr.slice(0, 300)}`);
      // `{ counts: { instances } }`, or `{ instances }` as earlier builds printed it.
      const json = JSON.parse(r.stdout) as { instances?: number; counts?: { instances?: number } };
      return Number(json.counts?.instances ?? json.instances ?? Number.NaN);
    };
  }
  const { pid, tail, stop } = await superviseServer(child, command, kind, ready, readyMs);
  const id = options.fork && kind.startsWith('storescp') ? `${kind}-fork` : kind;
  return { kind, id, aeTitle, port, pid, command, cpuMs: () => cpuMs(pid), tail, count, countWhileRunning: kind === 'orthanc', stop };
}

// -- SCUs -----------------------------------------------------------------------------------------------------------------

export interface ScuResult {
  readonly ms: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From /usr/bin/time (NaN without it): max RSS and user+sys CPU of the SCU process. */
  readonly peakRssKb: number;
  readonly cpuMs: number;
}

export const hasTime = (): boolean => existsSync(TIME_BIN);

/** Runs one SCU process to its end under /usr/bin/time (killed by PID after `timeoutMs`), timed from spawn to exit. */
export async function runScu(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number, statsFile: string): Promise<ScuResult> {
  const timed = hasTime();
  const argv = timed ? ['-f', '%M %U %S', '-o', statsFile, command, ...args] : [...args];
  const t0 = performance.now();
  const r = await runToEnd(timed ? TIME_BIN : command, argv, env, timeoutMs);
  const ms = performance.now() - t0;
  let peakRssKb = Number.NaN;
  let scuCpuMs = Number.NaN;
  if (timed) {
    try {
      // The last line holds the numbers; a line before it may say "Command exited with non-zero status".
      const last = (await readFile(statsFile, 'utf8')).trim().split('\n').pop() ?? '';
      const [rss, user, sys] = last.split(' ').map(Number);
      peakRssKb = rss ?? Number.NaN;
      scuCpuMs = ((user ?? Number.NaN) + (sys ?? Number.NaN)) * 1000;
    } catch {
      // no stats: leave NaN
    }
  }
  return { ms, code: r.code, stdout: r.stdout, stderr: r.stderr, peakRssKb, cpuMs: scuCpuMs };
}

/** DCMTK storescu: one association with every file of `files`, TCP_NODELAY=1. */
export const storescu = (scp: Scp, files: readonly string[], timeoutMs: number, statsFile: string): Promise<ScuResult> =>
  runScu('storescu', ['-aet', 'BENCHSCU', '-aec', scp.aeTitle, HOST, String(scp.port), ...files], DCMTK_ENV, timeoutMs, statsFile);

/** `portico store AET@host:port files... --json --no-progress`. */
export const porticoStore = (scp: Scp, files: readonly string[], timeoutMs: number, statsFile: string, nodeArgs: readonly string[] = []): Promise<ScuResult> =>
  runScu(process.execPath, [...porticoNodeArgs(porticoBin), ...nodeArgs, porticoBin, 'store', `${scp.aeTitle}@${HOST}:${scp.port}`, ...files, '--aet', 'BENCHSCU', '--json', '--no-progress'], process.env, timeoutMs, statsFile);

/** Whether `portico store` exists in this build (the SCU is written in parallel with this bench). */
export function porticoStoreAvailable(): boolean {
  try {
    return execFileSync(process.execPath, [porticoBin, 'store', '--help'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).includes('C-STORE');
  } catch {
    return false;
  }
}

/** Flushes dirty pages to disk, so that one measurement's write-back does not land in the next one. */
export function syncDisks(): void {
  try {
    execFileSync('sync', [], { timeout: 120_000 });
  } catch {
    // best effort
  }
}

/** The version line of a peer (for the report). */
export function versionOf(command: string, args: readonly string[]): string {
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n').find((l) => /\d+\.\d+/.test(l))?.trim() ?? out.trim().slice(0, 80);
  } catch (error) {
    return `unknown (${String((error as Error).message).slice(0, 60)})`;
  }
}
