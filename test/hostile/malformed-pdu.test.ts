/**
 * Issue 3, bad input against `portico serve`: PDUs whose lengths, counts and types are hostile. Each case checks the
 * PS3.8 reaction (A-ABORT source 2 with the Table 9-26 reason: 1 unrecognized PDU, 6 invalid PDU parameter value),
 * that it comes at once and the connection is closed, that nothing was allocated from a declared length, and that
 * a normal client is served afterwards.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attack, attackAssociated, expectAbort, expectStillServing } from './expect-reaction.js';
import { memory, MiB, startServer, type TestServer } from './fixture.js';
import {
  applicationContextItem,
  associateRq,
  associateRqBody,
  ascii,
  concat,
  HTTP_GET,
  IMPLICIT_VR_LITTLE_ENDIAN,
  item,
  pDataTf,
  pdu,
  pduHeader,
  presentationContextItem,
  T,
  tlsClientHello,
  u16,
  u32,
  userInformationItem,
  VERIFICATION_SOP_CLASS,
} from './pdu-bytes.js';
import { RawPeer } from './raw-peer.js';

const PROVIDER = 2;
const UNRECOGNIZED_PDU = 1;
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

/** Remembers the peer so afterEach closes it whatever the test's outcome. */
function keep<A extends { peer: RawPeer }>(a: A): A {
  peers.push(a.peer);
  return a;
}

const verificationPc = (id = 1): Uint8Array => presentationContextItem(id, VERIFICATION_SOP_CLASS, [IMPLICIT_VR_LITTLE_ENDIAN]);

describe('a PDU-length of 0xFFFFFFFF with nothing behind it', () => {
  it.each([
    ['P-DATA-TF', T.DATA],
    ['A-ASSOCIATE-RQ', T.RQ],
    ['A-ASSOCIATE-AC', T.AC],
    ['A-RELEASE-RQ', T.RELEASE_RQ],
  ])('%s header: A-ABORT (2, 6) at once, before any association, with no allocation', async (_name, type) => {
    const before = await memory();
    for (let i = 0; i < 10; i++) await expectAbort(keep(await attack(s.port, [pduHeader(type, 0xffffffff)])), PROVIDER, INVALID_PARAMETER);
    const after = await memory();
    // Ten 4 GiB headers: had any been allocated from, rss would be gigabytes. Allow for sockets, timers and test noise.
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(2 * MiB);
    expect(after.rss - before.rss).toBeLessThan(48 * MiB);
    await expectStillServing(s.port);
  });

  it('P-DATA-TF header on an established association: A-ABORT (2, 6)', async () => {
    const before = await memory();
    await expectAbort(keep(await attackAssociated(s.port, [pduHeader(T.DATA, 0xffffffff)])), PROVIDER, INVALID_PARAMETER);
    const after = await memory();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(2 * MiB);
    await expectStillServing(s.port);
  });
});

describe('an A-ASSOCIATE-RQ over 1 MiB', () => {
  it('declared 1.5 MiB and streamed in 16 KiB writes: A-ABORT (2, 6) on the header, then the connection is closed', async () => {
    // A real RQ: fixed fields, application context, then unknown items of 64 KiB each up to 1.5 MiB.
    const filler = item(0x60, new Uint8Array(0xffff).fill(0x41));
    const items = [applicationContextItem(), verificationPc(), userInformationItem()];
    while (items.reduce((n, b) => n + b.length, 0) < 1.5 * MiB) items.push(filler);
    const rq = associateRq(items);
    expect(rq.length).toBeGreaterThan(1.5 * MiB);
    const before = await memory();
    const peer = await RawPeer.connect(s.port);
    peers.push(peer);
    const streaming = peer.stream(rq, rq.length, 16 * 1024, 3000);
    const reaction = await peer.reaction(1000);
    const sent = await streaming;
    await expectAbort({ peer, reaction, sentAt: 0 }, PROVIDER, INVALID_PARAMETER);
    const after = await memory();
    // The server read the header, refused, and stopped reading: it never held the body.
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(2 * MiB);
    expect(sent).toBeGreaterThan(0);
    await expectStillServing(s.port);
  });

  it('a P-DATA-TF declaring 1 MiB (our Maximum Length is 64 KiB), streamed: A-ABORT (2, 6)', async () => {
    const a = keep(await attackAssociated(s.port, [pduHeader(T.DATA, MiB), new Uint8Array(64 * 1024)]));
    await expectAbort(a, PROVIDER, INVALID_PARAMETER);
    await expectStillServing(s.port);
  });
});

describe('presentation context items', () => {
  it('5,000 of them (IDs cycling over the 128 odd values): A-ABORT (2, 6)', async () => {
    const pcs: Uint8Array[] = [];
    for (let i = 0; i < 5000; i++) pcs.push(verificationPc(1 + 2 * (i % 128)));
    const rq = associateRq([applicationContextItem(), ...pcs, userInformationItem()]);
    const a = keep(await attack(s.port, [rq]));
    await expectAbort(a, PROVIDER, INVALID_PARAMETER);
    await expectStillServing(s.port);
  });

  it('all 128 odd IDs once each is a valid request and is accepted (the bound is not too tight)', async () => {
    const pcs: Uint8Array[] = [];
    for (let id = 1; id <= 255; id += 2) pcs.push(verificationPc(id));
    const a = keep(await attack(s.port, [associateRq([applicationContextItem(), ...pcs, userInformationItem()])]));
    expect(a.reaction.kind).toBe('accept');
    await expectStillServing(s.port);
  });

  it.each([
    ['a duplicate ID (1, 1)', [1, 1]],
    ['an even ID (2)', [1, 2]],
    ['ID 0', [0]],
  ])('%s: A-ABORT (2, 6)', async (_name, ids) => {
    const rq = associateRq([applicationContextItem(), ...ids.map((id) => verificationPc(id)), userInformationItem()]);
    await expectAbort(keep(await attack(s.port, [rq])), PROVIDER, INVALID_PARAMETER);
    await expectStillServing(s.port);
  });
});

/** An RQ of exactly 64 KiB (PDU-length): a 0x60 item pads it, `lie` is the item that lies, placed last. */
function lyingRq64k(lie: Uint8Array): Uint8Array {
  const head = [applicationContextItem(), verificationPc()];
  const used = 68 + head.reduce((n, b) => n + b.length, 0) + lie.length + 4;
  const pad = item(0x60, new Uint8Array(64 * 1024 - used));
  const body = associateRqBody([...head, pad, lie]);
  expect(body.length).toBe(64 * 1024);
  return pdu(T.RQ, body);
}

const LIES: readonly (readonly [string, Uint8Array])[] = [
  ['a user information item declaring 0xFFFF bytes', item(0x50, concat([item(0x51, u32(16384))]), 0xffff)],
  ['a presentation context item declaring 0x2000 bytes', item(0x20, concat([Uint8Array.of(3, 0, 0, 0), item(0x30, ascii(VERIFICATION_SOP_CLASS))]), 0x2000)],
  ['an abstract syntax sub-item declaring 0xFFFF bytes inside its context', item(0x20, concat([Uint8Array.of(3, 0, 0, 0), item(0x30, ascii(VERIFICATION_SOP_CLASS), 0xffff)]))],
  ['a maximum length sub-item declaring 0xFFFF bytes', item(0x50, item(0x51, u32(16384), 0xffff))],
  ['a role selection whose UID-length says 0xFFFF', item(0x50, concat([item(0x51, u32(16384)), item(0x54, concat([u16(0xffff), ascii(VERIFICATION_SOP_CLASS), Uint8Array.of(1, 1)]))]))],
  ['a user identity whose primary-field length says 0xFFFF', item(0x50, concat([item(0x51, u32(16384)), item(0x58, concat([Uint8Array.of(2, 0), u16(0xffff), ascii('user'), u16(0)]))]))],
  ['a maximum length sub-item of 2 bytes (underflow)', item(0x50, item(0x51, u16(0)))],
];

describe('sub-item lengths that lie (64 KiB requests)', () => {
  it.each(LIES)('%s: A-ABORT (2, 6)', async (_name, lie) => {
    await expectAbort(keep(await attack(s.port, [lyingRq64k(lie)])), PROVIDER, INVALID_PARAMETER);
    await expectStillServing(s.port);
  });

  it('(control) the same 64 KiB request with an honest user information item is accepted', async () => {
    const a = keep(await attack(s.port, [lyingRq64k(userInformationItem())]));
    expect(a.reaction.kind).toBe('accept');
  });

  it('24 connections each holding a 64 KiB request one byte short: the server holds at most about twice that per connection', async () => {
    // Its own server with a long ARTIM, so the half-sent requests stay held while we measure.
    const slow = await startServer({ artimTimeout: 10_000, maxAssociations: 64 });
    const held: RawPeer[] = [];
    try {
      const rq = lyingRq64k(LIES[0]![1]);
      const before = await memory();
      for (let i = 0; i < 24; i++) {
        const peer = await RawPeer.connect(slow.port);
        held.push(peer);
        await peer.send(rq.subarray(0, rq.length - 1));
      }
      await new Promise((r) => setTimeout(r, 200));
      const during = await memory();
      const perConnection = (during.arrayBuffers - before.arrayBuffers) / held.length;
      expect(perConnection).toBeLessThan(2 * 64 * 1024);
      expect(held.every((p) => p.pdus.length === 0 && !p.closed)).toBe(true);
      // The last byte completes each request: every one is refused for its lying user information item.
      for (const peer of held) await peer.send(rq.subarray(rq.length - 1));
      for (const peer of held) await expectAbort({ peer, reaction: await peer.reaction(1000), sentAt: 0 }, PROVIDER, INVALID_PARAMETER);
      const after = await memory();
      expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(MiB);
      await expectStillServing(slow.port);
    } finally {
      for (const p of held) p.destroy();
      await slow.close();
    }
  });
});

describe('zero-length items repeated', () => {
  const zero = item(0x60, new Uint8Array(0));

  it('100,000 zero-length items (400 KB), streamed: A-ABORT (2, 6) on the header', async () => {
    const rq = associateRq([applicationContextItem(), ...Array.from({ length: 100_000 }, () => zero)]);
    const peer = await RawPeer.connect(s.port);
    peers.push(peer);
    const streaming = peer.stream(rq, rq.length, 32 * 1024, 3000);
    const reaction = await peer.reaction(1000);
    await streaming;
    await expectAbort({ peer, reaction, sentAt: 0 }, PROVIDER, INVALID_PARAMETER);
    await expectStillServing(s.port);
  });

  it.each([
    ['60,000 top-level items in one 240 KB request', () => associateRq([applicationContextItem(), ...Array.from({ length: 60_000 }, () => zero)])],
    ['16,000 sub-items in one user information item', () => associateRq([applicationContextItem(), verificationPc(), item(0x50, concat(Array.from({ length: 16_000 }, () => zero)))])],
    [
      '16,000 sub-items in one presentation context item',
      () => associateRq([applicationContextItem(), item(0x20, concat([Uint8Array.of(1, 0, 0, 0), item(0x30, ascii(VERIFICATION_SOP_CLASS)), item(0x40, ascii(IMPLICIT_VR_LITTLE_ENDIAN)), ...Array.from({ length: 16_000 }, () => zero)]))]),
    ],
  ])('%s: A-ABORT (2, 6) at once', async (_name, build) => {
    const a = keep(await attack(s.port, [build()]));
    await expectAbort(a, PROVIDER, INVALID_PARAMETER);
    await expectStillServing(s.port);
  });

  it('10,000 empty PDVs in one P-DATA-TF (60 KB): A-ABORT (2, 6)', async () => {
    const p = pDataTf(Array.from({ length: 10_000 }, () => ({ contextId: 1, control: 0x01, data: new Uint8Array(0) })));
    expect(p.length).toBeLessThan(64 * 1024);
    await expectAbort(keep(await attackAssociated(s.port, [p])), PROVIDER, INVALID_PARAMETER);
    await expectStillServing(s.port);
  });
});

describe('bytes that are not DICOM on the DICOM port', () => {
  it.each([
    ['PDU type 0x08', pduHeader(0x08, 4)],
    ['PDU type 0xFF', pduHeader(0xff, 0xffffffff)],
    ['PDU type 0x00', pduHeader(0x00, 0)],
    ['a lone byte 0x08', Uint8Array.of(0x08)],
    ['an HTTP GET', HTTP_GET],
    ['a TLS ClientHello', tlsClientHello()],
  ])('%s: A-ABORT (2, 1) at once, then closed', async (_name, bytes) => {
    await expectAbort(keep(await attack(s.port, [bytes])), PROVIDER, UNRECOGNIZED_PDU);
    await expectStillServing(s.port);
  });

  it('PDU type 0x08 on an established association: A-ABORT (2, 1)', async () => {
    await expectAbort(keep(await attackAssociated(s.port, [pdu(0x08, new Uint8Array(4))])), PROVIDER, UNRECOGNIZED_PDU);
    await expectStillServing(s.port);
  });
});
