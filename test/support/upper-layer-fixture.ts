/**
 * A real UpperLayer on one loopback TCP connection, with a ScriptedPeer at the other end, for state-machine tests:
 * it records every transition and indication and waits (bounded) for the machine to reach a state or take an event.
 * The fixture owns every socket and server it opens; close() ends them all.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { IMPLEMENTATION_CLASS_UID } from '../../src/core/implementation.js';
import { type AAbort, type AAssociateAc, type AAssociateRj, type AAssociateRq, type AReleaseRp, type AReleaseRq, type PDataTf, PduType, PresentationContextResult } from '../../src/net/pdu/types.js';
import type { FsmEvent, State } from '../../src/net/ul/state-table.js';
import { type Indication, type Transition, UpperLayer } from '../../src/net/ul/upper-layer.js';
import { DEFAULT_WAIT_MS, LOOPBACK, refusedPort, ScriptedPeer, ScriptedPeerServer, within } from './scripted-peer.js';

/** Verification proposed by ECHOSCU to ANY-SCP (PS3.8 Table 9-11). */
export const RQ: AAssociateRq = Object.freeze({
  type: PduType.A_ASSOCIATE_RQ,
  protocolVersion: 1,
  calledAeTitle: 'ANY-SCP',
  callingAeTitle: 'ECHOSCU',
  applicationContext: '1.2.840.10008.3.1.1.1',
  presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
  userInformation: { maxPduLength: 16384, implementationClassUid: IMPLEMENTATION_CLASS_UID },
});

/** The acceptance of RQ (PS3.8 Table 9-17). */
export const AC: AAssociateAc = Object.freeze({
  type: PduType.A_ASSOCIATE_AC,
  protocolVersion: 1,
  calledAeTitle: 'ANY-SCP',
  callingAeTitle: 'ECHOSCU',
  applicationContext: '1.2.840.10008.3.1.1.1',
  presentationContexts: [{ id: 1, result: PresentationContextResult.ACCEPTANCE, transferSyntax: '1.2.840.10008.1.2' }],
  userInformation: { maxPduLength: 16384, implementationClassUid: IMPLEMENTATION_CLASS_UID },
});

/** Rejected-permanent by the service-user: called-AE-title-not-recognized (PS3.8 Table 9-21). */
export const RJ: AAssociateRj = Object.freeze({ type: PduType.A_ASSOCIATE_RJ, result: 1, source: 1, reason: 7 });

/** One last command fragment on context 1. */
export const P_DATA: PDataTf = Object.freeze({
  type: PduType.P_DATA_TF,
  pdvs: [{ contextId: 1, isCommand: true, isLast: true, data: Uint8Array.of(0x08, 0x00, 0x00, 0x00) }],
});

export const RELEASE_RQ: AReleaseRq = Object.freeze({ type: PduType.A_RELEASE_RQ });
export const RELEASE_RP: AReleaseRp = Object.freeze({ type: PduType.A_RELEASE_RP });

/** The peer's A-ABORT: service-provider, unexpected-PDU-parameter (distinct values, to see them passed through). */
export const PEER_ABORT: AAbort = Object.freeze({ type: PduType.A_ABORT, source: 2, reason: 5 });

/** A PDU of type 08H, which PS3.8 does not define: unrecognized-PDU (A-ABORT reason 1). */
export const UNRECOGNIZED_PDU = Uint8Array.of(0x08, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00);

/** An A-RELEASE-RQ whose PDU-length is 6, not 4: invalid-PDU-parameter-value (A-ABORT reason 6). */
export const INVALID_RELEASE_RQ = Uint8Array.of(0x05, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);

export interface FixtureOptions {
  readonly requestor: boolean;
  /** ARTIM timeout in ms; default 5 s, longer than any test, so that ARTIM fires only where a test wants it. */
  readonly artimTimeout?: number;
  /** Requestor only: connect to a port on which nothing listens (Evt17 in Sta4). */
  readonly refused?: boolean;
}

export class UpperLayerFixture {
  readonly ul: UpperLayer;
  readonly transitions: Transition[] = [];
  readonly indications: Indication[] = [];
  readonly requestor: boolean;
  readonly #listeners = new Set<() => void>();
  /** Acceptor: where the scripted peer connects. Requestor: where the machine connects. */
  #server: Server | undefined;
  #peerServer: ScriptedPeerServer | undefined;
  #port = 0;
  #refused = false;
  #socket: Socket | undefined;
  #peer: ScriptedPeer | undefined;

  private constructor(options: FixtureOptions) {
    this.requestor = options.requestor;
    this.ul = new UpperLayer({
      requestor: options.requestor,
      artimTimeout: options.artimTimeout ?? 5_000,
      onIndication: (indication) => {
        this.indications.push(indication);
        this.#notify();
      },
      onTransition: (transition) => {
        this.transitions.push(transition);
        this.#notify();
      },
    });
  }

  /** A machine in Sta1 with, for an acceptor, a listening server, and for a requestor, a listening scripted peer. */
  static async create(options: FixtureOptions): Promise<UpperLayerFixture> {
    const fixture = new UpperLayerFixture(options);
    if (!options.requestor) {
      const server = createServer((socket) => {
        fixture.#socket = socket;
        // Evt5: transport connection indication.
        fixture.ul.acceptConnection(socket);
        server.close();
      });
      fixture.#server = server;
      await within<void>(DEFAULT_WAIT_MS, 'the acceptor server to listen', (resolve, reject) => {
        server.once('error', reject);
        server.listen(0, LOOPBACK, () => resolve());
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('the acceptor server has no port');
      fixture.#port = address.port;
    } else if (options.refused) {
      fixture.#refused = true;
      fixture.#port = await refusedPort();
    } else {
      fixture.#peerServer = await ScriptedPeerServer.listen();
      fixture.#port = fixture.#peerServer.port;
    }
    return fixture;
  }

  /** The scripted peer at the other end of the connection. */
  get peer(): ScriptedPeer {
    if (!this.#peer) throw new Error('no scripted peer is connected yet');
    return this.#peer;
  }

  get hasPeer(): boolean {
    return this.#peer !== undefined;
  }

  /** The machine's own socket. */
  get socket(): Socket {
    if (!this.#socket) throw new Error('the machine has no socket yet');
    return this.#socket;
  }

  /** Acceptor, Evt5: the scripted peer connects and the server hands the socket to acceptConnection(). */
  async peerConnects(): Promise<void> {
    this.#peer = await ScriptedPeer.connect(this.#port);
    await this.waitFor('the acceptor to take the connection', () => this.#socket !== undefined);
  }

  /**
   * Requestor, Evt1: opens a socket to the scripted peer and calls requestConnection(); the peer accepts the TCP
   * connection (the machine stays in Sta4 until connected() is called).
   */
  async requestConnection(): Promise<void> {
    const socket = connect({ host: LOOPBACK, port: this.#port });
    this.#socket = socket;
    this.ul.requestConnection(socket, RQ);
    if (!this.#refused) this.#peer = await this.#peerServer!.accept();
  }

  /** Requestor, Evt2: once the socket is connected, tells the machine so. */
  async connected(): Promise<void> {
    const socket = this.socket;
    if (socket.connecting) {
      await within<void>(DEFAULT_WAIT_MS, "the requestor socket's 'connect'", (resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        socket.once('connect', () => resolve());
        socket.once('error', onError);
        return () => socket.off('error', onError);
      });
    }
    this.ul.connected();
  }

  /** Resolves when `condition` holds after a transition or indication (or at once); fails after `timeoutMs`. */
  waitFor(what: string, condition: () => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return within<void>(timeoutMs, `${what} (machine in ${this.ul.state}; transitions: ${this.#describeTransitions()})`, (resolve) => {
      const check = (): void => {
        if (condition()) resolve();
      };
      this.#listeners.add(check);
      // The acceptor's socket arrives on the server's 'connection': poll that cheaply as well.
      const timer = setInterval(check, 5);
      check();
      return () => {
        clearInterval(timer);
        this.#listeners.delete(check);
      };
    });
  }

  waitForState(state: State, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitFor(`state ${state}`, () => this.ul.state === state, timeoutMs);
  }

  /** The first recorded transition for `event` taken in state `from`. */
  async waitForTransition(event: FsmEvent, from: State, timeoutMs = DEFAULT_WAIT_MS): Promise<Transition> {
    const find = (): Transition | undefined => this.transitions.find((t) => t.event === event && t.from === from);
    await this.waitFor(`a transition ${from} + ${event}`, () => find() !== undefined, timeoutMs);
    return find()!;
  }

  /** Resolves when the machine's socket is closed. */
  waitForTransportClosed(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitFor("the machine's socket to close", () => this.#socket?.closed === true, timeoutMs);
  }

  /** Ends everything the fixture opened: the machine's socket, the peer, the servers. */
  async close(): Promise<void> {
    const socket = this.#socket;
    if (socket && !socket.closed) {
      await within<void>(DEFAULT_WAIT_MS, "the machine's socket to close", (resolve) => {
        socket.once('close', () => resolve());
        socket.destroy();
      });
    }
    await this.#peer?.destroy();
    await this.#peerServer?.close();
    const server = this.#server;
    if (server?.listening) {
      await within<void>(DEFAULT_WAIT_MS, 'the acceptor server to close', (resolve) => {
        server.close(() => resolve());
      });
    }
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #describeTransitions(): string {
    return this.transitions.length === 0 ? 'none' : this.transitions.map((t) => `${t.from} ${t.event} ${t.action} → ${t.to}`).join('; ');
  }
}
