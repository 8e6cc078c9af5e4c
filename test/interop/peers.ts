/**
 * Real peers for the interop tests: DCMTK, dicom3tools, pydicom and Orthanc from Debian. `ensurePeers` installs
 * them when missing and fails loudly when it cannot — an interop test never skips.
 */
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Python that has Debian's python3-pydicom (the pyenv python3 on PATH does not). */
export const PYTHON = '/usr/bin/python3';
/** Where Debian's python3-pydicom keeps its test data. */
export const PYDICOM_DATA = '/usr/lib/python3/dist-packages/pydicom/data';
/** The script that prints a file as pydicom sees it (DICOM JSON + warnings). */
export const PYDICOM_JSON_SCRIPT = fileURLToPath(new URL('./pydicom-json.py', import.meta.url));
/** Debian's Orthanc server (in /usr/sbin, which is not on every user's PATH). */
export const ORTHANC = '/usr/sbin/Orthanc';

const APT_PACKAGES = ['dcmtk', 'dicom3tools', 'python3-pydicom', 'orthanc'] as const;
const INSTALL_TIMEOUT_MS = 280_000;

/** The Debian package that provides each peer command. */
const PACKAGE_OF: Readonly<Record<string, (typeof APT_PACKAGES)[number]>> = {
  dcmdump: 'dcmtk',
  dump2dcm: 'dcmtk',
  img2dcm: 'dcmtk',
  dcmconv: 'dcmtk',
  dcmcjpeg: 'dcmtk',
  dcmdjpeg: 'dcmtk',
  dcmcrle: 'dcmtk',
  dcmcjpls: 'dcmtk',
  dcmodify: 'dcmtk',
  echoscu: 'dcmtk',
  storescu: 'dcmtk',
  storescp: 'dcmtk',
  findscu: 'dcmtk',
  movescu: 'dcmtk',
  getscu: 'dcmtk',
  wlmscpfs: 'dcmtk',
  dciodvfy: 'dicom3tools',
  pydicom: 'python3-pydicom',
  [PYTHON]: 'python3-pydicom',
  Orthanc: 'orthanc',
  [ORTHANC]: 'orthanc',
};

/** Environment for every peer process: TCP_NODELAY=1 (DCMTK reads it for its sockets), no localized messages. */
export const PEER_ENV: NodeJS.ProcessEnv = Object.freeze({ ...process.env, TCP_NODELAY: '1', LC_ALL: 'C', LANG: 'C' });

function onPath(command: string): boolean {
  const candidates = command.includes('/') ? [command] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, command));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** `pydicom` (and `/usr/bin/python3`) means: Debian's python3 can import pydicom. */
function present(command: string): boolean {
  if (command === 'pydicom' || command === PYTHON) {
    if (!onPath(PYTHON)) return false;
    return spawnSync(PYTHON, ['-c', 'import pydicom'], { env: PEER_ENV, stdio: 'ignore', timeout: 30_000 }).status === 0;
  }
  return onPath(command);
}

function installFromDebian(): SpawnSyncReturns<string> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const script = `apt-get update && apt-get install -y --no-install-recommends ${APT_PACKAGES.join(' ')}`;
  const [cmd, args] = isRoot ? ['sh', ['-c', script]] : ['sudo', ['-n', 'sh', '-c', script]];
  return spawnSync(cmd as string, args as string[], {
    env: { ...PEER_ENV, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
    maxBuffer: 64 << 20,
  });
}

/**
 * Makes sure the peer commands exist (`dcmdump`, `dump2dcm`, …, `dciodvfy`, `pydicom` or `/usr/bin/python3`
 * for Debian's Python with pydicom, and `ORTHANC`). When one is missing, installs dcmtk, dicom3tools,
 * python3-pydicom and orthanc with apt-get (synchronously, with a timeout) and checks again; throws when still
 * missing. Call it in `beforeAll`.
 */
export function ensurePeers(...commands: string[]): void {
  const missing = commands.filter((c) => !present(c));
  if (missing.length === 0) return;
  const install = installFromDebian();
  const still = missing.filter((c) => !present(c));
  if (still.length === 0) return;
  const how =
    install.error !== undefined
      ? `apt-get could not run: ${install.error.message}`
      : `apt-get exited with ${install.status ?? install.signal}: ${(install.stderr ?? '').trim().split('\n').slice(-5).join(' | ')}`;
  const packages = [...new Set(still.map((c) => PACKAGE_OF[c] ?? '?'))].join(', ');
  throw new Error(
    `interop peers missing: ${still.join(', ')} (Debian packages ${packages}). They were not found, and installing ` +
      `${APT_PACKAGES.join(' ')} did not provide them (${how}). Interop tests do not skip: install them and run again.`,
  );
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  /** Text or bytes written to stdin. */
  readonly input?: string | Uint8Array;
  /** Default 30 s. */
  readonly timeoutMs?: number;
}

/** Runs a peer command synchronously and returns its exit status and output (nothing is thrown on failure). */
export function runSync(command: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const r = spawnSync(command, args, {
    cwd: options.cwd,
    input: options.input,
    env: PEER_ENV,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
    maxBuffer: 256 << 20,
  });
  if (r.error) throw new Error(`${command} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a peer command asynchronously (so that several peers work in parallel). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: PEER_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')}: ${e.message}`));
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    // A peer that exits without reading its input must not fail the test with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a peer command and throws, with its output, unless it exits 0. */
export async function runOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const r = await run(command, args, options);
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${r.status}\nstdout: ${r.stdout.slice(0, 4000)}\nstderr: ${r.stderr.slice(0, 4000)}`);
  }
  return r;
}

/** A fresh temporary directory, and a function that removes it. */
export async function tempDir(prefix: string): Promise<{ readonly dir: string; readonly remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `portico-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
