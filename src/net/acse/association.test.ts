import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AssociationAbortedError } from '../../core/errors.js';
import { acceptAssociation } from './acceptor.js';
import type { Association } from './association.js';
import type { DatasetSink, DatasetSinkProvider } from './message-receiver.js';
import { requestAssociation } from './requestor.js';

const VERIFICATION = '1.2.840.10008.1.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const IMPLICIT = '1.2.840.10008.1.2';

interface Pair {
  readonly client: Association;
  readonly server: Association;
  readonly listener: Server;
}

const listeners: Server[] = [];
afterEach(() => {
  for (const l of listeners.splice(0)) l.close();
});

/** A requestor and an acceptor association over loopback. */
async function pair(options: { clientMaxPdu?: number; serverMaxPdu?: number; datasetSink?: DatasetSinkProvider } = {}): Promise<Pair> {
  let resolveServer!: (a: Association) => void;
  const serverSide = new Promise<Association>((r) => (resolveServer = r));
  const listener = createServer((socket) => {
    void acceptAssociation(socket, {
      aeTitle: 'SCP',
      supported: new Map([
        [VERIFICATION, [IMPLICIT]],
        [CT, [IMPLICIT]],
      ]),
      maxPduLength: options.serverMaxPdu,
      datasetSink: options.datasetSink,
    }).then((a) => {
      if ('ul' in a) resolveServer(a);
    });
  });
  listeners.push(listener);
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  const port = (listener.address() as { port: number }).port;
  const client = await requestAssociation({
    host: '127.0.0.1',
    port,
    callingAeTitle: 'SCU',
    calledAeTitle: 'SCP',
    contexts: [
      { abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] },
      { abstractSyntax: CT, transferSyntaxes: [IMPLICIT] },
    ],
    maxPduLength: options.clientMaxPdu,
  });
  return { client, server: await serverSide, listener };
}

describe('Association', () => {
  it('exchanges a request and its response, matched by Message ID', async () => {
    const { client, server } = await pair();
    server.onRequest = async (message, a) => {
      await a.send(message.contextId, { commandField: 0x8030, messageIdBeingRespondedTo: message.command.messageId, affectedSopClassUid: VERIFICATION, status: 0, hasDataset: false });
    };
    const response = await client.requestOne(1, { commandField: 0x0030, affectedSopClassUid: VERIFICATION, hasDataset: false });
    expect(response.command.status).toBe(0);
    expect(response.command.messageIdBeingRespondedTo).toBe(1);
    await client.release();
    expect(await client.ended).toBe('released');
    expect(await server.ended).toBe('released');
  });

  it("fragments datasets to the peer's maximum PDU length and reassembles them", async () => {
    const { client, server } = await pair({ serverMaxPdu: 4096 });
    const dataset = new Uint8Array(100_000).map((_, i) => i & 0xff);
    const received = new Promise<Uint8Array>((resolve) => {
      server.onRequest = async (message, a) => {
        resolve(message.dataset!);
        await a.send(message.contextId, { commandField: 0x8001, messageIdBeingRespondedTo: message.command.messageId, affectedSopClassUid: CT, affectedSopInstanceUid: '1.2.3', status: 0, hasDataset: false });
      };
    });
    expect(client.params.peerMaxPduLength).toBe(4096);
    const response = await client.requestOne(3, { commandField: 0x0001, affectedSopClassUid: CT, affectedSopInstanceUid: '1.2.3', priority: 0, hasDataset: true }, dataset);
    expect(response.command.status).toBe(0);
    expect(Buffer.compare(Buffer.from(await received), Buffer.from(dataset))).toBe(0);
    await client.release();
  });

  it('survives a release collision: both sides release at once and both end released', async () => {
    const { client, server } = await pair();
    await Promise.all([client.release(), server.release()]);
    expect(await client.ended).toBe('released');
    expect(await server.ended).toBe('released');
  });

  it('fails outstanding requests with AssociationAbortedError when the peer aborts', async () => {
    const { client, server } = await pair();
    server.onRequest = () => server.abort();
    await expect(client.requestOne(1, { commandField: 0x0030, affectedSopClassUid: VERIFICATION, hasDataset: false })).rejects.toBeInstanceOf(AssociationAbortedError);
    expect(await client.ended).toBe('aborted');
  });

  it('aborts when the peer sends a response to nothing outstanding', async () => {
    const { client, server } = await pair();
    await server.send(1, { commandField: 0x8030, messageIdBeingRespondedTo: 99, affectedSopClassUid: VERIFICATION, status: 0, hasDataset: false });
    expect(await client.ended).toBe('aborted');
    expect(await server.ended).toBe('aborted');
  });

  it('streams a received dataset into a sink, slowly, with the socket paused meanwhile, and delivers the result', async () => {
    let written = 0;
    let maxChunk = 0;
    const sink = (): DatasetSink => ({
      write: async (chunk) => {
        written += chunk.length;
        maxChunk = Math.max(maxChunk, chunk.length);
        await new Promise((r) => setImmediate(r));
      },
      end: async () => ({ bytes: written }),
      abort: () => undefined,
    });
    const { client, server } = await pair({ datasetSink: (_, command) => (command.commandField === 0x0001 ? sink() : undefined) });
    const results = new Promise<unknown>((resolve) => {
      server.onRequest = async (message, a) => {
        resolve(message.sinkResult);
        expect(message.dataset).toBeUndefined();
        await a.send(message.contextId, { commandField: 0x8001, messageIdBeingRespondedTo: message.command.messageId, affectedSopClassUid: CT, affectedSopInstanceUid: '1.2.3', status: 0, hasDataset: false });
      };
    });
    const size = 24 * 1024 * 1024;
    async function* chunks(): AsyncIterable<Uint8Array> {
      for (let sent = 0; sent < size; sent += 1 << 20) yield new Uint8Array(1 << 20);
    }
    const response = await client.requestOne(3, { commandField: 0x0001, affectedSopClassUid: CT, affectedSopInstanceUid: '1.2.3', priority: 0, hasDataset: true }, chunks());
    expect(response.command.status).toBe(0);
    expect(await results).toEqual({ bytes: size });
    expect(maxChunk).toBeLessThanOrEqual(65536);
    await client.release();
  });

  it('tells the sink to abort when the association ends in the middle of a dataset', async () => {
    let aborted: Error | undefined;
    let started!: () => void;
    const writing = new Promise<void>((r) => (started = r));
    const { client, server } = await pair({
      datasetSink: () => ({
        write: () => started(),
        end: async () => 'never',
        abort: (error) => {
          aborted = error;
        },
      }),
    });
    async function* forever(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 1000; i++) {
        yield new Uint8Array(16384);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const sending = client.requestOne(3, { commandField: 0x0001, affectedSopClassUid: CT, affectedSopInstanceUid: '1.2.3', priority: 0, hasDataset: true }, forever());
    await writing;
    client.abort();
    await expect(sending).rejects.toBeInstanceOf(AssociationAbortedError);
    expect(await server.ended).toBe('aborted');
    for (let i = 0; i < 50 && !aborted; i++) await new Promise((r) => setTimeout(r, 10));
    expect(aborted).toBeInstanceOf(Error);
  });
});
