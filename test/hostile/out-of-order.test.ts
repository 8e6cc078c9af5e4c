/**
 * Issue 3, bad input against `portico serve`: PDUs in the wrong state (PS3.8 Table 9-10), PDV items that lie,
 * PDVs for contexts that were not accepted, messages that never finish and peers that trickle bytes. Each case
 * checks the reaction, its timing, and that a normal client is served meanwhile and afterwards.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attack, attackAssociated, CLOSE_MS, expectAbort, expectStillServing, PROMPT_MS } from './expect-reaction.js';
import { ARTIM_MS, echoOnce, IDLE_MS, startServer, type TestServer } from './fixture.js';
import {
  abortPdu,
  applicationContextItem,
  associateAc,
  associateRq,
  COMMAND_LAST,
  COMMAND_MORE,
  echoCommand,
  echoRequestPdu,
  IMPLICIT_VR_LITTLE_ENDIAN,
  pDataTf,
  pdu,
  presentationContextItem,
  releaseRp,
  releaseRq,
  T,
  userInformationItem,
  VERIFICATION_SOP_CLASS,
  verificationRq,
} from './pdu-bytes.js';
import { RawPeer, sleep } from './raw-peer.js';

const PROVIDER = 2;
const UNEXPECTED_PDU = 2;
const INVALID_PARAMETER = 6;

let s: TestServer;
const peers: RawPeer[] = [];

beforeAll(async () => {
  s = await startServer();
});

afterEach(() => {
  for (const p of peers.splice(0)) p.destroy();
});

afterAll(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await s.close();
});

function keep<A extends { peer: RawPeer }>(a: A): A {
  peers.push(a.peer);
  return a;
}

describe('PDUs out of order', () => {
  it.each([
    ['a second A-ASSOCIATE-RQ', verificationRq()],
    ['an A-ASSOCIATE-AC', associateAc()],
    ['an A-ASSOCIATE-RJ', pdu(T.RJ, Uint8Array.of(0, 1, 1, 1))],
    ['an A-RELEASE-RP', releaseRp()],
  ])('%s after acceptance (Sta6): A-ABORT (2, 2) unexpected PDU (AA-8)', async (_name, bytes) => {
    await expectAbort(keep(await attackAssociated(s.port, [bytes])), PROVIDER, UNEXPECTED_PDU);
    await expectStillServing(s.port);
  });

  it.each([
    ['a P-DATA-TF', echoRequestPdu()],
    ['an A-RELEASE-RQ', releaseRq()],
    ['an A-ASSOCIATE-AC', associateAc()],
  ])('%s before any association (Sta2): A-ABORT (AA-1), no P-DATA answer', async (_name, bytes) => {
    const a = keep(await attack(s.port, [bytes]));
    expect(a.reaction.kind).toBe('abort');
    if (a.reaction.kind === 'abort') expect([0, 2]).toContain(a.reaction.source);
    expect(a.reaction.at - a.sentAt).toBeLessThan(PROMPT_MS);
    expect(await a.peer.waitClosed(CLOSE_MS)).toBe(true);
    expect(a.peer.pdus.map((p) => p.type)).toEqual([T.ABORT]);
    await expectStillServing(s.port);
  });

  it('an A-ABORT before any association (Sta2): the connection is closed without reply (AA-2)', async () => {
    const a = keep(await attack(s.port, [abortPdu()]));
    expect(a.reaction.kind).toBe('closed');
    expect(a.peer.pdus).toEqual([]);
    await expectStillServing(s.port);
  });

  it('a P-DATA-TF after the A-RELEASE-RP (Sta13): ignored (AA-6), no C-ECHO-RSP, closed by ARTIM', async () => {
    const peer = await RawPeer.connect(s.port);
    peers.push(peer);
    await peer.send(verificationRq());
    expect((await peer.reaction(PROMPT_MS)).kind).toBe('accept');
    await peer.send(releaseRq());
    expect((await peer.reaction(PROMPT_MS, 1)).kind).toBe('release-rp');
    await peer.send(echoRequestPdu());
    // We do not close: the server must, by its ARTIM timer (AR-4 started it), without answering the P-DATA.
    expect(await peer.waitClosed(CLOSE_MS)).toBe(true);
    expect(peer.pdus.map((p) => p.type)).toEqual([T.AC, T.RELEASE_RP]);
    await expectStillServing(s.port);
  });

  it('a P-DATA-TF right behind the A-RELEASE-RQ in one write: A-RELEASE-RP, the P-DATA is not answered', async () => {
    const peer = await rawAssociatedPeer();
    await peer.send(Buffer.concat([releaseRq(), echoRequestPdu()]));
    const reaction = await peer.reaction(PROMPT_MS, 1);
    // PS3.8: Sta8 + Evt10 is AA-8 (A-ABORT); Sta13 + Evt10 is AA-6 (ignore). Which one depends on whether the
    // A-RELEASE response was already given; either way the P-DATA gets no C-ECHO-RSP.
    expect(['release-rp', 'abort']).toContain(reaction.kind);
    expect(await peer.waitClosed(CLOSE_MS)).toBe(true);
    expect(peer.pdus.some((p) => p.type === T.DATA)).toBe(false);
    await expectStillServing(s.port);
  });

  it('a C-ECHO-RQ with the A-RELEASE-RQ right behind it in one write: the C-ECHO-RSP comes before the A-RELEASE-RP', async () => {
    // PS3.8 §7.2: an orderly release loses nothing in transit; the acceptor's user answers the A-RELEASE only after
    // the requests it already received (DCMTK and pynetdicom do). The response must not be dropped.
    const peer = await rawAssociatedPeer();
    await peer.send(Buffer.concat([echoRequestPdu(1, 7), releaseRq()]));
    await peer.waitClosed(CLOSE_MS);
    expect(peer.pdus.map((p) => p.type)).toEqual([T.AC, T.DATA, T.RELEASE_RP]);
    await expectStillServing(s.port);
  });
});

async function rawAssociatedPeer(contextId = 1): Promise<RawPeer> {
  const peer = await RawPeer.connect(s.port);
  peers.push(peer);
  await peer.send(verificationRq(contextId));
  expect((await peer.reaction(PROMPT_MS)).kind).toBe('accept');
  return peer;
}

describe('PDV item-lengths that lie', () => {
  const cmd = echoCommand();
  it.each([
    ['item-length 0 (underflow)', pDataTf([{ contextId: 1, control: COMMAND_LAST, data: new Uint8Array(0), declared: 0 }])],
    ['item-length 1 (underflow)', pDataTf([{ contextId: 1, control: COMMAND_LAST, data: new Uint8Array(0), declared: 1 }])],
    ['item-length past the PDU end (overflow)', pDataTf([{ contextId: 1, control: COMMAND_LAST, data: cmd, declared: cmd.length + 100 }])],
    ['item-length 0xFFFFFFFF', pDataTf([{ contextId: 1, control: COMMAND_LAST, data: cmd, declared: 0xffffffff }])],
    ['a second PDV cut short by the PDU-length', pDataTf([{ contextId: 1, control: COMMAND_LAST, data: cmd }, { contextId: 1, control: 0x00, data: new Uint8Array(64) }], cmd.length + 6 + 10)],
  ])('%s: A-ABORT (2, 6)', async (_name, bytes) => {
    await expectAbort(keep(await attackAssociated(s.port, [bytes])), PROVIDER, INVALID_PARAMETER);
    await expectStillServing(s.port);
  });
});

describe('a PDV for a presentation context that was not accepted', () => {
  it('context 3 when only context 1 was proposed: A-ABORT, no C-ECHO-RSP', async () => {
    const a = keep(await attackAssociated(s.port, [echoRequestPdu(3)]));
    expect(a.reaction.kind).toBe('abort');
    expect(a.reaction.at - a.sentAt).toBeLessThan(PROMPT_MS);
    expect(await a.peer.waitClosed(CLOSE_MS)).toBe(true);
    expect(a.peer.pdus.some((p) => p.type === T.DATA)).toBe(false);
    await expectStillServing(s.port);
  });

  it('context 3 proposed but rejected (abstract syntax not supported): A-ABORT, no C-ECHO-RSP', async () => {
    const peer = await RawPeer.connect(s.port);
    peers.push(peer);
    const rq = associateRq([
      applicationContextItem(),
      presentationContextItem(1, VERIFICATION_SOP_CLASS, [IMPLICIT_VR_LITTLE_ENDIAN]),
      presentationContextItem(3, '1.2.3.4.5.6.7.8.9', [IMPLICIT_VR_LITTLE_ENDIAN]),
      userInformationItem(),
    ]);
    await peer.send(rq);
    const ac = await peer.pduAt(0, PROMPT_MS);
    expect(ac?.type).toBe(T.AC);
    await peer.send(echoRequestPdu(3));
    const reaction = await peer.reaction(PROMPT_MS, 1);
    expect(reaction.kind).toBe('abort');
    expect(await peer.waitClosed(CLOSE_MS)).toBe(true);
    expect(peer.pdus.some((p) => p.type === T.DATA)).toBe(false);
    await expectStillServing(s.port);
  });
});

describe('messages that never finish and peers that trickle', () => {
  it('a command PDV without the last bit, then silence: closed by the idle timeout; others are served meanwhile', async () => {
    const peer = await rawAssociatedPeer();
    const cmd = echoCommand();
    const sentAt = peer.now();
    await peer.send(pDataTf([{ contextId: 1, control: COMMAND_MORE, data: cmd.subarray(0, 20) }]));
    // While it hangs, other clients are served.
    for (let i = 0; i < 3; i++) await echoOnce(s.port);
    const reaction = await peer.reaction(IDLE_MS + 3000, 1);
    expect(['abort', 'closed']).toContain(reaction.kind);
    expect(reaction.at - sentAt).toBeGreaterThanOrEqual(IDLE_MS - 100);
    expect(reaction.at - sentAt).toBeLessThan(IDLE_MS + 2000);
    expect(await peer.waitClosed(CLOSE_MS)).toBe(true);
    expect(peer.pdus.some((p) => p.type === T.DATA)).toBe(false);
    await expectStillServing(s.port);
  });

  it('one byte every 100 ms before association (slowloris): closed by ARTIM, never associated', async () => {
    const peer = await RawPeer.connect(s.port);
    peers.push(peer);
    const rq = verificationRq();
    for (let i = 0; i < rq.length && !peer.closed && peer.now() < 5000; i++) {
      await peer.send(rq.subarray(i, i + 1));
      await sleep(100);
    }
    expect(peer.closed).toBe(true);
    expect(peer.closedAt!).toBeLessThan(ARTIM_MS + 1500);
    expect(peer.pdus.some((p) => p.type === T.AC)).toBe(false);
    await expectStillServing(s.port);
  });

  it('one byte every 250 ms after association (slowloris): closed by the idle timeout; others are served meanwhile', async () => {
    const peer = await rawAssociatedPeer();
    const request = echoRequestPdu();
    const sentAt = peer.now();
    const served = (async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(300);
        await echoOnce(s.port);
      }
    })();
    for (let i = 0; i < request.length && !peer.closed && peer.now() - sentAt < IDLE_MS + 4000; i++) {
      await peer.send(request.subarray(i, i + 1));
      await sleep(250);
    }
    await served;
    expect(peer.closed).toBe(true);
    expect(peer.closedAt! - sentAt).toBeLessThan(IDLE_MS + 2000);
    expect(peer.pdus.some((p) => p.type === T.DATA)).toBe(false);
    await expectStillServing(s.port);
  });
});
