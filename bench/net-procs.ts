/**
 * Processes of the network benchmark: the SCPs under test (`portico serve`, DCMTK `storescp`), one-shot client
 * processes (`echoscu`, `portico echo`), and their CPU time from /proc. Every process the bench starts is kept in a
 * registry and stopped by its PID, on success and on failure alike.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The Portico command line (dist/bench/net-procs.js → bin/portico). */
export const PORTICO_BIN = fileURLToPath(new URL('../../bin/portico', import.meta.url));

/**
 * The node options on the first line of a `bin/portico` (`#!/usr/bin/env -S node <options>`): the benchmarks start
 * Portico with them, as the shell and `npm start` do.
 */
export function porticoNodeArgs(bin: string = PORTICO_BIN): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0]!;
  const match = /^#!\S*env -S node((?: \S+)*)$/.exec(first);
  if (!match) throw new Error(`${bin}: the first line is not "#!/usr/bin/env -S node [options]": ${first}`);
  return match[1]!.split(' ').filter(Boolean);
}

/** DCMTK as packaged by Debian has Nagle's algorithm on unless TCP_NODELAY is set (40 ms per message otherwise). */
export const DCMTK_ENV: NodeJS.ProcessEnv = { ...process.env, TCP_NODELAY: '1' };

export const HOST = '127.0.0.1';

/** A TCP port free right now on 127.0.0.1 (the CLI does not take port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const started = new Set<ChildProcess>();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Stops one process by its PID: SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    started.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
  started.delete(child);
}

/** Last resort when the bench dies: SIGKILL whatever it started and that still runs, one PID at a time. */
process.once('exit', () => {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

// -- CPU time from /proc ---------------------------------------------------------------------------------------------

let clockTicks = 0;
const ticksPerSecond = (): number => {
  if (!clockTicks) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
};

/** utime, stime, cutime, cstime of a process, in clock ticks (fields 14–17 of /proc/PID/stat); undefined when gone. */
function statTicks(pid: number): { own: number; reaped: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14 → index 11.
    return { own: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) };
  } catch {
    return undefined;
  }
}

/**
 * CPU milliseconds a server has used: its own, its reaped children's (cutime/cstime), and its live or zombie
 * children's (storescp --fork runs each association in a child). A child reaped between two readings moves from the
 * third term to the second, so differences of two readings stay right.
 */
export function cpuMs(pid: number): number {
  const self = statTicks(pid);
  if (!self) return Number.NaN;
  let ticks = self.own + self.reaped;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const c of children ? children.split(' ') : []) ticks += statTicks(Number(c))?.own ?? 0;
  } catch {
    // no children file: count reaped children only
  }
  return (ticks * 1000) / ticksPerSecond();
}

/** PIDs of a process's children (storescp --fork). */
function childPids(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text ? text.split(' ').map(Number) : [];
  } catch {
    return [];
  }
}

// -- Servers ---------------------------------------------------------------------------------------------------------

export interface ServerProcess {
  readonly id: string;
  readonly label: string;
  readonly aeTitle: string;
  readonly port: number;
  readonly pid: number;
  /** CPU ms used so far (see cpuMs). */
  cpuMs(): number;
  /** The end of what it wrote on stderr (for error messages). */
  tail(): string;
  stop(): Promise<void>;
}

/** The last characters a process wrote on stdout and stderr, for the error messages of the bench. */
export function keepTail(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}

/** Waits until `ready()` resolves true (a rejection counts as not yet), the process exits, or `ms` pass. */
export async function waitReady(child: ChildProcess, ready: () => Promise<boolean>, ms: number, what: string, tail: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}): ${tail().slice(-600)}`);
    if (await ready().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what} not ready within ${ms} ms: ${tail().slice(-600)}`);
}

export interface PorticoServerOptions {
  readonly maxAssociations: number;
  /** Extra node flags (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
}

/** `portico serve` as its own process, so that client and server do not share an event loop. */
export async function startPorticoServer(options: PorticoServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const aeTitle = 'PORTICO';
  const args = [
    ...porticoNodeArgs(), ...(options.nodeArgs ?? []), PORTICO_BIN, 'serve', '--port', String(port), '--host', HOST, '--aet', aeTitle,
    '--max-associations', String(options.maxAssociations),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  const tail = keepTail(child);
  let out = '';
  // Drain stdout all the time: the server logs a line per association, and a full pipe would block it.
  child.stdout?.on('data', (chunk: Buffer) => {
    if (out.length < 4096) out += chunk.toString('utf8');
  });
  try {
    await waitReady(child, async () => out.includes('listening on'), 15_000, 'portico serve', tail);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return {
    id: 'portico',
    label: 'Portico `portico serve`',
    aeTitle,
    port,
    pid: child.pid!,
    cpuMs: () => cpuMs(child.pid!),
    tail,
    stop: () => stopProcess(child),
  };
}

export interface StorescpOptions {
  readonly fork: boolean;
  /** Where received files would go (C-ECHO writes none). */
  readonly outputDir: string;
  /** Resolves true when an association with the server works (the bench passes a Portico C-ECHO). */
  readonly probe: (port: number, aeTitle: string) => Promise<boolean>;
}

/** DCMTK storescp (answers C-ECHO), with TCP_NODELAY=1; with `fork`, one child process per association. */
export async function startStorescp(options: StorescpOptions): Promise<ServerProcess> {
  const port = await freePort();
  const aeTitle = 'STORESCP';
  const args = [...(options.fork ? ['--fork'] : []), '-aet', aeTitle, '-od', options.outputDir, String(port)];
  const child = spawn('storescp', args, { stdio: ['ignore', 'ignore', 'pipe'], env: DCMTK_ENV });
  started.add(child);
  const spawnError = new Promise<boolean>((resolve) => child.once('error', () => resolve(false)));
  const tail = keepTail(child);
  try {
    await waitReady(child, () => Promise.race([options.probe(port, aeTitle), spawnError]), 10_000, `storescp${options.fork ? ' --fork' : ''}`, tail);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  const pid = child.pid!;
  return {
    id: options.fork ? 'storescp-fork' : 'storescp',
    label: options.fork ? 'DCMTK `storescp --fork`' : 'DCMTK `storescp`',
    aeTitle,
    port,
    pid,
    cpuMs: () => cpuMs(pid),
    tail,
    stop: async () => {
      const children = childPids(pid);
      await stopProcess(child);
      // Children of storescp --fork end with their association; stop any that is still there, by its PID.
      for (const c of children) {
        try {
          process.kill(c, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}

// -- One-shot client processes ---------------------------------------------------------------------------------------

export interface ProcessRun {
  readonly ms: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (killed by PID after `timeoutMs`) and times it from spawn to exit. */
export function runTimed(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    started.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => {
      if (stdout.length < 1 << 20) stdout += c.toString('utf8');
    });
    child.stderr?.on('data', (c: Buffer) => {
      if (stderr.length < 4096) stderr += c.toString('utf8');
    });
    const timer = setTimeout(() => void stopProcess(child, 1_000), timeoutMs);
    let finished = false;
    const done = (code: number | null): void => {
      if (finished) return;
      finished = true;
      const ms = performance.now() - t0;
      clearTimeout(timer);
      started.delete(child);
      resolve({ ms, code, stdout, stderr });
    };
    child.once('error', (e) => {
      stderr += String(e);
      done(-1);
    });
    child.once('close', (code) => done(code));
  });
}

/** `echoscu` (TCP_NODELAY=1): one association, `repeat` C-ECHOs, release. */
export const echoscu = (port: number, aeTitle: string, repeat: number, timeoutMs: number): Promise<ProcessRun> =>
  runTimed('echoscu', ['-aet', 'ECHOSCU', '-aec', aeTitle, '--repeat', String(repeat), HOST, String(port)], DCMTK_ENV, timeoutMs);

/** `portico echo --json`: one association, `repeat` C-ECHOs, release. */
export const porticoEcho = (port: number, aeTitle: string, repeat: number, timeoutMs: number): Promise<ProcessRun> =>
  runTimed(process.execPath, [...porticoNodeArgs(), PORTICO_BIN, 'echo', `${aeTitle}@${HOST}:${port}`, '--repeat', String(repeat), '--json'], process.env, timeoutMs);
