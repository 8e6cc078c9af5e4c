import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** An Io that keeps what a command prints. */
export function captureIo(): Io & { stdout: string; stderr: string[] } {
  const io = {
    stdout: '',
    stderr: [] as string[],
    exitCode: 0,
    out(text: string) {
      io.stdout += text;
    },
    err(line: string) {
      io.stderr.push(line);
    },
  };
  return io;
}

/** Runs `portico <args>` in this process: the exit code and what it printed. */
export async function runPortico(...args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const io = captureIo();
  const code = await main(['node', 'portico', ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}
