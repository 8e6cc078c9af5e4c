/**
 * Issue 3, load against `portico serve`: many associations at once, the association limit, and thousands of
 * associate / C-ECHO / release cycles with no growth in memory or open file handles.
 *
 * 10,000 cycles take about 5 s on loopback; HOSTILE_FULL=1 runs a 50,000-cycle soak instead.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AssociationRejectedError } from '../../src/core/errors.js';
import { connect } from '../../src/net/ae.js';
import type { Association } from '../../src/net/acse/association.js';
import { echo } from '../../src/services/verification/scu.js';
import { PROMPT_MS } from './expect-reaction.js';
import { ARTIM_MS, echoOnce, memory, MiB, openFds, percentile, startServer, type TestServer } from './fixture.js';
import { verificationRq } from './pdu-bytes.js';
import { RawPeer, sleep } from './raw-peer.js';

const CYCLES = process.env.HOSTILE_FULL === '1' ? 50_000 : 10_000;
const PARALLEL = 4;

const servers: TestServer[] = [];
const open: Association[] = [];
const raw: RawPeer[] = [];

afterAll(async () => {
  for (const a of open.splice(0)) a.abort();
  for (const p of raw.splice(0)) p.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function server(options: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer(options);
  servers.push(s);
  return s;
}

function associate(port: number): Promise<Association> {
  return connect(
    { aeTitle: 'PORTICO', host: '127.0.0.1', port },
    { aeTitle: 'LOADSCU', contexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }], connectTimeout: 10_000, dimseTimeout: 10_000 },
  );
}

/** Retries a normal echo for up to `ms` while the server still counts connections that are closing. */
async function echoWithin(port: number, ms: number): Promise<void> {
  const end = performance.now() + ms;
  for (;;) {
    try {
      await echoOnce(port);
      return;
    } catch (error) {
      if (!(error instanceof AssociationRejectedError) || performance.now() > end) throw error;
      await sleep(50);
    }
  }
}

describe('many associations at once', () => {
  it('200 clients at once, each associate / C-ECHO / release: all succeed', async () => {
    const s = await server({ maxAssociations: 256 });
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => echoOnce(s.port, 20_000)));
    const elapsed = performance.now() - started;
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    expect(failed).toEqual([]);
    const rtts = results.map((r) => (r as PromiseFulfilledResult<number>).value);
    const p99 = percentile(rtts, 99);
    console.info(`[hostile] 200 concurrent echoes: p50 ${percentile(rtts, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, all done in ${elapsed.toFixed(0)} ms`);
    expect(p99).toBeLessThan(15_000);
    await echoOnce(s.port);
  });

  it('with maxAssociations 5, a 6th association is rejected at once: A-ASSOCIATE-RJ result 2 (transient), source 3, reason 2', async () => {
    const s = await server({ maxAssociations: 5 });
    for (let i = 0; i < 5; i++) open.push(await associate(s.port));
    for (const a of open) await echo(a);

    const started = performance.now();
    const error = await associate(s.port).then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(AssociationRejectedError);
    expect(error).toMatchObject({ result: 2, source: 3, reason: 2 });
    expect(elapsed).toBeLessThan(1000);

    // The same, seen on the wire.
    const peer = await RawPeer.connect(s.port);
    raw.push(peer);
    await peer.send(verificationRq());
    const reaction = await peer.reaction(PROMPT_MS);
    expect(reaction).toMatchObject({ kind: 'reject', result: 2, source: 3, reason: 2 });
    expect(await peer.waitClosed(ARTIM_MS + 1500)).toBe(true);

    // The five still work; once they are released, a new client is served.
    for (const a of open) await echo(a);
    for (const a of open.splice(0)) await a.release();
    await echoWithin(s.port, 2000);
  });

  it('silent raw connections hold association slots only until ARTIM closes them', async () => {
    const s = await server({ maxAssociations: 5 });
    const silent: RawPeer[] = [];
    for (let i = 0; i < 5; i++) silent.push(await RawPeer.connect(s.port));
    raw.push(...silent);
    await expect(echoOnce(s.port)).rejects.toMatchObject({ result: 2, source: 3, reason: 2 });
    // ARTIM (Sta2 + Evt18, AA-2) closes them without a word.
    for (const p of silent) expect(await p.waitClosed(ARTIM_MS + 1500)).toBe(true);
    for (const p of silent) expect(p.pdus).toEqual([]);
    await echoWithin(s.port, 2000);
  });
});

describe(`${CYCLES} associate / C-ECHO / release cycles (${PARALLEL} at a time)`, () => {
  it('leave memory and open file handles where they were', { timeout: 300_000 }, async () => {
    const s = await server({ maxAssociations: 64 });
    const run = async (n: number): Promise<number[]> => {
      const rtts: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          while (next < n) {
            next++;
            rtts.push(await echoOnce(s.port, 10_000));
          }
        }),
      );
      return rtts;
    };
    await run(200); // warm-up: JIT, pools, lazily built tables
    await settleFds();
    const fdsBefore = openFds();
    const before = await memory();
    const started = performance.now();
    const rtts = await run(CYCLES);
    const elapsed = performance.now() - started;
    await settleFds(fdsBefore);
    const fdsAfter = openFds();
    const after = await memory();
    console.info(
      `[hostile] ${CYCLES} cycles in ${(elapsed / 1000).toFixed(1)} s (${((elapsed / CYCLES) * PARALLEL).toFixed(2)} ms per cycle per client), ` +
        `echo p99 ${percentile(rtts, 99).toFixed(2)} ms; heap ${((after.heapUsed - before.heapUsed) / MiB).toFixed(1)} MiB, ` +
        `rss ${((after.rss - before.rss) / MiB).toFixed(1)} MiB, fds ${fdsBefore} → ${fdsAfter}, gc ${after.collected ? 'yes' : 'no'}`,
    );
    expect(rtts).toHaveLength(CYCLES);
    expect(fdsAfter).toBeLessThanOrEqual(fdsBefore + 2);
    // With a forced collection the heap must come back; without one, only a looser bound is meaningful.
    expect(after.heapUsed - before.heapUsed).toBeLessThan((after.collected ? 20 : 64) * MiB);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(8 * MiB);
    // rss does not shrink back after a collection (the allocator keeps its pages), so only a runaway is caught here.
    expect(after.rss - before.rss).toBeLessThan(160 * MiB);
    expect(s.server.active).toBe(0);
  });
});

/** Waits (bounded) until sockets that are closing have released their descriptors. */
async function settleFds(target?: number): Promise<void> {
  const end = performance.now() + 3000;
  let last = openFds();
  while (performance.now() < end) {
    await sleep(50);
    const now = openFds();
    if ((target === undefined && now === last) || (target !== undefined && now <= target)) return;
    last = now;
  }
}
