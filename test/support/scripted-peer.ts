/**
 * A scripted raw-socket DICOM peer for state-machine tests (after pynetdicom's tests/parrot.py): it sends whatever
 * PDUs or bytes a test tells it to, records the PDUs the machine under test sends, and sees the transport close.
 * It runs no state machine of its own, so it can send a PDU in any state. Every wait is bounded and fails with a
 * message naming what was awaited and what arrived instead. Loopback (127.0.0.1) only.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { encodePdu, pduName } from '../../src/net/pdu/pdu-codec.js';
import { PduReader } from '../../src/net/pdu/pdu-reader.js';
import type { Pdu } from '../../src/net/pdu/types.js';

export const LOOPBACK = '127.0.0.1';

/** How long a wait lasts unless told otherwise: long enough for a loaded CI machine, short enough to fail fast. */
export const DEFAULT_WAIT_MS = 2_000;

/** How the transport closed, as the peer saw it: the other side's FIN, a reset, or our own destroy(). */
export type CloseKind = 'fin' | 'reset' | 'local';

/**
 * Runs `start` (which may return a cleanup) and settles with the value it resolves, or rejects naming `what` after
 * `ms`. The cleanup runs once, however the wait ends, even when `start` settles before returning.
 */
export function within<T>(ms: number, what: string, start: (resolve: (value: T) => void, reject: (error: Error) => void) => (() => void) | void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    // Set once `start` returns: a settle during `start` runs the cleanup afterwards.
    const held: { cleanup?: (() => void) | void } = {};
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      held.cleanup?.();
      return true;
    };
    const timer = setTimeout(() => {
      if (settle()) reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    held.cleanup = start(
      (value) => {
        if (settle()) resolve(value);
      },
      (error) => {
        if (settle()) reject(error);
      },
    );
    if (settled) held.cleanup?.();
  });
}

const describePdu = (pdu: Pdu): string => {
  switch (pdu.type) {
    case 0x03:
    case 0x07:
      return `${pduName(pdu.type)} ${JSON.stringify({ ...pdu, type: undefined })}`;
    default:
      return pduName(pdu.type);
  }
};

/** One end of a loopback TCP connection driven by a test. */
export class ScriptedPeer {
  readonly socket: Socket;
  readonly #reader = new PduReader();
  /** PDUs received and not yet taken by receive(). */
  readonly #queue: Pdu[] = [];
  /** Every PDU received, in order. */
  readonly #received: Pdu[] = [];
  readonly #listeners = new Set<() => void>();
  #decodeError: Error | undefined;
  #closed: CloseKind | undefined;
  #destroyedLocally = false;

  constructor(socket: Socket) {
    this.socket = socket;
    // Without this, two PDUs written back to back wait for a delayed ACK (Nagle): 40 ms per step.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const pdu of this.#reader.push(chunk)) {
          this.#queue.push(pdu);
          this.#received.push(pdu);
        }
      } catch (error) {
        this.#decodeError = error as Error;
      }
      this.#notify();
    });
    socket.on('end', () => {
      this.#closed ??= 'fin';
      this.#notify();
    });
    socket.on('error', () => {
      // ECONNRESET or EPIPE: the other side reset the connection.
      this.#closed ??= 'reset';
      this.#notify();
    });
    socket.on('close', () => {
      this.#closed ??= this.#destroyedLocally ? 'local' : 'fin';
      this.#notify();
    });
  }

  /** Connects to `port` on 127.0.0.1 (half-open allowed: the peer decides when its side closes). */
  static connect(port: number, timeoutMs = DEFAULT_WAIT_MS): Promise<ScriptedPeer> {
    return within(timeoutMs, `a connection to ${LOOPBACK}:${port}`, (resolve, reject) => {
      const socket = connect({ host: LOOPBACK, port, allowHalfOpen: true });
      const onError = (error: Error): void => reject(new Error(`scripted peer could not connect to ${LOOPBACK}:${port}: ${error.message}`));
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new ScriptedPeer(socket));
      });
      return () => {
        socket.off('error', onError);
        if (socket.connecting) socket.destroy();
      };
    });
  }

  /** Every PDU received so far, in order (including those already taken by receive()). */
  get received(): readonly Pdu[] {
    return this.#received;
  }

  /** How the connection closed, if it has. */
  get closed(): CloseKind | undefined {
    return this.#closed;
  }

  send(pdu: Pdu): void {
    this.sendRaw(encodePdu(pdu));
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Half-closes the connection (sends FIN); the peer can still read. */
  end(): void {
    this.socket.end();
  }

  /** Closes the connection at once; resolves when the socket is closed. */
  destroy(): Promise<void> {
    this.#destroyedLocally = true;
    if (this.socket.closed) return Promise.resolve();
    return within<void>(DEFAULT_WAIT_MS, 'the scripted peer socket to close', (resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }

  /** The next PDU the machine under test sent. Fails if the connection closes first or nothing comes in time. */
  receive(timeoutMs = DEFAULT_WAIT_MS): Promise<Pdu> {
    return this.#waitFor<Pdu>(timeoutMs, 'a PDU', () => {
      const pdu = this.#queue.shift();
      if (pdu) return { value: pdu };
      if (this.#decodeError) return { error: new Error(`scripted peer could not decode what it received: ${this.#decodeError.message}`) };
      if (this.#closed) return { error: new Error(`the connection closed (${this.#closed}) while waiting for a PDU; received ${this.#summary()}`) };
      return undefined;
    });
  }

  /** The next PDU, which must be of `type`. */
  async expectPdu<T extends Pdu['type']>(type: T, timeoutMs = DEFAULT_WAIT_MS): Promise<Extract<Pdu, { type: T }>> {
    const pdu = await this.receive(timeoutMs).catch((error: Error) => {
      throw new Error(`expected ${pduName(type)}: ${error.message}`);
    });
    if (pdu.type !== type) throw new Error(`expected ${pduName(type)}, received ${describePdu(pdu)}`);
    return pdu as Extract<Pdu, { type: T }>;
  }

  /** Resolves with how the connection closed (FIN or reset from the other side). */
  waitClosed(timeoutMs = DEFAULT_WAIT_MS): Promise<CloseKind> {
    return this.#waitFor(timeoutMs, 'the connection to close', () => (this.#closed ? { value: this.#closed } : undefined));
  }

  /** Fails if a PDU arrives or the connection closes within `ms`. */
  expectSilence(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.#queue.length > 0) finish(new Error(`expected silence for ${ms} ms, received ${describePdu(this.#queue[0])}`));
        else if (this.#closed) finish(new Error(`expected silence for ${ms} ms, the connection closed (${this.#closed})`));
      };
      const timer = setTimeout(() => finish(), ms);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.#listeners.add(check);
      check();
    });
  }

  #waitFor<T>(timeoutMs: number, what: string, poll: () => { value: T } | { error: Error } | undefined): Promise<T> {
    return within<T>(timeoutMs, `${what} (scripted peer received ${this.#summary()}, closed: ${this.#closed ?? 'no'})`, (resolve, reject) => {
      const check = (): void => {
        const result = poll();
        if (result === undefined) return;
        if ('error' in result) reject(result.error);
        else resolve(result.value);
      };
      this.#listeners.add(check);
      check();
      return () => this.#listeners.delete(check);
    });
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #summary(): string {
    return this.#received.length === 0 ? 'no PDUs' : this.#received.map(describePdu).join(', ');
  }
}

/** A listening scripted peer, for a machine under test that is the association requestor. */
export class ScriptedPeerServer {
  readonly #server: Server;
  readonly #pending: Socket[] = [];
  readonly #peers: ScriptedPeer[] = [];
  readonly #listeners = new Set<() => void>();

  private constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket: Socket) => {
      this.#pending.push(socket);
      for (const listener of [...this.#listeners]) listener();
    });
  }

  /** Listens on an ephemeral port of 127.0.0.1. */
  static listen(timeoutMs = DEFAULT_WAIT_MS): Promise<ScriptedPeerServer> {
    return within(timeoutMs, 'the scripted peer server to listen', (resolve, reject) => {
      const server = createServer({ allowHalfOpen: true });
      const wrapped = new ScriptedPeerServer(server);
      server.once('error', reject);
      server.listen(0, LOOPBACK, () => resolve(wrapped));
    });
  }

  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('the scripted peer server is not listening');
    return address.port;
  }

  /** The peer for the next incoming connection. */
  accept(timeoutMs = DEFAULT_WAIT_MS): Promise<ScriptedPeer> {
    return within(timeoutMs, `a connection to the scripted peer server on port ${this.port}`, (resolve) => {
      const check = (): void => {
        const socket = this.#pending.shift();
        if (!socket) return;
        const peer = new ScriptedPeer(socket);
        this.#peers.push(peer);
        resolve(peer);
      };
      this.#listeners.add(check);
      check();
      return () => this.#listeners.delete(check);
    });
  }

  /** Stops listening and closes every connection it accepted. */
  async close(): Promise<void> {
    for (const socket of this.#pending.splice(0)) socket.destroy();
    await Promise.all(this.#peers.map((peer) => peer.destroy()));
    await within<void>(DEFAULT_WAIT_MS, 'the scripted peer server to close', (resolve) => {
      this.#server.close(() => resolve());
    });
  }
}

/** A port of 127.0.0.1 on which nothing listens (it was free a moment ago): a connection to it is refused. */
export async function refusedPort(): Promise<number> {
  const server = await ScriptedPeerServer.listen();
  const port = server.port;
  await server.close();
  return port;
}
