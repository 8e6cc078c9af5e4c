/**
 * Stand-ins on the wire for the network interop tests: a listener that never answers, a TCP proxy that records
 * the header of every PDU in both directions, Portico SCP services that record what they were sent, and a
 * collector of a Portico server's association records.
 */
import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import type { AssociationRecord, DicomServer } from '../../src/net/ae.js';
import type { ScpService } from '../../src/net/service.js';
import { VerificationSOPClass } from '../../src/services/verification/uids.js';
import { HOST, waitUntil } from './net-peers.js';

// -- A listener that never answers ---------------------------------------------------------------------------------

export interface SilentListener {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections the other side has closed. */
  readonly closedByPeer: number;
  close(): Promise<void>;
}

/** Accepts TCP connections and never sends a byte (a peer that hangs after connect). */
export async function silentListener(): Promise<SilentListener> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let closedByPeer = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.once('end', () => closedByPeer++);
    socket.once('close', () => sockets.delete(socket));
  });
  await listenOn(server);
  return {
    port: portOf(server),
    get accepted() {
      return accepted;
    },
    get closedByPeer() {
      return closedByPeer;
    },
    close: () => closeServer(server, sockets),
  };
}

// -- A proxy that records PDU headers ------------------------------------------------------------------------------

/** One PDU seen by the proxy: who sent it (`up` = the connecting side), its type and its length field. */
export interface PduSeen {
  readonly direction: 'up' | 'down';
  readonly connection: number;
  readonly type: number;
  readonly length: number;
}

export const P_DATA_TF = 0x04;

export interface PduProxy {
  readonly port: number;
  readonly pdus: readonly PduSeen[];
  /** The largest P-DATA-TF length field sent in this direction (0 when none). */
  maxPData(direction: 'up' | 'down'): number;
  close(): Promise<void>;
}

/** Splits a byte stream into PDU headers (type, 4-byte big-endian length) without copying the bodies. */
class PduHeaderScanner {
  readonly #header = new Uint8Array(6);
  #have = 0;
  #skip = 0;
  constructor(readonly onPdu: (type: number, length: number) => void) {}
  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i);
        this.#skip -= n;
        i += n;
        continue;
      }
      this.#header[this.#have++] = chunk[i++]!;
      if (this.#have === 6) {
        const length = ((this.#header[2]! << 24) >>> 0) + (this.#header[3]! << 16) + (this.#header[4]! << 8) + this.#header[5]!;
        this.onPdu(this.#header[0]!, length);
        this.#have = 0;
        this.#skip = length;
      }
    }
  }
}

/** A TCP proxy from a free loopback port to `port`, recording the header of every PDU in both directions. */
export async function pduProxy(port: number): Promise<PduProxy> {
  const pdus: PduSeen[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer({ noDelay: true }, (client) => {
    const connection = ++connections;
    const upstream = tcpConnect({ host: HOST, port, noDelay: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    const up = new PduHeaderScanner((type, length) => pdus.push({ direction: 'up', connection, type, length }));
    const down = new PduHeaderScanner((type, length) => pdus.push({ direction: 'down', connection, type, length }));
    client.on('data', (b: Buffer) => up.push(b));
    upstream.on('data', (b: Buffer) => down.push(b));
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await listenOn(server);
  return {
    port: portOf(server),
    pdus,
    maxPData: (direction) => pdus.filter((p) => p.direction === direction && p.type === P_DATA_TF).reduce((m, p) => Math.max(m, p.length), 0),
    close: () => closeServer(server, sockets),
  };
}

function listenOn(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

// -- What a Portico SCP was sent -------------------------------------------------------------------------------------

/** Collects a DicomServer's association records and waits for them. */
export class AssociationLog {
  readonly records: AssociationRecord[] = [];
  constructor(server: DicomServer) {
    server.onAssociation = (r) => this.records.push(r);
  }
  /** Waits until there are at least `count` records and returns the `count`-th (1-based). */
  async nth(count: number, timeoutMs = 5_000): Promise<AssociationRecord> {
    return waitUntil(`association record #${count}`, () => this.records[count - 1], timeoutMs);
  }
}

/** A Verification SCP that records the transfer syntax of the context each C-ECHO came on. */
export function recordingVerificationScp(transferSyntaxes: readonly string[], seen: string[]): ScpService {
  return {
    name: 'Verification (recording)',
    sopClasses: [VerificationSOPClass],
    commands: [0x0030],
    transferSyntaxes,
    handle: async (_request, context) => {
      seen.push(context.transferSyntax);
      return { status: 0x0000 };
    },
  };
}

/** One C-STORE a recording Storage SCP received. */
export interface ReceivedInstance {
  readonly sopClassUid: string | undefined;
  readonly sopInstanceUid: string | undefined;
  readonly transferSyntax: string;
  readonly callingAeTitle: string;
  /** Our limit and the peer's, as negotiated on that association. */
  readonly maxPduLength: number;
  readonly peerMaxPduLength: number;
  /** The dataset bytes as received (a copy). */
  readonly dataset: Uint8Array;
}

/** A test-only Storage SCP: answers Success and keeps a copy of every dataset it is sent. */
export function recordingStorageScp(sopClasses: readonly string[], transferSyntaxes: readonly string[], into: ReceivedInstance[]): ScpService {
  return {
    name: 'Storage (recording)',
    sopClasses,
    commands: [0x0001],
    transferSyntaxes,
    handle: async (request, context) => {
      if (!request.dataset) throw new Error('C-STORE-RQ without a dataset');
      const p = context.association.params;
      into.push({
        sopClassUid: request.command.affectedSopClassUid,
        sopInstanceUid: request.command.affectedSopInstanceUid,
        transferSyntax: context.transferSyntax,
        callingAeTitle: p.callingAeTitle,
        maxPduLength: p.maxPduLength,
        peerMaxPduLength: p.peerMaxPduLength,
        dataset: Uint8Array.from(request.dataset),
      });
      return { status: 0x0000 };
    },
  };
}
