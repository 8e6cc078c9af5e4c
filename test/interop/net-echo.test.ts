/**
 * DCMTK `echoscu` → Portico's Verification SCP, in-process (`listen`) and as the real `portico serve` child
 * process: transfer syntax negotiation for the three uncompressed syntaxes, several C-ECHOs on one association,
 * called and calling AE title checks (with echoscu's exit status and its reject text), and release / abort as
 * Portico records them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { type DicomServer, type ListenOptions, listen } from '../../src/net/ae.js';
import { verificationScp } from '../../src/services/verification/scp.js';
import {
  assertPorticoBuilt,
  type Daemon,
  HOST,
  type PorticoServe,
  startPorticoServe,
  waitUntil,
} from './net-peers.js';
import { AssociationLog, recordingVerificationScp } from './net-wire.js';
import { ensurePeers, type RunResult, run } from './peers.js';

const UNCOMPRESSED = [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian] as const;

/** echoscu against 127.0.0.1:port; `args` go before the host (DCMTK options). Output is stdout + stderr. */
async function echoscu(port: number, args: readonly string[]): Promise<RunResult & { readonly output: string }> {
  const r = await run('echoscu', ['-v', ...args, HOST, String(port)], { timeoutMs: 15_000 });
  return { ...r, output: `${r.stdout}${r.stderr}` };
}

const servers = new Set<DicomServer>();
const daemons = new Set<Daemon>();

async function startScp(options: Partial<ListenOptions> = {}): Promise<{ server: DicomServer; log: AssociationLog }> {
  const server = await listen({ aeTitle: 'PORTICO', port: 0, host: HOST, services: [verificationScp(UNCOMPRESSED)], ...options });
  servers.add(server);
  return { server, log: new AssociationLog(server) };
}

async function stopScp(server: DicomServer): Promise<void> {
  servers.delete(server);
  await server.close(1_000);
}

beforeAll(() => {
  ensurePeers('echoscu');
});

afterAll(async () => {
  await Promise.allSettled([...servers].map((s) => s.close(500)));
  await Promise.allSettled([...daemons].map((d) => d.stop()));
});

describe('echoscu → Portico listen(): transfer syntaxes', () => {
  const cases = [
    ['Implicit VR Little Endian', ImplicitVRLittleEndian],
    ['Explicit VR Little Endian', ExplicitVRLittleEndian],
    ['Explicit VR Big Endian', ExplicitVRBigEndian],
  ] as const;

  it.each(cases)('accepts Verification in %s when echoscu proposes all three (-pts 3)', async (_name, ts) => {
    const seen: string[] = [];
    const { server, log } = await startScp({ services: [recordingVerificationScp([ts], seen)] });
    try {
      const r = await echoscu(server.port, ['-aec', 'PORTICO', '-pts', '3']);
      expect(r.status, r.output).toBe(0);
      expect(r.output).toMatch(/Received Echo Response \(Success\)/);
      expect(seen).toEqual([ts]);
      const record = await log.nth(1);
      expect(record.outcome).toBe('released');
      expect(record.contexts).toEqual(['1.2.840.10008.1.1']);
    } finally {
      await stopScp(server);
    }
  });

  it('picks its own preference (Explicit VR Little Endian) among the three', async () => {
    const seen: string[] = [];
    const { server } = await startScp({ services: [recordingVerificationScp(UNCOMPRESSED, seen)] });
    try {
      const r = await echoscu(server.port, ['-aec', 'PORTICO', '-pts', '3']);
      expect(r.status, r.output).toBe(0);
      expect(seen).toEqual([ExplicitVRLittleEndian]);
    } finally {
      await stopScp(server);
    }
  });

  it('accepts Implicit VR Little Endian when that is all echoscu proposes (-pts 1)', async () => {
    const seen: string[] = [];
    const { server } = await startScp({ services: [recordingVerificationScp(UNCOMPRESSED, seen)] });
    try {
      const r = await echoscu(server.port, ['-aec', 'PORTICO', '-pts', '1']);
      expect(r.status, r.output).toBe(0);
      expect(seen).toEqual([ImplicitVRLittleEndian]);
    } finally {
      await stopScp(server);
    }
  });

  it('rejects the presentation context when no proposed syntax is supported (echoscu fails, nothing is served)', async () => {
    const seen: string[] = [];
    const { server, log } = await startScp({ services: [recordingVerificationScp([ExplicitVRBigEndian], seen)] });
    try {
      const r = await echoscu(server.port, ['-aec', 'PORTICO', '-pts', '1']);
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/No Acceptable Presentation Contexts/i);
      expect(seen).toEqual([]);
      const record = await log.nth(1);
      expect(record.requests).toBe(0);
    } finally {
      await stopScp(server);
    }
  });
});

describe('echoscu → Portico listen(): one association, AE titles, release and abort', () => {
  let scp: { server: DicomServer; log: AssociationLog };
  beforeAll(async () => {
    scp = await startScp();
  });

  it('answers several C-ECHOs on one association (--repeat 5)', async () => {
    const before = scp.log.records.length;
    const r = await echoscu(scp.server.port, ['-aec', 'PORTICO', '--repeat', '5']);
    expect(r.status, r.output).toBe(0);
    expect(r.output.match(/Received Echo Response \(Success\)/g)).toHaveLength(5);
    expect(r.output.match(/Requesting Association/g)).toHaveLength(1);
    const record = await scp.log.nth(before + 1);
    expect(record).toMatchObject({ callingAeTitle: 'ECHOSCU', calledAeTitle: 'PORTICO', outcome: 'released', requests: 5 });
  });

  it('records a release as released', async () => {
    const before = scp.log.records.length;
    const r = await echoscu(scp.server.port, ['-aec', 'PORTICO']);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/Releasing Association/);
    expect((await scp.log.nth(before + 1)).outcome).toBe('released');
  });

  it('records echoscu --abort as aborted', async () => {
    const before = scp.log.records.length;
    const r = await echoscu(scp.server.port, ['-aec', 'PORTICO', '--abort']);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/Aborting Association/);
    const record = await scp.log.nth(before + 1);
    expect(record).toMatchObject({ outcome: 'aborted', requests: 1 });
    await waitUntil('the aborted association to be gone', () => (scp.server.active === 0 ? true : undefined));
  });

  it('rejects a wrong called AE title (called-AE-not-recognized)', async () => {
    const before = scp.log.records.length;
    const r = await echoscu(scp.server.port, ['-aec', 'NOT-PORTICO']);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/Association Rejected/);
    expect(r.output).toMatch(/Rejected Permanent, Source: Service User/);
    expect(r.output).toMatch(/Called AE Title Not Recognized/);
    const record = await scp.log.nth(before + 1);
    expect(record).toMatchObject({ outcome: 'rejected', calledAeTitle: 'NOT-PORTICO', requests: 0 });
  });

  afterAll(async () => {
    await stopScp(scp.server);
  });
});

describe('echoscu → Portico listen(): AE title policy', () => {
  it('accepts any called AE title when checkCalledAeTitle is false', async () => {
    const { server, log } = await startScp({ checkCalledAeTitle: false });
    try {
      const r = await echoscu(server.port, ['-aec', 'WHATEVER']);
      expect(r.status, r.output).toBe(0);
      expect(await log.nth(1)).toMatchObject({ calledAeTitle: 'WHATEVER', outcome: 'released', requests: 1 });
    } finally {
      await stopScp(server);
    }
  });

  it('rejects a calling AE title that is not allowed (calling-AE-not-recognized) and accepts an allowed one', async () => {
    const { server, log } = await startScp({ allowedCallingAeTitles: ['MODALITY'] });
    try {
      const bad = await echoscu(server.port, ['-aec', 'PORTICO', '-aet', 'STRANGER']);
      expect(bad.status).not.toBe(0);
      expect(bad.output).toMatch(/Calling AE Title Not Recognized/);
      expect(await log.nth(1)).toMatchObject({ callingAeTitle: 'STRANGER', outcome: 'rejected' });
      const good = await echoscu(server.port, ['-aec', 'PORTICO', '-aet', 'MODALITY']);
      expect(good.status, good.output).toBe(0);
      expect(await log.nth(2)).toMatchObject({ callingAeTitle: 'MODALITY', outcome: 'released' });
    } finally {
      await stopScp(server);
    }
  });

  it('binds an allowed calling AE title to a host', async () => {
    const here = await startScp({ allowedCallingAeTitles: [{ aeTitle: 'MODALITY', host: HOST }] });
    const elsewhere = await startScp({ allowedCallingAeTitles: [{ aeTitle: 'MODALITY', host: '192.0.2.10' }] });
    try {
      const ok = await echoscu(here.server.port, ['-aec', 'PORTICO', '-aet', 'MODALITY']);
      expect(ok.status, ok.output).toBe(0);
      const refused = await echoscu(elsewhere.server.port, ['-aec', 'PORTICO', '-aet', 'MODALITY']);
      expect(refused.status).not.toBe(0);
      expect(refused.output).toMatch(/Calling AE Title Not Recognized/);
    } finally {
      await Promise.all([stopScp(here.server), stopScp(elsewhere.server)]);
    }
  });
});

/** The association records `portico serve` logs on stderr: `association A → B from …: outcome`. */
function servedOutcomes(serve: Daemon): string[] {
  return [...serve.stderr().matchAll(/association (\S+) → (\S+) from \S+: (\w+)/g)].map((m) => `${m[1]}→${m[2]}:${m[3]}`);
}

describe('echoscu → `portico serve` (the real command line)', () => {
  let serve: PorticoServe;
  beforeAll(async () => {
    assertPorticoBuilt();
    serve = await startPorticoServe(['--aet', 'PORTICO', '--max-pdu', '8192']);
    daemons.add(serve);
  });

  it('prints what it listens on', () => {
    expect(serve.stdout()).toMatch(new RegExp(`Portico PORTICO listening on ${HOST.replace(/\./g, '\\.')}:${serve.port}; accepts Verification`));
  });

  it('answers C-ECHOs on one association, offering its --max-pdu to the requestor', async () => {
    const r = await echoscu(serve.port, ['-aec', 'PORTICO', '--repeat', '3', '-pts', '3']);
    expect(r.status, r.output).toBe(0);
    expect(r.output.match(/Received Echo Response \(Success\)/g)).toHaveLength(3);
    // DCMTK's Max Send PDV is our maximum PDU length less the PDV header (4 + 1 + 1) and P-DATA-TF header (6).
    expect(r.output).toMatch(/Association Accepted \(Max Send PDV: 8180\)/);
    await serve.waitForOutput(/association ECHOSCU → PORTICO from \S+: released/);
  });

  it('logs echoscu --abort as aborted', async () => {
    const r = await echoscu(serve.port, ['-aec', 'PORTICO', '-aet', 'ABORTER', '--abort']);
    expect(r.status, r.output).toBe(0);
    await serve.waitForOutput(/association ABORTER → PORTICO from \S+: aborted/);
  });

  it('rejects a wrong called AE title', async () => {
    const r = await echoscu(serve.port, ['-aec', 'SOMEONE-ELSE', '-aet', 'WRONGCALLED']);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/Called AE Title Not Recognized/);
    await serve.waitForOutput(/association WRONGCALLED → SOMEONE-ELSE from \S+: rejected/);
  });

  it('stops on SIGTERM with exit code 0 after saying so', async () => {
    const exit = await serve.stop(5_000);
    daemons.delete(serve);
    expect(exit, serve.output()).toEqual({ code: 0, signal: null });
    expect(serve.stdout()).toMatch(/Stopping: finishing open associations\.\.\.\nStopped\.\n$/);
    expect(servedOutcomes(serve)).toEqual(['ECHOSCU→PORTICO:released', 'ABORTER→PORTICO:aborted', 'WRONGCALLED→SOMEONE-ELSE:rejected']);
  });
});

describe('echoscu → `portico serve` with AE title options', () => {
  it('--no-check-called-aet accepts any called AE title', async () => {
    assertPorticoBuilt();
    const serve = await startPorticoServe(['--aet', 'PORTICO', '--no-check-called-aet']);
    daemons.add(serve);
    try {
      const r = await echoscu(serve.port, ['-aec', 'ANY-SCP']);
      expect(r.status, r.output).toBe(0);
      await serve.waitForOutput(/association ECHOSCU → ANY-SCP from \S+: released/);
    } finally {
      await serve.stop();
      daemons.delete(serve);
    }
  });

  it('--allow MODALITY accepts that calling AE title and rejects others (calling-AE-not-recognized)', async () => {
    assertPorticoBuilt();
    const serve = await startPorticoServe(['--aet', 'PORTICO', '--allow', 'MODALITY']);
    daemons.add(serve);
    try {
      const good = await echoscu(serve.port, ['-aec', 'PORTICO', '-aet', 'MODALITY']);
      expect(good.status, good.output).toBe(0);
      const bad = await echoscu(serve.port, ['-aec', 'PORTICO', '-aet', 'STRANGER']);
      expect(bad.status).not.toBe(0);
      expect(bad.output).toMatch(/Calling AE Title Not Recognized/);
      await serve.waitForOutput(/association STRANGER → PORTICO from \S+: rejected/);
    } finally {
      await serve.stop();
      daemons.delete(serve);
    }
  });

  it('--allow MODALITY@127.0.0.1 binds the calling AE title to the host it comes from', async () => {
    assertPorticoBuilt();
    const here = await startPorticoServe(['--aet', 'PORTICO', '--allow', `MODALITY@${HOST}`]);
    daemons.add(here);
    const elsewhere = await startPorticoServe(['--aet', 'PORTICO', '--allow', 'MODALITY@192.0.2.10']);
    daemons.add(elsewhere);
    try {
      const ok = await echoscu(here.port, ['-aec', 'PORTICO', '-aet', 'MODALITY']);
      expect(ok.status, ok.output).toBe(0);
      const refused = await echoscu(elsewhere.port, ['-aec', 'PORTICO', '-aet', 'MODALITY']);
      expect(refused.status).not.toBe(0);
      expect(refused.output).toMatch(/Calling AE Title Not Recognized/);
    } finally {
      await Promise.all([here.stop(), elsewhere.stop()]);
      daemons.delete(here);
      daemons.delete(elsewhere);
    }
  });
});
