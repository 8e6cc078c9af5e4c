/**
 * `portico echo` (the real command line) → DCMTK `storescp` (which answers C-ECHO), and the ways it must fail:
 * a closed port, a listener that never answers. Portico as SCU releasing and aborting against storescp, with
 * storescp's own log saying what it saw and complaining about nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { connect, type DicomServer, listen } from '../../src/net/ae.js';
import { echo } from '../../src/services/verification/scu.js';
import { VerificationSOPClass } from '../../src/services/verification/uids.js';
import { assertPorticoBuilt, complaints, freePort, HOST, portico, startStorescp, type Storescp } from './net-peers.js';
import { AssociationLog, type SilentListener, silentListener } from './net-wire.js';
import { ensurePeers, tempDir } from './peers.js';

let storescp: Storescp | undefined;
let silent: SilentListener | undefined;
let removeDir: (() => Promise<void>) | undefined;
const servers = new Set<DicomServer>();

beforeAll(async () => {
  ensurePeers('storescp');
  assertPorticoBuilt();
  const tmp = await tempDir('net-echo-cli');
  removeDir = tmp.remove;
  storescp = await startStorescp(tmp.dir);
  silent = await silentListener();
});

afterAll(async () => {
  await storescp?.stop();
  await silent?.close();
  await Promise.allSettled([...servers].map((s) => s.close(500)));
  await removeDir?.();
});

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

describe('portico echo → storescp', () => {
  it('exits 0 and prints the round trip', async () => {
    const r = await portico(['echo', `STORESCP@${HOST}:${storescp!.port}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(r.stdout).toMatch(new RegExp(`^C-ECHO STORESCP@127\\.0\\.0\\.1:${storescp!.port}: success in \\d+\\.\\d\\d ms\\n$`));
    expect(r.stderr).toBe('');
  });

  it('--repeat 3 sends three C-ECHOs on one association and prints a summary', async () => {
    const before = storescp!.output().match(/Association Received/g)?.length ?? 0;
    const r = await portico(['echo', `STORESCP@${HOST}:${storescp!.port}`, '--repeat', '3', '--aet', 'REPEATER']);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(4);
    for (const line of out.slice(0, 3)) expect(line).toMatch(/^C-ECHO STORESCP@127\.0\.0\.1:\d+: success in \d+\.\d\d ms$/);
    expect(out[3]).toMatch(/^3 C-ECHOs: min \d+\.\d\d ms, avg \d+\.\d\d ms, max \d+\.\d\d ms$/);
    const after = storescp!.output().match(/Association Received/g)?.length ?? 0;
    expect(after - before).toBe(1);
  });

  it('--json prints one JSON object with every round trip', async () => {
    const r = await portico(['echo', `STORESCP@${HOST}:${storescp!.port}`, '--repeat', '2', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    const result = JSON.parse(r.stdout) as { peer: string; ok: boolean; echoes: number; roundTripMs: number[] };
    expect(result).toMatchObject({ peer: `STORESCP@${HOST}:${storescp!.port}`, ok: true, echoes: 2 });
    expect(result.roundTripMs).toHaveLength(2);
    for (const t of result.roundTripMs) expect(t).toBeGreaterThan(0);
  });
});

describe('portico echo failures', () => {
  it('a closed port: non-zero exit, one line saying connection refused', async () => {
    const port = await freePort();
    const r = await portico(['echo', `NOBODY@${HOST}:${port}`]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([`portico echo: NOBODY@${HOST}:${port}: connection refused`]);
  });

  it('a closed port with --json: the JSON says ok false and why', async () => {
    const port = await freePort();
    const r = await portico(['echo', `NOBODY@${HOST}:${port}`, '--json']);
    expect(r.status).not.toBe(0);
    const result = JSON.parse(r.stdout) as { ok: boolean; error: string; echoes: number };
    expect(result).toMatchObject({ ok: false, echoes: 0 });
    expect(result.error).toMatch(/connection refused/);
  });

  it('a listener that accepts and never answers: --timeout 1 gives up within 2 s with a timeout message', async () => {
    const acceptedBefore = silent!.accepted;
    const started = performance.now();
    const r = await portico(['echo', `SILENT@${HOST}:${silent!.port}`, '--timeout', '1'], 10_000);
    const elapsed = performance.now() - started;
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^portico echo: SILENT@127\.0\.0\.1:\d+: no answer within 1 s\n$/);
    expect(silent!.accepted).toBe(acceptedBefore + 1);
    // One second of waiting plus the start of a Node process.
    expect(elapsed).toBeLessThan(2_500);
  });

  it('an SCP that accepts the association but never answers the C-ECHO: --timeout 1 gives up within 2 s', async () => {
    const mute = await listen({
      aeTitle: 'MUTE',
      port: 0,
      host: HOST,
      services: [
        {
          name: 'Verification that never answers',
          sopClasses: [VerificationSOPClass],
          commands: [0x0030],
          transferSyntaxes: [ImplicitVRLittleEndian],
          handle: (_request, context) => new Promise((resolve) => context.signal.addEventListener('abort', () => resolve({ status: 0x0110 }))),
        },
      ],
    });
    servers.add(mute);
    const log = new AssociationLog(mute);
    const started = performance.now();
    const r = await portico(['echo', `MUTE@${HOST}:${mute.port}`, '--timeout', '1'], 10_000);
    const elapsed = performance.now() - started;
    expect(r.status).not.toBe(0);
    expect(lines(r.stderr)).toEqual([`portico echo: MUTE@${HOST}:${mute.port}: no response to C-ECHO-RQ within 1 s`]);
    expect(elapsed).toBeLessThan(2_500);
    // The command line aborts the association it gave up on.
    expect(await log.nth(1)).toMatchObject({ outcome: 'aborted', requests: 1 });
  });

  it('rejects a malformed peer before connecting', async () => {
    const r = await portico(['echo', 'no-port-here']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/is not a peer: write it AET@host:port/);
  });
});

describe('Portico SCU → storescp: release and abort', () => {
  const verification = [{ abstractSyntax: VerificationSOPClass, transferSyntaxes: [ImplicitVRLittleEndian] }];

  it('a release: Portico sees released, storescp logs "Association Release" and complains about nothing', async () => {
    const from = storescp!.output().length;
    const association = await connect({ aeTitle: 'STORESCP', host: HOST, port: storescp!.port }, { aeTitle: 'RELEASER', contexts: verification });
    await echo(association);
    await association.release();
    expect(await association.ended).toBe('released');
    await waitForSince(storescp!, from, /Association Release\n/);
    const log = storescp!.output().slice(from);
    expect(log).toMatch(/Association Received[\s\S]*Received Echo Request \(MsgID 1\)[\s\S]*Association Release\n/);
    expect(log).not.toMatch(/Aborted/);
    expect(complaints(log)).toEqual([]);
  });

  it('an abort: Portico sees aborted, storescp logs "Association Aborted" and complains about nothing', async () => {
    const from = storescp!.output().length;
    const association = await connect({ aeTitle: 'STORESCP', host: HOST, port: storescp!.port }, { aeTitle: 'ABORTER', contexts: verification });
    await echo(association);
    association.abort();
    expect(await association.ended).toBe('aborted');
    await waitForSince(storescp!, from, /Association Aborted/);
    const log = storescp!.output().slice(from);
    expect(log).toMatch(/Received Echo Request \(MsgID 1\)[\s\S]*Association Aborted/);
    expect(complaints(log)).toEqual([]);
  });
});

async function waitForSince(daemon: Storescp, from: number, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!pattern.test(daemon.output().slice(from))) {
    if (Date.now() > deadline) throw new Error(`storescp did not log ${pattern}:\n${daemon.output().slice(from)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
