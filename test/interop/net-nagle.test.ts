/**
 * A guard against Nagle's algorithm meeting delayed ACKs: with either on a DIMSE exchange, each C-ECHO waits for
 * the peer's delayed ACK (40 ms on Linux), so 300 C-ECHOs on one association take 12 s or more. Without, they take
 * well under a second on loopback. The bound (3 s for 300) is loose enough for a loaded CI machine and an order of
 * magnitude below what Nagle would cost. DCMTK peers run with TCP_NODELAY=1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { connect, type DicomServer, listen } from '../../src/net/ae.js';
import { verificationScp } from '../../src/services/verification/scp.js';
import { echo } from '../../src/services/verification/scu.js';
import { VerificationSOPClass } from '../../src/services/verification/uids.js';
import { HOST, startStorescp, type Storescp } from './net-peers.js';
import { AssociationLog } from './net-wire.js';
import { ensurePeers, run, tempDir } from './peers.js';

const ECHOES = 300;
/** 300 × 40 ms of Nagle would be 12 s. */
const BOUND_MS = 3_000;

let scp: DicomServer | undefined;
let storescp: Storescp | undefined;
let removeDir: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ensurePeers('echoscu', 'storescp');
  scp = await listen({ aeTitle: 'PORTICO', port: 0, host: HOST, services: [verificationScp([ExplicitVRLittleEndian, ImplicitVRLittleEndian])] });
  const tmp = await tempDir('net-nagle');
  removeDir = tmp.remove;
  storescp = await startStorescp(tmp.dir);
});

afterAll(async () => {
  await storescp?.stop();
  await scp?.close(500);
  await removeDir?.();
});

/** Opens an association, sends ECHOES C-ECHOs one after another, releases; returns the time for the C-ECHOs. */
async function echoLoop(aeTitle: string, port: number): Promise<number> {
  const association = await connect(
    { aeTitle, host: HOST, port },
    { aeTitle: 'NAGLE', contexts: [{ abstractSyntax: VerificationSOPClass, transferSyntaxes: [ExplicitVRLittleEndian] }], dimseTimeout: 5_000 },
  );
  try {
    const started = performance.now();
    for (let i = 0; i < ECHOES; i++) await echo(association);
    const elapsed = performance.now() - started;
    await association.release();
    return elapsed;
  } catch (error) {
    association.abort();
    throw error;
  }
}

describe(`${ECHOES} C-ECHOs on one association take far less than ${ECHOES} × 40 ms`, () => {
  it('Portico SCU → Portico SCP', async () => {
    const log = new AssociationLog(scp!);
    const elapsed = await echoLoop('PORTICO', scp!.port);
    expect(elapsed).toBeLessThan(BOUND_MS);
    expect(await log.nth(1)).toMatchObject({ outcome: 'released', requests: ECHOES });
  });

  it('DCMTK echoscu --repeat → Portico SCP (Portico answers without Nagle)', async () => {
    const started = performance.now();
    const r = await run('echoscu', ['-aec', 'PORTICO', '--repeat', String(ECHOES), HOST, String(scp!.port)], { timeoutMs: 30_000 });
    const elapsed = performance.now() - started;
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(elapsed).toBeLessThan(BOUND_MS);
  });

  it('Portico SCU → DCMTK storescp (TCP_NODELAY=1): Portico sends without Nagle', async () => {
    const elapsed = await echoLoop('STORESCP', storescp!.port);
    expect(elapsed).toBeLessThan(BOUND_MS);
    expect(storescp!.output().match(/Received Echo Request/g)!.length).toBeGreaterThanOrEqual(ECHOES);
  });
});
