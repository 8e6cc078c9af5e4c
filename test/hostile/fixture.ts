/**
 * The server under attack and the checks every hostile case ends with: a Verification SCP on 127.0.0.1, port 0,
 * with short timers, and a well-behaved client that must still get its C-ECHO answered afterwards.
 */
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type AssociationRecord, connect, type DicomServer, listen, type ListenOptions } from '../../src/net/ae.js';
import { echo } from '../../src/services/verification/scu.js';
import { verificationScp } from '../../src/services/verification/scp.js';
import { RawPeer } from './raw-peer.js';
import { SERVER_TRANSFER_SYNTAXES, T, verificationRq } from './pdu-bytes.js';

export const ARTIM_MS = 300;
export const IDLE_MS = 2000;

export interface TestServer {
  readonly server: DicomServer;
  readonly port: number;
  readonly records: AssociationRecord[];
  close(): Promise<void>;
}

export async function startServer(options: Partial<ListenOptions> = {}): Promise<TestServer> {
  const server = await listen({
    aeTitle: 'PORTICO',
    port: 0,
    host: '127.0.0.1',
    services: [verificationScp([...SERVER_TRANSFER_SYNTAXES])],
    artimTimeout: ARTIM_MS,
    idleTimeout: IDLE_MS,
    dimseTimeout: 5000,
    ...options,
  });
  const records: AssociationRecord[] = [];
  server.onAssociation = (r) => {
    records.push(r);
    if (records.length > 1000) records.shift();
  };
  return { server, port: server.port, records, close: () => server.close(500) };
}

/** A normal client: connect, C-ECHO, release. Resolves with the echo round trip in ms. */
export async function echoOnce(port: number, timeoutMs = 3000): Promise<number> {
  const association = await connect(
    { aeTitle: 'PORTICO', host: '127.0.0.1', port },
    {
      aeTitle: 'GOODSCU',
      contexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
      connectTimeout: timeoutMs,
      dimseTimeout: timeoutMs,
    },
  );
  try {
    const { roundTripMs } = await echo(association);
    await association.release();
    return roundTripMs;
  } catch (error) {
    association.abort();
    throw error;
  }
}

/** A raw peer with an association established (Verification on context `contextId`): the A-ASSOCIATE-AC was received. */
export async function rawAssociated(port: number, contextId = 1): Promise<RawPeer> {
  const peer = await RawPeer.connect(port);
  await peer.send(verificationRq(contextId));
  const ac = await peer.pduAt(0, 2000);
  if (ac?.type !== T.AC) {
    peer.destroy();
    throw new Error(`expected an A-ASSOCIATE-AC, got ${ac === undefined ? 'nothing' : `PDU type ${ac.type}`}`);
  }
  return peer;
}

let gcFn: (() => void) | undefined;

/** `global.gc` when the runner exposes it, else one made available through V8 flags; undefined when neither works. */
export function gc(): (() => void) | undefined {
  if (gcFn) return gcFn;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (gcFn = exposed);
  try {
    setFlagsFromString('--expose-gc');
    const made = runInNewContext('gc') as unknown;
    if (typeof made === 'function') gcFn = made as () => void;
  } catch {
    gcFn = undefined;
  }
  return gcFn;
}

export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
  readonly arrayBuffers: number;
  readonly external: number;
  readonly collected: boolean;
}

/** Memory after a full collection (twice, with a turn of the event loop between) when gc is available. */
export async function memory(): Promise<MemorySample> {
  const collect = gc();
  if (collect) {
    collect();
    await new Promise((r) => setImmediate(r));
    collect();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external, collected: collect !== undefined };
}

/** Open file descriptors of this process (Linux). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

export const MiB = 1024 * 1024;

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
