/**
 * Long-running peers for the network interop tests — DCMTK storescp, Orthanc, `portico serve` — started on free
 * loopback ports with TCP_NODELAY=1 and stopped by their PID; the Portico command line; ports and polling.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { connect } from '../../src/net/ae.js';
import { echo } from '../../src/services/verification/scu.js';
import { VerificationSOPClass } from '../../src/services/verification/uids.js';
import { ORTHANC, PEER_ENV, type RunResult, run } from './peers.js';

/** Every peer and listener of these tests is on loopback. */
export const HOST = '127.0.0.1';
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PORTICO_BIN = join(REPO_ROOT, 'bin', 'portico');

// -- Time ----------------------------------------------------------------------------------------------------------

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function waitUntil<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// -- Ports ---------------------------------------------------------------------------------------------------------

/** A TCP port that was free on loopback a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs `start` (which picks a free port and starts a peer on it) again, up to three times, when the peer could
 * not bind because another process took the port between `freePort` and the peer's bind.
 */
export async function retryOnPortTaken<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const taken = /address already in use|EADDRINUSE|port .* already in use/i.test((error as Error).message);
      if (!taken || attempt >= 3) throw error;
    }
  }
}

// -- Long-running peer processes -----------------------------------------------------------------------------------

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A peer process we started: its output so far, its exit, and `stop()` (SIGTERM, then SIGKILL, by its PID). */
export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<Exit>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Waits until the output matches (bounded); throws with the output when it does not or the process exits. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM by PID; SIGKILL after `graceMs`. Resolves with how it exited. Safe to call twice. */
  stop(graceMs?: number): Promise<Exit>;
}

/** Children still running, killed by PID when this test process exits however it exits. */
const LIVE = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  LIVE.add(child);
  child.once('exit', () => LIVE.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of LIVE) if (c.pid !== undefined) c.kill('SIGKILL');
    });
  }
}

export interface DaemonOptions {
  readonly cwd?: string;
  /** Resolves true once the peer serves; polled every 50 ms. */
  readonly ready: (daemon: Daemon) => Promise<boolean>;
  /** Default 15 s. */
  readonly readyTimeoutMs?: number;
}

/** Starts a peer process with PEER_ENV (TCP_NODELAY=1) and waits until it is ready; stops it when it is not. */
export async function startDaemon(name: string, command: string, args: readonly string[], options: DaemonOptions): Promise<Daemon> {
  const child = spawn(command, args, { cwd: options.cwd, env: PEER_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => (out.push(b), all.push(b)));
  child.stderr!.on('data', (b: Buffer) => (err.push(b), all.push(b)));
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (e) => {
      err.push(Buffer.from(`spawn failed: ${e.message}\n`));
      exit = { code: -1, signal: null };
      resolve(exit);
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  const daemon: Daemon = {
    name,
    pid: child.pid ?? -1,
    exited,
    output: () => Buffer.concat(all).toString('utf8'),
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
    waitForOutput: async (pattern, timeoutMs = 10_000) =>
      waitUntil(`${name} to print ${pattern}`, () => {
        const m = daemon.output().match(pattern);
        if (m) return m;
        if (exit) throw new Error(`${name} exited (${exit.code ?? exit.signal}) before printing ${pattern}:\n${daemon.output().slice(-4000)}`);
        return undefined;
      }, timeoutMs),
    stop: async (graceMs = 3_000) => {
      if (exit) return exit;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (!exit && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      }, graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (exit) throw new Error(`${name} exited (${exit.code ?? exit.signal}) before it was ready:\n${daemon.output().slice(-4000)}`);
    if (await options.ready(daemon).catch(() => false)) return daemon;
    if (Date.now() >= deadline) {
      await daemon.stop();
      throw new Error(`${name} was not ready within ${options.readyTimeoutMs ?? 15_000} ms:\n${daemon.output().slice(-4000)}`);
    }
    await sleep(50);
  }
}

/** True when a C-ECHO to `aeTitle@127.0.0.1:port` succeeds (association released). */
export async function echoes(aeTitle: string, port: number, callingAeTitle = 'PROBE'): Promise<boolean> {
  const association = await connect(
    { aeTitle, host: HOST, port },
    { aeTitle: callingAeTitle, contexts: [{ abstractSyntax: VerificationSOPClass, transferSyntaxes: [ImplicitVRLittleEndian] }], connectTimeout: 1_000, dimseTimeout: 2_000 },
  );
  try {
    await echo(association);
  } finally {
    await association.release().catch(() => association.abort());
  }
  return true;
}

export interface Storescp extends Daemon {
  readonly port: number;
  readonly dir: string;
}

/**
 * DCMTK `storescp -v` on a free port, writing into `dir` (`extraArgs` e.g. `-pdu 4096`, `+B`). It answers C-ECHO
 * and stores every storage SOP class; it accepts any called AE title. Ready when a C-ECHO from `PROBE` succeeds.
 */
export function startStorescp(dir: string, extraArgs: readonly string[] = []): Promise<Storescp> {
  return retryOnPortTaken(async () => {
    const port = await freePort();
    const daemon = await startDaemon('storescp', 'storescp', ['-v', '-od', dir, ...extraArgs, String(port)], {
      ready: () => echoes('STORESCP', port),
    });
    return Object.assign(daemon, { port, dir });
  });
}

/** storescp's log lines that report a problem (DCMTK prefixes: W warning, E error, F fatal). */
export const complaints = (log: string): string[] => log.split('\n').filter((l) => /^[WEF]: /.test(l));

export interface Orthanc extends Daemon {
  readonly dicomPort: number;
  readonly httpPort: number;
  readonly aeTitle: string;
  /** GET/POST on its REST API (loopback); throws unless 2xx. */
  rest(path: string, init?: { method?: string; body?: string | Uint8Array }): Promise<unknown>;
  restBytes(path: string): Promise<Uint8Array>;
}

export interface OrthancOptions {
  readonly aeTitle?: string;
  readonly checkCalledAet?: boolean;
  /** Remote AEs Orthanc knows, by name: [AE title, host, port]. */
  readonly modalities?: Readonly<Record<string, readonly [string, string, number]>>;
}

/**
 * Debian's Orthanc with a temporary configuration in `dir`: HTTP and DICOM on free ports, storage and index in
 * `dir`, no remote access, no authentication, no plugins. Started with TCP_NODELAY=1 (Orthanc's DCMTK reads it).
 * Ready when `GET /system` answers and a C-ECHO succeeds.
 */
export function startOrthanc(dir: string, options: OrthancOptions = {}): Promise<Orthanc> {
  return retryOnPortTaken(() => startOrthancOnce(dir, options));
}

async function startOrthancOnce(dir: string, options: OrthancOptions): Promise<Orthanc> {
  const [httpPort, dicomPort] = [await freePort(), await freePort()];
  const aeTitle = options.aeTitle ?? 'ORTHANC';
  const config = {
    Name: 'PorticoInteropTest',
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: aeTitle,
    DicomCheckCalledAet: options.checkCalledAet ?? true,
    DicomModalities: options.modalities ?? {},
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'index'),
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    HttpServerEnabled: true,
    DicomServerEnabled: true,
    Plugins: [],
    SaveJobs: false,
    DicomScuTimeout: 10,
    DicomAssociationCloseDelay: 0,
  };
  const configPath = join(dir, 'orthanc.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const base = `http://${HOST}:${httpPort}`;
  const request = async (path: string, init: { method?: string; body?: string | Uint8Array } = {}): Promise<Response> => {
    const response = await fetch(`${base}${path}`, { method: init.method ?? 'GET', body: init.body, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`Orthanc ${init.method ?? 'GET'} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response;
  };
  const daemon = await startDaemon('Orthanc', ORTHANC, ['--verbose', configPath], {
    cwd: dir,
    ready: async () => (await request('/system')).ok && (await echoes(aeTitle, dicomPort)),
    readyTimeoutMs: 20_000,
  });
  return Object.assign(daemon, {
    dicomPort,
    httpPort,
    aeTitle,
    rest: async (path: string, init?: { method?: string; body?: string | Uint8Array }) => (await request(path, init)).json() as Promise<unknown>,
    restBytes: async (path: string) => new Uint8Array(await (await request(path)).arrayBuffer()),
  });
}

// -- The Portico command line --------------------------------------------------------------------------------------

/** Throws unless `npm run build` has made dist/ (bin/portico runs the compiled code). */
export function assertPorticoBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('bin/portico needs the compiled code: run `npm run build` first (`npm test` does).');
  }
}

/** Runs `node bin/portico ...args` to completion. */
export function portico(args: readonly string[], timeoutMs = 20_000): Promise<RunResult> {
  return run(process.execPath, [PORTICO_BIN, ...args], { cwd: REPO_ROOT, timeoutMs });
}

export interface PorticoServe extends Daemon {
  readonly port: number;
  /** Its data folder (store/, tmp/, error/, index.sqlite). */
  readonly dir: string;
}

/** `portico serve --port <free> ...args` as a child process; ready when it prints that it listens. */
export function startPorticoServe(args: readonly string[]): Promise<PorticoServe> {
  return retryOnPortTaken(async () => {
    const port = await freePort();
    // Each server gets its own data folder, never one in the repository; stopping the server removes it.
    const dir = mkdtempSync(join(tmpdir(), 'portico-serve-'));
    let daemon: Daemon;
    try {
      daemon = await startDaemon('portico serve', process.execPath, [PORTICO_BIN, 'serve', '--host', HOST, '--port', String(port), '--dir', dir, '--reserve-mb', '1', ...args], {
        cwd: REPO_ROOT,
        ready: async (d) => /listening on/.test(d.stdout()),
      });
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const stopDaemon = daemon.stop.bind(daemon);
    const stop = async (graceMs?: number): Promise<Exit> => {
      const exit = await stopDaemon(graceMs);
      rmSync(dir, { recursive: true, force: true });
      return exit;
    };
    return Object.assign(daemon, { port, dir, stop });
  });
}
