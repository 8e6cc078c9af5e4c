/**
 * A raw PDU client for the network benchmark: it writes fixed bytes (A-ASSOCIATE-RQ, a C-ECHO-RQ in a P-DATA-TF,
 * A-RELEASE-RQ) and reads only the PDU headers back, plus the status of each C-ECHO-RSP. It costs the client much
 * less CPU than a full DICOM stack (Portico's or DCMTK's), so that with a few of them in parallel the SCP under test
 * is the bottleneck, and both SCPs face the very same client.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { HOST } from './net-procs.js';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_VR_LE = '1.2.840.10008.1.2';
const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';
/** An implementation class UID of the bench's own (2.25 + a random 128-bit number). */
const IMPLEMENTATION_CLASS_UID = '2.25.96175239165307467811213581573744193031';

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

function item(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head[0] = type;
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([head, body]);
}

function pdu(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head[0] = type;
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}

const aeTitle = (title: string): Buffer => ascii(title.padEnd(16, ' ').slice(0, 16));

/** A-ASSOCIATE-RQ with one presentation context (ID 1): Verification, Implicit VR Little Endian. */
export function associateRq(calledAeTitle: string, callingAeTitle = 'RAWBENCH'): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(1, 0); // protocol version
  aeTitle(calledAeTitle).copy(fixed, 4);
  aeTitle(callingAeTitle).copy(fixed, 20);
  const maxLength = Buffer.alloc(4);
  maxLength.writeUInt32BE(16_384, 0);
  return pdu(
    0x01,
    Buffer.concat([
      fixed,
      item(0x10, ascii(APPLICATION_CONTEXT)),
      item(0x20, Buffer.concat([Buffer.from([1, 0, 0, 0]), item(0x30, ascii(VERIFICATION)), item(0x40, ascii(IMPLICIT_VR_LE))])),
      item(0x50, Buffer.concat([item(0x51, maxLength), item(0x52, ascii(IMPLEMENTATION_CLASS_UID))])),
    ]),
  );
}

function element(group: number, elementNumber: number, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(elementNumber, 2);
  head.writeUInt32LE(value.length, 4);
  return Buffer.concat([head, value]);
}

const us = (x: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(x, 0);
  return b;
};

/** P-DATA-TF with one command PDV (context 1, last fragment): C-ECHO-RQ, Implicit VR LE (PS3.7 9.3.5). */
export function echoRq(messageId: number): Buffer {
  const uid = Buffer.concat([ascii(VERIFICATION), Buffer.from([0])]); // padded to even length
  const rest = Buffer.concat([element(0, 0x0002, uid), element(0, 0x0100, us(0x0030)), element(0, 0x0110, us(messageId)), element(0, 0x0800, us(0x0101))]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(rest.length, 0);
  const command = Buffer.concat([element(0, 0x0000, groupLength), rest]);
  const pdvHead = Buffer.alloc(6);
  pdvHead.writeUInt32BE(command.length + 2, 0);
  pdvHead[4] = 1; // presentation context ID
  pdvHead[5] = 0x03; // command, last fragment
  return pdu(0x04, Buffer.concat([pdvHead, command]));
}

export const RELEASE_RQ = pdu(0x05, Buffer.alloc(4));

/**
 * The Status (0000,0900) of a C-ECHO-RSP in a P-DATA-TF PDU (whole PDU, one command PDV), walking the Implicit VR
 * LE command set element by element; -1 when it is not there.
 */
function statusOf(p: Buffer): number {
  // PDU header (6) + PDV length (4) + context ID (1) + message control header (1).
  for (let at = 12; at + 8 <= p.length; ) {
    const element = p.readUInt16LE(at + 2);
    const length = p.readUInt32LE(at + 4);
    if (p.readUInt16LE(at) === 0 && element === 0x0900 && length === 2 && at + 10 <= p.length) return p.readUInt16LE(at + 8);
    at += 8 + length;
  }
  return -1;
}

export interface RawAssociationOptions {
  readonly port: number;
  /** From associateRq(). */
  readonly rq: Buffer;
  /** C-ECHOs to send, one at a time. */
  readonly echoes: number;
  /** Fail when the SCP does not answer within this many ms. */
  readonly timeoutMs: number;
  /** Time budget of the C-ECHOs, ms from the first one: after it, no more are sent and the association is released. */
  readonly echoMs?: number;
  /** Each C-ECHO's round trip, ms. */
  readonly onEcho?: (ms: number) => void;
  /** Called on the A-ASSOCIATE-AC; the C-ECHOs start when it resolves (a barrier for concurrent tests). */
  readonly onAccepted?: () => Promise<void>;
}

/**
 * One association on a raw socket: A-ASSOCIATE-RQ → AC, then C-ECHO-RQ → RSP (one at a time), then A-RELEASE-RQ →
 * RP, and close. Rejects on RJ, abort, a non-Success status, a closed socket or no answer within `timeoutMs`.
 */
export function rawAssociation(options: RawAssociationOptions): Promise<void> {
  const { port, rq, echoes, timeoutMs, echoMs = Number.POSITIVE_INFINITY, onEcho, onAccepted } = options;
  return new Promise((resolve, reject) => {
    const socket: Socket = tcpConnect({ host: HOST, port, noDelay: true });
    let buffered: Buffer = Buffer.alloc(0);
    let sent = 0;
    let sentAt = 0;
    let deadline = Number.POSITIVE_INFINITY;
    let state: 'associating' | 'waiting' | 'echoing' | 'releasing' | 'closing' = 'associating';
    let timer = setTimeout(() => fail(new Error(`raw client: no answer within ${timeoutMs} ms (associating)`)), timeoutMs);
    const progress = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new Error(`raw client: no answer within ${timeoutMs} ms (${state})`)), timeoutMs);
    };
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const next = (): void => {
      if (sent === 0) deadline = performance.now() + echoMs;
      if (sent < echoes && performance.now() < deadline) {
        sent++;
        sentAt = performance.now();
        socket.write(echoRq(sent & 0xffff));
      } else {
        state = 'releasing';
        socket.write(RELEASE_RQ);
      }
    };
    const onPdu = (p: Buffer): void => {
      progress();
      const type = p[0];
      if (type === 0x03) return fail(new Error('raw client: association rejected'));
      if (type === 0x07) return fail(new Error('raw client: association aborted by the SCP'));
      if (state === 'associating' && type === 0x02) {
        if (!onAccepted) {
          state = 'echoing';
          return next();
        }
        state = 'waiting';
        clearTimeout(timer);
        void onAccepted().then(() => {
          if (state !== 'waiting' || socket.destroyed) return;
          state = 'echoing';
          progress();
          next();
        });
        return undefined;
      }
      if (state === 'echoing' && type === 0x04) {
        // C-ECHO-RSP fits one small PDU from both SCPs; a fragmented one would have no status and fail here.
        const status = statusOf(p);
        if (status !== 0) return fail(new Error(`raw client: C-ECHO status ${status} in ${p.toString("hex").slice(0, 200)}`));
        onEcho?.(performance.now() - sentAt);
        return next();
      }
      if (state === 'releasing' && type === 0x06) {
        state = 'closing';
        clearTimeout(timer);
        socket.end();
        return undefined;
      }
      return fail(new Error(`raw client: unexpected PDU 0x${type?.toString(16)} while ${state}`));
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      while (buffered.length >= 6) {
        const length = buffered.readUInt32BE(2) + 6;
        if (buffered.length < length) break;
        const p = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        onPdu(p);
      }
    });
    socket.on('error', (e) => fail(e));
    socket.once('close', () => {
      clearTimeout(timer);
      if (state === 'closing') resolve();
      else reject(new Error(`raw client: connection closed while ${state}`));
    });
    socket.write(rq);
  });
}
