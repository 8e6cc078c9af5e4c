import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEcho } from './echo.js';
import type { Io } from './io.js';
import { runServe } from './serve.js';

function capture(): Io & { text: () => string; lines: string[] } {
  const lines: string[] = [];
  let out = '';
  return {
    exitCode: 0,
    out: (t: string) => {
      out += t;
    },
    err: (l: string) => {
      lines.push(l);
    },
    text: () => out,
    lines,
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'portico-serve-test-'));
const serveOptions = { dir: dataDir, duplicates: 'keep-first' as const, reserveMb: 1, port: 0, aet: 'PORTICO', host: '127.0.0.1', maxAssociations: 10, maxPdu: 65536, checkCalledAet: true, artimTimeout: 5, idleTimeout: 30, remote: [], maxMatches: 1000 };
const logLines: string[] = [];
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A port nothing listens on right now (asked of the kernel, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('portico serve', () => {
  it('says what it accepts, answers C-ECHO, logs one line per association, and stops cleanly', async () => {
    const io = capture();
    const stop = new AbortController();
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      logLines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const running = runServe(serveOptions, io, stop.signal);
      for (let i = 0; i < 100 && !io.text().includes('listening'); i++) await new Promise((r) => setTimeout(r, 20));
      const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(io.text())![1]);
      expect(io.text()).toContain('accepts Verification SOP Class');
      const echoIo = capture();
      expect(await runEcho({ aeTitle: 'PORTICO', host: '127.0.0.1', port }, { aet: 'TESTER', repeat: 2, timeout: 5 }, echoIo)).toBe(0);
      expect(echoIo.text()).toMatch(/C-ECHO PORTICO@127\.0\.0\.1:\d+: success in [\d.]+ ms/);
      const rejected = capture();
      expect(await runEcho({ aeTitle: 'OTHER', host: '127.0.0.1', port }, { aet: 'TESTER', repeat: 1, timeout: 5 }, rejected)).toBe(1);
      expect(rejected.lines).toEqual([`portico echo: OTHER@127.0.0.1:${port}: association rejected (permanent) by the service user: called AE title not recognized`]);
      stop.abort();
      expect(await running).toBe(0);
      expect(io.text()).toContain('Stopped.');
    } finally {
      process.stderr.write = original;
    }
    const records = logLines.join('').split('\n').filter((l) => l.includes('association '));
    expect(records).toHaveLength(2);
    expect(records[0]).toMatch(/INFO association TESTER → PORTICO from 127\.0\.0\.1:\d+: released contexts=1 requests=2 ms=\d+/);
    expect(records[1]).toMatch(/rejected .*called AE title 'OTHER' is not 'PORTICO'/);
  });

  it('exits 0 on SIGTERM (the real process, started through its #! line as `npm start` does)', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'portico-serve-sigterm-'));
    const child = spawn('./bin/portico', ['serve', '--port', String(port), '--host', '127.0.0.1', '--dir', dir, '--reserve-mb', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let exitCode: number | null | undefined;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    for (let i = 0; i < 1200 && !out.includes('listening') && exitCode === undefined; i++) await new Promise((r) => setTimeout(r, 25));
    expect(out, `stderr: ${err}`).toContain(`listening on 127.0.0.1:${port}`);
    // The #! line gives V8 a 64 MB starting old-space limit (see bin/portico): without it a full collection ran every
    // ~12 MB received. `npm start` runs ./bin/portico, so it has the option too.
    expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')).toContain('--initial-old-space-size=64');
    expect((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start).toBe('./bin/portico serve');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('Stopped.');
    rmSync(dir, { recursive: true, force: true });
  });
});
