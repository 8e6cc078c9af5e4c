/**
 * `portico serve` as a child process on a data folder the test owns (and removes), on a port that can be reused
 * after the process died (kill -9 tests restart it on the same folder and port), plus the process's peak RSS.
 */
import { readFile } from 'node:fs/promises';
import { type Daemon, freePort, HOST, PORTICO_BIN, REPO_ROOT, sleep, startDaemon } from './net-peers.js';

export interface Serve extends Daemon {
  readonly port: number;
  readonly dir: string;
}

export interface ServeOptions {
  /** A fixed port (a restart); a free one when absent. */
  readonly port?: number;
  /** Extra arguments, after the defaults (`--reserve-mb 1`): a later `--reserve-mb` or `--duplicates` wins. */
  readonly args?: readonly string[];
  readonly readyTimeoutMs?: number;
}

/**
 * `portico serve --host 127.0.0.1 --port P --dir <dir> --reserve-mb 1 ...args`; ready once it printed where it
 * stores (after the listening line, and after recovery). Retries (bounded) when the port is taken.
 */
export async function startServe(dir: string, options: ServeOptions = {}): Promise<Serve> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const args = [PORTICO_BIN, 'serve', '--host', HOST, '--port', String(port), '--dir', dir, '--reserve-mb', '1', ...(options.args ?? [])];
    try {
      const daemon = await startDaemon('portico serve', process.execPath, args, {
        cwd: REPO_ROOT,
        ready: async (d) => /Storing into /.test(d.stdout()),
        readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
      });
      return Object.assign(daemon, { port, dir });
    } catch (error) {
      const taken = /address already in use|EADDRINUSE/i.test((error as Error).message);
      if (!taken || attempt >= 5) throw error;
      await sleep(200 * attempt);
    }
  }
}

/** Kills the process with SIGKILL (by its PID) and waits until it is gone. */
export async function kill9(serve: Daemon): Promise<void> {
  try {
    process.kill(serve.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await serve.exited;
}

/** Peak resident set size (VmHWM) of a live process in bytes, from /proc/<pid>/status. */
export async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}
