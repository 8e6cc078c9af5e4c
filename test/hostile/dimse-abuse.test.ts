/**
 * Issue 3, bad input against `portico serve` one layer up: well-formed PDUs carrying DIMSE messages the
 * Verification SCP must not honour — operations other than C-ECHO on its context, data sets it has no use for,
 * and more outstanding requests than the negotiated Asynchronous Operations Window (PS3.7 D.3.3.3) from a client
 * that does not read its responses. Each must end in a refusal or an A-ABORT with memory bounded.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CommandFields, decodeCommand, encodeCommand } from '../../src/net/dimse/command-set.js';
import { attackAssociated, CLOSE_MS, expectStillServing, PROMPT_MS } from './expect-reaction.js';
import { memory, MiB, rawAssociated, startServer, type TestServer } from './fixture.js';
import { COMMAND_LAST, echoRequestPdu, pDataTf, VERIFICATION_SOP_CLASS } from './pdu-bytes.js';
import { type RawPeer, sleep } from './raw-peer.js';

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

/** The command of a P-DATA-TF the server sent (one command PDV). */
function commandOf(body: Uint8Array): CommandFields {
  expect(body[5]! & 0x01, 'a command PDV').toBe(1);
  return decodeCommand(body.subarray(6));
}

const storeRq = (messageId: number): Uint8Array =>
  encodeCommand({ commandField: 0x0001, messageId, affectedSopClassUid: VERIFICATION_SOP_CLASS, affectedSopInstanceUid: '1.2.3.4', priority: 0, hasDataset: true });
const findRq = (messageId: number): Uint8Array => encodeCommand({ commandField: 0x0020, messageId, affectedSopClassUid: VERIFICATION_SOP_CLASS, priority: 0, hasDataset: true });

describe('operations other than C-ECHO on the Verification context', () => {
  it.each([
    ['C-STORE-RQ', 0x8001, storeRq(5)],
    ['C-FIND-RQ', 0x8020, findRq(5)],
  ])('a %s with a small data set: refused (not Success) or aborted', async (_name, responseField, command) => {
    const a = await attackAssociated(s.port, [pDataTf([{ contextId: 1, control: COMMAND_LAST, data: command }, { contextId: 1, control: 0x02, data: new Uint8Array(8) }])]);
    peers.push(a.peer);
    if (a.reaction.kind === 'abort') {
      expect(await a.peer.waitClosed(CLOSE_MS)).toBe(true);
    } else {
      // PS3.4 Annex A: the Verification SOP Class has C-ECHO only. Another operation is 0211H Unrecognized
      // Operation (PS3.7 C.4), answered with the response of that operation — never a Success.
      expect(a.reaction.kind).toBe('data');
      const rsp = commandOf(a.peer.pdus[1]!.body);
      expect(rsp.commandField).toBe(responseField);
      expect(rsp.messageIdBeingRespondedTo).toBe(5);
      expect(rsp.status).not.toBe(0x0000);
      expect(rsp.status).toBe(0x0211);
    }
    await expectStillServing(s.port);
  });

  it('a C-STORE-RQ streaming a 32 MiB data set on the Verification context: the server does not hold it', async () => {
    const peer = await rawAssociated(s.port);
    peers.push(peer);
    await peer.send(pDataTf([{ contextId: 1, control: COMMAND_LAST, data: storeRq(9) }]));
    const before = await memory();
    const fragment = pDataTf([{ contextId: 1, control: 0x00, data: new Uint8Array(16_000) }]);
    const deadline = performance.now() + 10_000;
    for (let i = 0; i < 2048 && !peer.closed && performance.now() < deadline; i++) await Promise.race([peer.send(fragment), sleep(200)]);
    await sleep(100);
    const during = await memory();
    // A Verification SCP has no use for a data set: it should refuse or abort as soon as the command arrives,
    // not collect up to 256 MiB (maxDatasetInMemory) per association before answering.
    expect((during.arrayBuffers - before.arrayBuffers) / MiB).toBeLessThan(8);
    await peer.send(pDataTf([{ contextId: 1, control: 0x02, data: new Uint8Array(8) }]));
    const reaction = await peer.reaction(PROMPT_MS, 1);
    if (reaction.kind === 'data') expect(commandOf(peer.pdus[1]!.body).status).not.toBe(0x0000);
    else expect(['abort', 'closed']).toContain(reaction.kind);
    await expectStillServing(s.port);
  });

  it('a C-ECHO-RQ that announces a data set: A-ABORT, no response', async () => {
    const bad = encodeCommand({ commandField: 0x0030, messageId: 3, affectedSopClassUid: VERIFICATION_SOP_CLASS, hasDataset: true });
    const a = await attackAssociated(s.port, [pDataTf([{ contextId: 1, control: COMMAND_LAST, data: bad }, { contextId: 1, control: 0x02, data: new Uint8Array(8) }])]);
    peers.push(a.peer);
    expect(a.reaction.kind).toBe('abort');
    expect(await a.peer.waitClosed(CLOSE_MS)).toBe(true);
    await expectStillServing(s.port);
  });

  it('a C-ECHO-RSP sent to the server (a response to nothing): A-ABORT', async () => {
    const rsp = encodeCommand({ commandField: 0x8030, messageIdBeingRespondedTo: 1, status: 0, hasDataset: false });
    const a = await attackAssociated(s.port, [pDataTf([{ contextId: 1, control: COMMAND_LAST, data: rsp }])]);
    peers.push(a.peer);
    expect(a.reaction.kind).toBe('abort');
    expect(await a.peer.waitClosed(CLOSE_MS)).toBe(true);
    await expectStillServing(s.port);
  });
});

describe('more outstanding requests than the Asynchronous Operations Window', () => {
  it('100,000 pipelined C-ECHO-RQs from a client that never reads: memory stays bounded', { timeout: 40_000 }, async () => {
    // No window was proposed, so one operation at a time (PS3.7 D.3.3.3). The server may abort, or stop reading
    // until its responses drain; it must not start one handler and queue one response per request without limit.
    // (The first ~50,000 responses fit in the loopback socket buffers; past that they pile up in the server.)
    const own = await startServer();
    try {
      const peer = await rawAssociated(own.port);
      peers.push(peer);
      peer.socket.pause();
      const burst = Buffer.concat(Array.from({ length: 1000 }, () => echoRequestPdu(1, 1)));
      const before = await memory();
      const started = performance.now();
      let sent = 0;
      while (sent < 100_000 && !peer.closed && performance.now() - started < 8000) {
        if (!peer.socket.write(burst)) await Promise.race([new Promise((r) => peer.socket.once('drain', r)), sleep(100)]);
        sent += 1000;
      }
      const writing = performance.now() - started;
      await sleep(500);
      const after = await memory();
      const grown = (after.heapUsed - before.heapUsed) / MiB;
      const closedByServer = peer.closed;
      const unsent = peer.socket.writableLength;
      peer.destroy();
      const recoveryStarted = performance.now();
      await expectStillServing(own.port);
      const recovery = performance.now() - recoveryStarted;
      console.info(
        `[hostile] ${sent} pipelined C-ECHO-RQs in ${writing.toFixed(0)} ms, responses unread: ${unsent} bytes not taken by the server, ` +
          `heap +${grown.toFixed(1)} MiB, closed by the server ${closedByServer}; next echo took ${recovery.toFixed(0)} ms`,
      );
      // Measured before a fix: +50 MiB here (about 1.3 KiB per queued request), growing with every request.
      expect(grown).toBeLessThan(16);
    } finally {
      await own.close();
    }
  });

  it('the server keeps serving others while one client pipelines 20,000 requests without reading', async () => {
    const own = await startServer();
    try {
      const peer = await rawAssociated(own.port);
      peers.push(peer);
      peer.socket.pause();
      const burst = Buffer.concat(Array.from({ length: 1000 }, () => echoRequestPdu(1, 1)));
      for (let i = 0; i < 20 && !peer.closed; i++) peer.socket.write(burst);
      const started = performance.now();
      await expectStillServing(own.port);
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      await own.close();
    }
  });
});
