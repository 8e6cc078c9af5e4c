import { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { verificationScp } from '../services/verification/scp.js';
import { connect, listen, parsePeer } from './ae.js';

describe('parsePeer', () => {
  it('reads AET@host:port, IPv6 in brackets', () => {
    expect(parsePeer('ORTHANC@localhost:4242')).toEqual({ aeTitle: 'ORTHANC', host: 'localhost', port: 4242 });
    expect(parsePeer('PACS@[::1]:104')).toEqual({ aeTitle: 'PACS', host: '::1', port: 104 });
  });

  it('refuses what is not a peer', () => {
    for (const bad of ['localhost:104', 'A@host', 'A@host:0', 'A@host:70000', 'SEVENTEENCHARSXXX@h:1', '@h:1']) expect(parsePeer(bad)).toBeUndefined();
  });
});

describe('listen: the service contract', () => {
  const VERIFICATION = '1.2.840.10008.1.1';
  const FIND = '1.2.840.10008.5.1.4.1.2.2.1';
  const IMPLICIT = '1.2.840.10008.1.2';
  const contexts = [
    { abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] },
    { abstractSyntax: FIND, transferSyntaxes: [IMPLICIT] },
  ];

  it('answers a handler that throws with its failure status and an error comment, and keeps the association', async () => {
    const server = await listen({
      aeTitle: 'SCP',
      port: 0,
      host: '127.0.0.1',
      services: [{ name: 'broken', sopClasses: [VERIFICATION], commands: [0x0030], transferSyntaxes: [IMPLICIT], failureStatus: 0xc001, handle: async () => { throw new Error('disk on fire'); } }],
    });
    try {
      const a = await connect({ aeTitle: 'SCP', host: '127.0.0.1', port: server.port }, { aeTitle: 'SCU', contexts });
      const r = await a.requestOne(1, { commandField: 0x0030, affectedSopClassUid: VERIFICATION, hasDataset: false });
      expect(r.command.status).toBe(0xc001);
      expect(r.command.errorComment).toBe('disk on fire');
      const again = await a.requestOne(1, { commandField: 0x0030, affectedSopClassUid: VERIFICATION, hasDataset: false });
      expect(again.command.status).toBe(0xc001);
      await a.release();
    } finally {
      await server.close();
    }
  });

  it('sends pending responses from an async generator, and C-CANCEL aborts the handler', async () => {
    let cancelled = false;
    const server = await listen({
      aeTitle: 'SCP',
      port: 0,
      host: '127.0.0.1',
      services: [
        {
          name: 'find',
          sopClasses: [FIND],
          commands: [0x0020],
          transferSyntaxes: [IMPLICIT],
          async *handle(_request, context) {
            for (let i = 0; i < 1000; i++) {
              if (context.signal.aborted) {
                cancelled = true;
                yield { status: 0xfe00 };
                return;
              }
              yield { status: 0xff00, dataset: new Uint8Array([i & 0xff, 0]) };
              await new Promise((r) => setTimeout(r, 5));
            }
            yield { status: 0 };
          },
        },
      ],
    });
    try {
      const a = await connect({ aeTitle: 'SCP', host: '127.0.0.1', port: server.port }, { aeTitle: 'SCU', contexts });
      const statuses: number[] = [];
      const messageId = a.newMessageId();
      for await (const r of a.request(3, { commandField: 0x0020, messageId, affectedSopClassUid: FIND, priority: 0, hasDataset: true }, new Uint8Array(0))) {
        statuses.push(r.command.status!);
        if (statuses.length === 3) await a.send(3, { commandField: 0x0fff, messageIdBeingRespondedTo: messageId, hasDataset: false });
      }
      expect(statuses.slice(0, 3)).toEqual([0xff00, 0xff00, 0xff00]);
      expect(statuses.at(-1)).toBe(0xfe00);
      expect(cancelled).toBe(true);
      await a.release();
    } finally {
      await server.close();
    }
  });

  it('gives connect() an echo(), and answers an operation the service does not handle with 0x0211', async () => {
    const server = await listen({ aeTitle: 'SCP', port: 0, host: '127.0.0.1', services: [verificationScp([IMPLICIT])] });
    try {
      const a = await connect({ aeTitle: 'SCP', host: '127.0.0.1', port: server.port }, { aeTitle: 'SCU', contexts });
      expect((await a.echo()).status).toBe(0);
      const r = await a.requestOne(1, { commandField: 0x0001, affectedSopClassUid: VERIFICATION, affectedSopInstanceUid: '1.2.3', priority: 0, hasDataset: true }, new Uint8Array(16));
      expect(r.command.status).toBe(0x0211);
      await a.release();
    } finally {
      await server.close();
    }
  });

  it('sends the pending responses a handler yields in one turn in a few system calls, not one per response', async () => {
    const RESPONSES = 200;
    const server = await listen({
      aeTitle: 'SCP',
      port: 0,
      host: '127.0.0.1',
      services: [
        {
          name: 'many',
          sopClasses: [FIND],
          commands: [0x0020],
          transferSyntaxes: [IMPLICIT],
          async *handle() {
            for (let i = 0; i < RESPONSES; i++) yield { status: 0xff00, dataset: new Uint8Array(300).fill(i & 0xff) };
            yield { status: 0 };
          },
        },
      ],
    });
    try {
      const a = await connect({ aeTitle: 'SCP', host: '127.0.0.1', port: server.port }, { aeTitle: 'SCU', contexts });
      const writev = vi.spyOn(Socket.prototype as unknown as { _writev: () => void }, '_writev');
      const write = vi.spyOn(Socket.prototype as unknown as { _write: () => void }, '_write');
      const statuses: number[] = [];
      const datasets: number[] = [];
      for await (const r of a.request(3, { commandField: 0x0020, affectedSopClassUid: FIND, priority: 0, hasDataset: true }, new Uint8Array(8))) {
        statuses.push(r.command.status ?? -1);
        if (r.dataset) datasets.push(r.dataset[0]!);
      }
      const calls = writev.mock.calls.length + write.mock.calls.length;
      writev.mockRestore();
      write.mockRestore();
      expect(statuses).toHaveLength(RESPONSES + 1);
      expect(statuses.at(-1)).toBe(0);
      expect(datasets).toEqual(Array.from({ length: RESPONSES }, (_, i) => i & 0xff));
      // One response per system call was 201 writes (plus the request's); they now leave together.
      expect(calls).toBeLessThanOrEqual(12);
      await a.release();
    } finally {
      await server.close();
    }
  });

  it('hands a request to the kernel at once (only pending responses wait for the ones that follow)', async () => {
    const server = await listen({ aeTitle: 'SCP', port: 0, host: '127.0.0.1', services: [verificationScp([IMPLICIT])] });
    try {
      const a = await connect({ aeTitle: 'SCP', host: '127.0.0.1', port: server.port }, { aeTitle: 'SCU', contexts });
      const writev = vi.spyOn(Socket.prototype as unknown as { _writev: () => void }, '_writev');
      const write = vi.spyOn(Socket.prototype as unknown as { _write: () => void }, '_write');
      const response = a.requestOne(1, { commandField: 0x0030, affectedSopClassUid: VERIFICATION, hasDataset: false });
      // A callback queued now runs at the end of this turn: the request must be out before it, not held until then.
      const calls = await new Promise<number>((resolve) => setImmediate(() => resolve(writev.mock.calls.length + write.mock.calls.length)));
      writev.mockRestore();
      write.mockRestore();
      expect(calls).toBeGreaterThanOrEqual(1);
      expect((await response).command.status).toBe(0);
      await a.release();
    } finally {
      await server.close();
    }
  });

  it('writes the PDUs of a large message in a few batched system calls, not one per PDU', async () => {
    const STORE = '1.2.840.10008.5.1.4.1.1.7';
    let received = 0;
    const server = await listen({
      aeTitle: 'SCP',
      port: 0,
      host: '127.0.0.1',
      maxPduLength: 16384,
      services: [
        {
          name: 'count',
          sopClasses: [STORE],
          commands: [0x0001],
          transferSyntaxes: [IMPLICIT],
          datasetSink: () => ({ write: (c: Uint8Array) => void (received += c.length), end: async () => ({ status: 0 }), abort: () => undefined }),
          handle: async () => ({ status: 0 }),
        },
      ],
    });
    try {
      const a = await connect({ aeTitle: 'SCP', host: '127.0.0.1', port: server.port }, { aeTitle: 'SCU', contexts: [{ abstractSyntax: STORE, transferSyntaxes: [IMPLICIT] }] });
      const writev = vi.spyOn(Socket.prototype as unknown as { _writev: () => void }, '_writev');
      const write = vi.spyOn(Socket.prototype as unknown as { _write: () => void }, '_write');
      const r = await a.requestOne(1, { commandField: 0x0001, affectedSopClassUid: STORE, affectedSopInstanceUid: '1.2.3', priority: 0, hasDataset: true }, new Uint8Array(512 * 1024));
      const calls = writev.mock.calls.length + write.mock.calls.length;
      writev.mockRestore();
      write.mockRestore();
      expect(r.command.status).toBe(0);
      expect(received).toBe(512 * 1024);
      // 33 PDUs of at most 16 KiB: in batches of 256 KiB, a handful of writes (the response's included).
      expect(calls).toBeLessThanOrEqual(8);
      await a.release();
    } finally {
      await server.close();
    }
  });
});


describe('listen: SOP Class Extended Negotiation (PS3.7 D.3.3.5)', () => {
  const FIND = '1.2.840.10008.5.1.4.1.2.2.1';
  const MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
  const IMPLICIT = '1.2.840.10008.1.2';

  it('each SOP class is answered by the service that accepted it (none by one without the hook); handlers read it on their association', async () => {
    let seenByHandler: Uint8Array | undefined;
    const asked: string[] = [];
    const server = await listen({
      aeTitle: 'SCP',
      port: 0,
      host: '127.0.0.1',
      services: [
        {
          name: 'find, negotiating',
          sopClasses: [FIND],
          commands: [0x0020],
          transferSyntaxes: [IMPLICIT],
          extendedNegotiation: (sop, requested) => {
            asked.push(sop);
            return requested.map((b, i) => (i === 0 ? b : 0));
          },
          handle: async (_request, context) => {
            seenByHandler = context.association.extendedNegotiation(context.abstractSyntax);
            return { status: 0 };
          },
        },
        { name: 'move, not negotiating', sopClasses: [MOVE], commands: [0x0021], transferSyntaxes: [IMPLICIT], handle: async () => ({ status: 0 }) },
      ],
    });
    try {
      const a = await connect(
        { aeTitle: 'SCP', host: '127.0.0.1', port: server.port },
        {
          aeTitle: 'SCU',
          contexts: [FIND, MOVE].map((abstractSyntax) => ({ abstractSyntax, transferSyntaxes: [IMPLICIT] })),
          extendedNegotiations: [
            { sopClassUid: FIND, info: Uint8Array.of(1, 1) },
            { sopClassUid: MOVE, info: Uint8Array.of(1) },
          ],
        },
      );
      // The requestor reads the acceptor's answers.
      expect(a.extendedNegotiation(FIND)).toEqual(Uint8Array.of(1, 0));
      expect(a.extendedNegotiation(MOVE)).toBeUndefined();
      expect(asked).toEqual([FIND]);
      const r = await a.requestOne(1, { commandField: 0x0020, affectedSopClassUid: FIND, priority: 0, hasDataset: true }, new Uint8Array(0));
      expect(r.command.status).toBe(0);
      expect(seenByHandler).toEqual(Uint8Array.of(1, 0));
      await a.release();
    } finally {
      await server.close();
    }
  });
});
