/**
 * A C-STORE SCU written byte by byte for the fault tests, independent of Portico's own encoder (which refuses to
 * put a bad UID in a command set): A-ASSOCIATE-RQ with one presentation context, C-STORE-RQ command sets with any
 * UID, P-DATA-TF PDVs cut where the test wants, the socket dropped at any point, and the C-STORE-RSP status read back.
 */
import { connect as tcpConnect, type Socket } from 'node:net';

const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};
const item = (type: number, value: Buffer): Buffer => Buffer.concat([Buffer.of(type, 0), u16(value.length), value]);
const ae = (title: string): Buffer => Buffer.from(title.padEnd(16, ' ').slice(0, 16), 'ascii');

/** An A-ASSOCIATE-RQ proposing `abstractSyntax` in `transferSyntax` on context 1. */
export function associateRq(calledAe: string, callingAe: string, abstractSyntax: string, transferSyntax: string, maxPdu = 65536): Buffer {
  const context = item(0x20, Buffer.concat([Buffer.of(1, 0, 0, 0), item(0x30, Buffer.from(abstractSyntax)), item(0x40, Buffer.from(transferSyntax))]));
  const user = item(0x50, Buffer.concat([item(0x51, u32(maxPdu)), item(0x52, Buffer.from('1.2.826.0.1.3680043.9.7.1'))]));
  const body = Buffer.concat([u16(1), u16(0), ae(calledAe), ae(callingAe), Buffer.alloc(32), item(0x10, Buffer.from(APPLICATION_CONTEXT)), context, user]);
  return Buffer.concat([Buffer.of(0x01, 0), u32(body.length), body]);
}

/** One element of a command set (Implicit VR Little Endian). */
function element(tag: number, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(tag >>> 16, 0);
  head.writeUInt16LE(tag & 0xffff, 2);
  head.writeUInt32LE(value.length, 4);
  return Buffer.concat([head, value]);
}
const us = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
};
/** A UI value padded with NUL to even length, whatever it holds. */
const ui = (v: string): Buffer => {
  const b = Buffer.from(v, 'latin1');
  return b.length % 2 === 1 ? Buffer.concat([b, Buffer.of(0)]) : b;
};

/** A C-STORE-RQ command set with these UIDs, verbatim (PS3.7 Table 9.3-1). */
export function cStoreCommand(messageId: number, sopClass: string, sopInstance: string): Buffer {
  const rest = Buffer.concat([
    element(0x00000002, ui(sopClass)),
    element(0x00000100, us(0x0001)),
    element(0x00000110, us(messageId)),
    element(0x00000700, us(0)),
    element(0x00000800, us(0x0000)),
    element(0x00001000, ui(sopInstance)),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(rest.length);
  return Buffer.concat([element(0x00000000, length), rest]);
}

/** A P-DATA-TF with one PDV on context 1. */
export function pData(data: Uint8Array, command: boolean, last: boolean): Buffer {
  const pdv = Buffer.concat([u32(data.length + 2), Buffer.of(1, (command ? 1 : 0) | (last ? 2 : 0)), data]);
  return Buffer.concat([Buffer.of(0x04, 0), u32(pdv.length), pdv]);
}

/** A dataset as PDUs of at most `chunk` bytes of data each (the last flagged last when `complete`). */
export function datasetPdus(dataset: Uint8Array, chunk = 16_000, complete = true): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < dataset.length; i += chunk) {
    const end = Math.min(i + chunk, dataset.length);
    out.push(pData(dataset.subarray(i, end), false, complete && end === dataset.length));
  }
  return out;
}

export interface Pdu {
  readonly type: number;
  readonly body: Buffer;
}

/** A raw association: write bytes, read whole PDUs, drop the connection. */
export class RawStoreClient {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  readonly #pdus: Pdu[] = [];
  #closed = false;
  /** An A-ABORT PDU came from the server. */
  aborted = false;
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 6) {
        const length = this.#buffer.readUInt32BE(2);
        if (this.#buffer.length < 6 + length) break;
        this.#pdus.push({ type: this.#buffer[0]!, body: this.#buffer.subarray(6, 6 + length) });
        if (this.#buffer[0] === 0x07) this.aborted = true;
        this.#buffer = this.#buffer.subarray(6 + length);
      }
      this.#wake?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  /** Connects and negotiates one presentation context; throws unless it is accepted. */
  static async associate(port: number, abstractSyntax: string, transferSyntax: string, callingAe = 'RAW_SCU'): Promise<RawStoreClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = tcpConnect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => (s.destroy(), reject(new Error('connect timed out'))), 3_000);
      s.once('connect', () => (clearTimeout(timer), resolve(s)));
      s.once('error', (e) => (clearTimeout(timer), reject(e)));
    });
    const client = new RawStoreClient(socket);
    await client.write(associateRq('PORTICO', callingAe, abstractSyntax, transferSyntax));
    const ac = await client.next(3_000);
    if (ac?.type !== 0x02 || acceptedContextResult(ac.body) !== 0) {
      client.destroy();
      throw new Error(`association not accepted (PDU ${ac?.type ?? 'none'})`);
    }
    return client;
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.#socket.write(bytes, (e) => (e ? reject(e) : resolve())));
  }

  /** The next PDU, or undefined when the connection closed or `timeoutMs` passed. */
  async next(timeoutMs: number): Promise<Pdu | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.#pdus.length === 0 && !this.#closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#wake = () => (clearTimeout(timer), resolve());
      });
      this.#wake = undefined;
    }
    return this.#pdus.shift();
  }

  /** Sends a whole C-STORE (command, dataset) and returns the response's Status, or undefined when none came. */
  async store(messageId: number, sopClass: string, sopInstance: string, dataset: Uint8Array, timeoutMs = 5_000): Promise<number | undefined> {
    await this.write(pData(cStoreCommand(messageId, sopClass, sopInstance), true, true));
    for (const p of datasetPdus(dataset)) await this.write(p);
    return this.responseStatus(timeoutMs);
  }

  /** Reads PDUs until a command PDV with a Status (0000,0900) arrives. */
  async responseStatus(timeoutMs = 5_000): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pdu = await this.next(Math.max(1, deadline - Date.now()));
      if (!pdu) return undefined;
      if (pdu.type !== 0x04) return undefined;
      const status = commandStatus(pdu.body);
      if (status !== undefined) return status;
    }
  }

  /** A-RELEASE-RQ and wait for the answer (bounded). */
  async release(): Promise<void> {
    await this.write(Buffer.concat([Buffer.of(0x05, 0), u32(4), Buffer.alloc(4)]));
    await this.next(2_000);
    this.destroy();
  }

  /** Drops the TCP connection without A-ABORT or A-RELEASE. */
  destroy(): void {
    this.#socket.destroy();
  }
}

/** The result of the first presentation context item (0x21) of an A-ASSOCIATE-AC body (0 = acceptance). */
function acceptedContextResult(body: Buffer): number | undefined {
  // Fixed fields: protocol version, reserved, called and calling AE titles, 32 reserved bytes.
  for (let p = 68; p + 4 <= body.length; p += 4 + body.readUInt16BE(p + 2)) {
    if (body[p] === 0x21) return body[p + 6];
  }
  return undefined;
}

/** The Status (0000,0900) of the command set in a P-DATA-TF body (first command PDV), if there is one. */
function commandStatus(body: Buffer): number | undefined {
  let p = 0;
  while (p + 6 <= body.length) {
    const length = body.readUInt32BE(p);
    const control = body[p + 5]!;
    const data = body.subarray(p + 6, p + 4 + length);
    p += 4 + length;
    if ((control & 1) === 0) continue;
    let q = 0;
    while (q + 8 <= data.length) {
      const tag = (data.readUInt16LE(q) << 16) | data.readUInt16LE(q + 2);
      const len = data.readUInt32LE(q + 4);
      if (tag === 0x0900 && len === 2) return data.readUInt16LE(q + 8);
      q += 8 + len;
    }
  }
  return undefined;
}
