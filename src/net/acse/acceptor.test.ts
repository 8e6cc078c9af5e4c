import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodePdu } from '../pdu/pdu-codec.js';
import { PduReader } from '../pdu/pdu-reader.js';
import { type AAssociateAc, type AAssociateRq, type Pdu, PduType, type SopClassExtendedNegotiation } from '../pdu/types.js';
import { acceptAssociation, type AcceptorPolicy } from './acceptor.js';
import type { Association } from './association.js';
import { DICOM_APPLICATION_CONTEXT } from './constants.js';

const FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

/**
 * Sends an A-ASSOCIATE-RQ from a bare socket (so the test decides every sub-item, duplicates included) to an
 * acceptor with `policy`, and returns the A-ASSOCIATE-AC as decoded from the wire and the acceptor's Association.
 */
async function associate(policy: Partial<AcceptorPolicy>, extendedNegotiations: readonly SopClassExtendedNegotiation[]): Promise<{ ac: AAssociateAc; server: Association }> {
  let resolveServer!: (a: Association) => void;
  const serverSide = new Promise<Association>((r) => (resolveServer = r));
  const listener = createServer((socket) => {
    void acceptAssociation(socket, {
      aeTitle: 'SCP',
      // CT only in Explicit VR: proposed in Implicit VR below, it is rejected (transfer syntaxes not supported).
      supported: new Map([
        [FIND, [IMPLICIT]],
        [MOVE, [IMPLICIT]],
        [CT, [EXPLICIT]],
      ]),
      ...policy,
    }).then((a) => {
      if ('ul' in a) resolveServer(a);
    });
  });
  servers.push(listener);
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  const rq: AAssociateRq = {
    type: PduType.A_ASSOCIATE_RQ,
    protocolVersion: 1,
    calledAeTitle: 'SCP',
    callingAeTitle: 'SCU',
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: [
      { id: 1, abstractSyntax: FIND, transferSyntaxes: [IMPLICIT] },
      { id: 3, abstractSyntax: MOVE, transferSyntaxes: [IMPLICIT] },
      { id: 5, abstractSyntax: CT, transferSyntaxes: [IMPLICIT] },
    ],
    userInformation: { maxPduLength: 16384, implementationClassUid: '1.2.3.4.5', extendedNegotiations },
  };
  const socket = tcpConnect({ host: '127.0.0.1', port: (listener.address() as { port: number }).port });
  sockets.push(socket);
  const reader = new PduReader({ maxAssociateLength: 1024 * 1024 });
  const answer = new Promise<Pdu>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      const [pdu] = reader.push(chunk);
      if (pdu) resolve(pdu);
    });
    socket.once('error', reject);
  });
  socket.once('connect', () => socket.write(encodePdu(rq)));
  const pdu = await answer;
  expect(pdu.type).toBe(PduType.A_ASSOCIATE_AC);
  return { ac: pdu as AAssociateAc, server: await serverSide };
}

/** A service answer that accepts what was asked in the first byte and declines the rest. */
const firstByteOnly = (_sop: string, requested: Uint8Array): Uint8Array => requested.map((b, i) => (i === 0 && b === 1 ? 1 : 0));

describe('acceptAssociation: SOP Class Extended Negotiation (PS3.7 D.3.3.5)', () => {
  it('answers, in the A-ASSOCIATE-AC, the accepted SOP classes it was asked about, with the service\'s bytes', async () => {
    const hook = vi.fn(firstByteOnly);
    const { ac, server } = await associate({ extendedNegotiation: hook }, [
      { sopClassUid: FIND, info: bytes(1, 1, 1, 1) },
      { sopClassUid: CT, info: bytes(1) },
    ]);
    // MOVE was accepted but not asked about; CT was asked about but its context was rejected.
    expect(ac.userInformation.extendedNegotiations).toEqual([{ sopClassUid: FIND, info: bytes(1, 0, 0, 0) }]);
    expect(hook.mock.calls).toEqual([[FIND, bytes(1, 1, 1, 1)]]);
    expect(server.extendedNegotiation(FIND)).toEqual(bytes(1, 0, 0, 0));
    expect(server.extendedNegotiation(MOVE)).toBeUndefined();
    expect(server.extendedNegotiation(CT)).toBeUndefined();
    server.abort();
  });

  it('no hook: no sub-item in the A-ASSOCIATE-AC, whatever was asked', async () => {
    const { ac, server } = await associate({}, [{ sopClassUid: FIND, info: bytes(1, 1) }]);
    expect(ac.userInformation.extendedNegotiations).toBeUndefined();
    expect(server.extendedNegotiation(FIND)).toBeUndefined();
    server.abort();
  });

  it('no sub-item asked: none answered, and the hook is not called', async () => {
    const hook = vi.fn(firstByteOnly);
    const { ac, server } = await associate({ extendedNegotiation: hook }, []);
    expect(ac.userInformation.extendedNegotiations).toBeUndefined();
    expect(hook).not.toHaveBeenCalled();
    server.abort();
  });

  // The User Information item's 2-byte length bounds all its sub-items together to 64 KiB.
  it('a hostile RQ (a huge field, duplicates, hundreds of unknown SOP classes, a failing service) is accepted with bounded answers', async () => {
    const hook = vi.fn((sop: string, requested: Uint8Array): Uint8Array => {
      if (sop === MOVE) throw new Error('not today');
      // Like the Q/R services: never longer than the sub-fields it knows.
      return firstByteOnly(sop, requested.subarray(0, 7));
    });
    const unknown = Array.from({ length: 900 }, (_, i) => ({ sopClassUid: `1.2.826.0.1.${i}`, info: bytes(1) }));
    const { ac, server } = await associate({ extendedNegotiation: hook }, [
      { sopClassUid: FIND, info: new Uint8Array(30_000).fill(1) },
      { sopClassUid: FIND, info: bytes(0) },
      { sopClassUid: MOVE, info: bytes(1) },
      { sopClassUid: CT, info: new Uint8Array(1000).fill(1) },
      ...unknown,
    ]);
    expect(ac.userInformation.extendedNegotiations).toEqual([{ sopClassUid: FIND, info: bytes(1, 0, 0, 0, 0, 0, 0) }]);
    expect(hook).toHaveBeenCalledTimes(2);
    expect(server.params.contexts.size).toBe(2);
    expect(server.extendedNegotiation(MOVE)).toBeUndefined();
    server.abort();
  });
});
