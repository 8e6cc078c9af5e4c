/**
 * A raw TCP peer for the hostile tests: it writes whatever bytes a test gives it and splits what comes back into
 * PDUs with its own small framing (type, reserved, 4-byte length), independent of the project's PduReader, so a
 * test sees exactly what the server sent and when the connection closed.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { T } from './pdu-bytes.js';

export interface ReceivedPdu {
  readonly type: number;
  readonly body: Uint8Array;
  /** ms since the peer connected. */
  readonly at: number;
}

/** How the server reacted: the first decisive PDU, or the connection closing without one. */
export type Reaction =
  | { readonly kind: 'abort'; readonly source: number; readonly reason: number; readonly at: number }
  | { readonly kind: 'reject'; readonly result: number; readonly source: number; readonly reason: number; readonly at: number }
  | { readonly kind: 'accept'; readonly at: number }
  | { readonly kind: 'release-rp'; readonly at: number }
  | { readonly kind: 'data'; readonly at: number }
  | { readonly kind: 'closed'; readonly at: number }
  | { readonly kind: 'timeout'; readonly at: number }
  | { readonly kind: 'garbage'; readonly type: number; readonly at: number };

/** Most bytes kept from the server: a bound in case a server misbehaves and floods us. */
const MAX_RECEIVED = 4 * 1024 * 1024;

export class RawPeer {
  readonly socket: Socket;
  readonly pdus: ReceivedPdu[] = [];
  readonly openedAt = performance.now();
  closedAt: number | undefined;
  /** Socket errors (EPIPE, ECONNRESET) seen while the server was closing on us: expected, kept for the record. */
  readonly errors: string[] = [];
  #buffer: Buffer = Buffer.alloc(0);
  #received = 0;
  #waiters = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => this.errors.push(error.code ?? error.message));
    socket.on('close', () => {
      this.closedAt = performance.now() - this.openedAt;
      this.#wake();
    });
  }

  /** Connects to 127.0.0.1:`port` (bounded by `timeoutMs`). */
  static connect(port: number, timeoutMs = 3000): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`raw connect to ${port} timed out`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RawPeer(socket));
      });
    });
  }

  get closed(): boolean {
    return this.closedAt !== undefined;
  }

  /** ms since connect. */
  now(): number {
    return performance.now() - this.openedAt;
  }

  /** Writes bytes; resolves when they were handed to the kernel (or the socket is gone). Never rejects. */
  send(bytes: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (socket.destroyed || !socket.writable) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('close', done);
        resolve();
      };
      socket.once('close', done);
      socket.write(bytes, () => done());
    });
  }

  /**
   * Writes `total` bytes of `source` (repeated) in `chunk`-byte writes, stopping early when the connection closes or
   * `deadlineMs` passes. Returns the bytes written.
   */
  async stream(source: Uint8Array, total: number, chunk: number, deadlineMs: number): Promise<number> {
    const end = performance.now() + deadlineMs;
    let sent = 0;
    while (sent < total && !this.closed && performance.now() < end) {
      const n = Math.min(chunk, total - sent);
      const off = sent % source.length;
      const piece = off + n <= source.length ? source.subarray(off, off + n) : Buffer.alloc(n, source[0] ?? 0);
      // Wait at most 200 ms per write: a server that stopped reading (as it should after an A-ABORT) leaves it pending.
      await Promise.race([this.send(piece), sleep(200)]);
      sent += n;
    }
    return sent;
  }

  /** The next PDU after the first `index` ones, or undefined when the connection closed or `timeoutMs` passed. */
  async pduAt(index: number, timeoutMs: number): Promise<ReceivedPdu | undefined> {
    const end = performance.now() + timeoutMs;
    while (this.pdus.length <= index && !this.closed && performance.now() < end) await this.#wait(end - performance.now());
    return this.pdus[index];
  }

  /**
   * Waits for the server's reaction: the first A-ABORT, A-ASSOCIATE-RJ/AC, A-RELEASE-RP or P-DATA-TF received after the
   * first `from` PDUs, or the close, or `timeoutMs`.
   */
  async reaction(timeoutMs: number, from = 0): Promise<Reaction> {
    const pdu = await this.pduAt(from, timeoutMs);
    if (pdu === undefined) return this.closed ? { kind: 'closed', at: this.closedAt! } : { kind: 'timeout', at: this.now() };
    const b = pdu.body;
    switch (pdu.type) {
      case T.ABORT:
        return { kind: 'abort', source: b[2]!, reason: b[3]!, at: pdu.at };
      case T.RJ:
        return { kind: 'reject', result: b[1]!, source: b[2]!, reason: b[3]!, at: pdu.at };
      case T.AC:
        return { kind: 'accept', at: pdu.at };
      case T.RELEASE_RP:
        return { kind: 'release-rp', at: pdu.at };
      case T.DATA:
        return { kind: 'data', at: pdu.at };
      default:
        return { kind: 'garbage', type: pdu.type, at: pdu.at };
    }
  }

  /** Resolves true once the connection is closed, false if it is still open after `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    while (!this.closed && performance.now() < end) await this.#wait(end - performance.now());
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#received += chunk.length;
    if (this.#received > MAX_RECEIVED) {
      this.socket.destroy();
      return;
    }
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 6) {
      const length = this.#buffer.readUInt32BE(2);
      if (this.#buffer.length < 6 + length) break;
      this.pdus.push({ type: this.#buffer[0]!, body: new Uint8Array(this.#buffer.subarray(6, 6 + length)), at: this.now() });
      this.#buffer = this.#buffer.subarray(6 + length);
    }
    this.#wake();
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      this.#waiters.add(done);
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
