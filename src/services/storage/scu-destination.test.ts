/**
 * sendToDestination over loopback against Portico's own `listen()` with a scripted Storage SCP: statuses,
 * on-failure abort, retries after connection failures and A7xx, association splitting, conversion, refusals.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { readDicom } from '../../encoding/read.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEGBaseline8Bit } from '../../encoding/transfer-syntax.js';
import { writeDicom } from '../../encoding/write.js';
import { type DicomServer, listen } from '../../net/ae.js';
import type { ScpResponse, ScpService } from '../../net/service.js';
import { collectInstances } from './file-source.js';
import { type RetryNotice, sendToDestination } from './scu-destination.js';
import { datasetInstance, type StoreInstance } from './scu.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const SC = '1.2.840.10008.5.1.4.1.1.7';
const HOST = '127.0.0.1';

interface Received {
  readonly sopInstanceUid: string | undefined;
  readonly transferSyntax: string;
  readonly dataset: Uint8Array;
  readonly association: number;
}

/** A Storage SCP answering each C-STORE with what `script` says for the n-th request (1-based). */
function scriptedScp(
  received: Received[],
  script: (n: number) => ScpResponse | Promise<ScpResponse> = () => ({ status: 0 }),
  options: { sopClasses?: readonly string[]; transferSyntaxes?: readonly string[] } = {},
): ScpService {
  let n = 0;
  const associations = new Map<object, number>();
  return {
    name: 'Storage (scripted)',
    sopClasses: options.sopClasses ?? [CT, MR, SC],
    commands: [0x0001],
    transferSyntaxes: options.transferSyntaxes ?? [ExplicitVRLittleEndian, ImplicitVRLittleEndian],
    handle: async (request, context) => {
      if (!associations.has(context.association)) associations.set(context.association, associations.size + 1);
      received.push({
        sopInstanceUid: request.command.affectedSopInstanceUid,
        transferSyntax: context.transferSyntax,
        dataset: Uint8Array.from(request.dataset ?? []),
        association: associations.get(context.association)!,
      });
      return script(++n);
    },
  };
}

const servers: DicomServer[] = [];
async function serve(service: ScpService, port = 0): Promise<DicomServer> {
  const server = await listen({ aeTitle: 'SCP', port, host: HOST, services: [service] });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(200)));
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function dataset(sopClass: string, uid: string): Dataset {
  const ds = new Dataset();
  ds.set('SOPClassUID', sopClass);
  ds.set('SOPInstanceUID', uid);
  ds.set('PatientName', 'Scripted^Test');
  ds.set('PatientID', 'P1');
  ds.set(0x00090010, 'PORTICO TEST', 'LO');
  ds.set(0x00091001, 'private value', 'LO');
  ds.set('PixelData', new Uint8Array(2048).fill(7), 'OW');
  return ds;
}

const instances = (n: number, sopClass = CT): StoreInstance[] =>
  Array.from({ length: n }, (_, i) => datasetInstance(dataset(sopClass, `1.2.826.0.1.3680043.2.9.${i + 1}`), { label: `instance ${i + 1}` }));

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const peer = (server: DicomServer | number) => ({ aeTitle: 'SCP', host: HOST, port: typeof server === 'number' ? server : server.port });

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-scu-destination-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sendToDestination: statuses', () => {
  it('every instance stored: one association, datasets arrive as encoded, the report counts them', async () => {
    const received: Received[] = [];
    const server = await serve(scriptedScp(received));
    const list = instances(3);
    const report = await sendToDestination(peer(server), list);
    expect(report).toMatchObject({ total: 3, sent: 3, warnings: 0, failed: 0, associations: 1, retries: 0, stopped: false });
    expect(report.bytes).toBe(list.reduce((n, i) => n + i.size, 0));
    expect(received.map((r) => r.sopInstanceUid)).toEqual(list.map((i) => i.sopInstanceUid));
    expect(received[0]!.transferSyntax).toBe(ExplicitVRLittleEndian);
    expect(hex(received[0]!.dataset)).toBe(hex(writeDicom(dataset(CT, list[0]!.sopInstanceUid), { part10: false })));
    expect(report.results.map((r) => [r.outcome, r.status, r.attempts])).toEqual([
      ['success', 0, 1],
      ['success', 0, 1],
      ['success', 0, 1],
    ]);
  });

  it('B000 counts as sent with a warning; A900 and C000 fail with their comment; the others go on (continue)', async () => {
    const received: Received[] = [];
    const answers: ScpResponse[] = [
      { status: 0xb000, fields: { errorComment: 'Patient name coerced' } },
      { status: 0xa900, fields: { errorComment: 'Not a CT' } },
      { status: 0xc000 },
      { status: 0 },
    ];
    const server = await serve(scriptedScp(received, (n) => answers[n - 1]!));
    const report = await sendToDestination(peer(server), instances(4));
    expect(report).toMatchObject({ sent: 2, warnings: 1, failed: 2, associations: 1 });
    expect(report.results.map((r) => r.detail)).toEqual([
      '0xB000 Coercion of Data Elements (warning): Patient name coerced',
      '0xA900 Error: Data Set does not match SOP Class (failure): Not a CT',
      '0xC000 Error: Cannot understand (failure)',
      '0x0000 Success (success)',
    ]);
    expect(report.results[1]).toMatchObject({ outcome: 'failure', status: 0xa900, errorComment: 'Not a CT', transient: false });
  });

  it('--on-failure abort: the association is aborted at the first failure and the rest is reported not sent', async () => {
    const received: Received[] = [];
    const server = await serve(scriptedScp(received, (n) => ({ status: n === 2 ? 0xc001 : 0 })));
    const report = await sendToDestination(peer(server), instances(4), { onFailure: 'abort', retries: 3, retryDelay: 10 });
    expect(received).toHaveLength(2);
    expect(report).toMatchObject({ sent: 1, failed: 3, stopped: true, retries: 0 });
    expect(report.results[2]).toMatchObject({ notSent: true, detail: 'not sent: stopped after instance 2 failed (on failure: abort)' });
  });

  it('a C-STORE response that never comes: that instance fails after the DIMSE timeout, the next goes on a new association', async () => {
    const received: Received[] = [];
    const server = await serve(scriptedScp(received, (n) => (n === 1 ? new Promise(() => undefined) : { status: 0 })));
    const report = await sendToDestination(peer(server), instances(2), { dimseTimeout: 300 });
    expect(report).toMatchObject({ sent: 1, failed: 1, associations: 2 });
    expect(report.results[0]).toMatchObject({ outcome: 'failure', attempts: 1, detail: expect.stringMatching(/no response to C-STORE-RQ within 0\.3 s \(while it was being sent\)$/) });
    expect(report.connectionError).toBeUndefined();
  });

  it('a peer that aborts the association on one instance: that one fails, the others go on new associations', async () => {
    const received: Received[] = [];
    let calls = 0;
    const service: ScpService = {
      ...scriptedScp(received),
      handle: async (request, context) => {
        calls++;
        received.push({ sopInstanceUid: request.command.affectedSopInstanceUid, transferSyntax: context.transferSyntax, dataset: new Uint8Array(), association: 0 });
        if (request.command.affectedSopInstanceUid?.endsWith('.2')) context.association.abort();
        return { status: 0 };
      },
    };
    const server = await serve(service);
    const report = await sendToDestination(peer(server), instances(4), { retries: 1, retryDelay: 10 });
    expect(report.results.map((r) => r.outcome)).toEqual(['success', 'failure', 'success', 'success']);
    expect(report.results[1]).toMatchObject({ attempts: 2, detail: expect.stringMatching(/aborted the association .*\(while it was being sent\)$/) });
    // 1 and 2 on the first, 3 and 4 on the second, 2 again (retry, after the others) on the third.
    expect(report).toMatchObject({ associations: 3, retries: 1, sent: 3, failed: 1 });
    expect(received.map((r) => r.sopInstanceUid?.split('.').pop())).toEqual(['1', '2', '3', '4', '2']);
    expect(calls).toBe(5);
  });

  it('a peer that aborts every association before answering: three tries, then the rest is not sent', async () => {
    const received: Received[] = [];
    const service: ScpService = {
      ...scriptedScp(received),
      handle: async (request, context) => {
        received.push({ sopInstanceUid: request.command.affectedSopInstanceUid, transferSyntax: context.transferSyntax, dataset: new Uint8Array(), association: 0 });
        context.association.abort();
        return { status: 0 };
      },
    };
    const server = await serve(service);
    const report = await sendToDestination(peer(server), instances(6));
    expect(report).toMatchObject({ associations: 3, sent: 0, failed: 6 });
    expect(received).toHaveLength(3);
    expect(report.results.slice(3).every((r) => r.notSent)).toBe(true);
    expect(report.connectionError).toMatch(/aborted the association/);
  });
});

describe('sendToDestination: retries', () => {
  it('A700 then success: the instance is sent again on a new association after the delay', async () => {
    const received: Received[] = [];
    const server = await serve(scriptedScp(received, (n) => ({ status: n === 2 ? 0xa700 : 0, fields: n === 2 ? { errorComment: 'Disk full' } : {} })));
    const notices: RetryNotice[] = [];
    const report = await sendToDestination(peer(server), instances(3), { retries: 2, retryDelay: 20 }, { onRetry: (r) => notices.push(r) });
    expect(report).toMatchObject({ sent: 3, failed: 0, retries: 1, associations: 2 });
    expect(received.map((r) => [r.sopInstanceUid?.split('.').pop(), r.association])).toEqual([['1', 1], ['2', 1], ['3', 1], ['2', 2]]);
    expect(report.results[1]).toMatchObject({ outcome: 'success', attempts: 2 });
    expect(notices).toEqual([{ retry: 1, of: 2, instances: 1, delayMs: 20, reason: '0xA700 Refused: Out of Resources (failure): Disk full' }]);
  });

  it('A700 with no retries left: reported as the failure it is', async () => {
    const received: Received[] = [];
    const server = await serve(scriptedScp(received, () => ({ status: 0xa701 })));
    const report = await sendToDestination(peer(server), instances(2), { retries: 1, retryDelay: 1 });
    expect(report).toMatchObject({ sent: 0, failed: 2, retries: 1, associations: 2 });
    expect(report.results.map((r) => [r.status, r.attempts, r.transient])).toEqual([
      [0xa701, 2, true],
      [0xa701, 2, true],
    ]);
    expect(report.connectionError).toBeUndefined();
  });

  it('connection refused: retried `retries` times, then every instance is reported not sent with the reason', async () => {
    const port = await freePort();
    const notices: RetryNotice[] = [];
    const report = await sendToDestination(peer(port), instances(2), { retries: 2, retryDelay: 10 }, { onRetry: (r) => notices.push(r) });
    expect(report).toMatchObject({ sent: 0, failed: 2, retries: 2, associations: 0 });
    expect(notices.map((n) => n.retry)).toEqual([1, 2]);
    expect(report.connectionError).toBe(`SCP@${HOST}:${port}: connection refused`);
    expect(report.results[0]).toMatchObject({ notSent: true, detail: `not sent: SCP@${HOST}:${port}: connection refused`, attempts: 0 });
  });

  it('the peer comes up between two tries: the retry delivers everything', async () => {
    const port = await freePort();
    const received: Received[] = [];
    const report = await sendToDestination(peer(port), instances(2), { retries: 3, retryDelay: 10 }, {
      onRetry: (r) => {
        if (r.retry === 1) void serve(scriptedScp(received), port);
      },
    });
    expect(report).toMatchObject({ sent: 2, failed: 0 });
    expect(report.retries).toBeGreaterThanOrEqual(1);
    expect(received).toHaveLength(2);
  });

  it('a permanent rejection (called AE title not recognized) is not retried', async () => {
    const server = await listen({ aeTitle: 'RIGHT', port: 0, host: HOST, services: [scriptedScp([])], checkCalledAeTitle: true });
    servers.push(server);
    const report = await sendToDestination({ aeTitle: 'WRONG', host: HOST, port: server.port }, instances(1), { retries: 3, retryDelay: 10 });
    expect(report).toMatchObject({ failed: 1, retries: 0 });
    expect(report.connectionError).toMatch(/called AE title/i);
  });
});

describe('sendToDestination: negotiation', () => {
  it('more SOP classes than a limit of contexts: several associations, each instance on one', async () => {
    const received: Received[] = [];
    const server = await serve(scriptedScp(received));
    const list = [...instances(1, CT), ...instances(1, MR), ...instances(1, SC)];
    const report = await sendToDestination(peer(server), list, { maxContexts: 3 });
    expect(report).toMatchObject({ sent: 3, associations: 3 });
    expect(received.map((r) => r.association)).toEqual([1, 2, 3]);
  });

  it('a peer that accepts only Implicit VR LE gets explicit files converted, with the same elements', async () => {
    const received: Received[] = [];
    const server = await serve(scriptedScp(received, undefined, { transferSyntaxes: [ImplicitVRLittleEndian] }));
    const ds = dataset(CT, '1.2.826.0.1.3680043.2.9.77');
    const path = join(dir, 'explicit.dcm');
    await writeFile(path, writeDicom(ds, { transferSyntax: ExplicitVRLittleEndian }));
    const { instances: files } = await collectInstances([path]);
    const report = await sendToDestination(peer(server), files);
    expect(report.results[0]).toMatchObject({ outcome: 'success', converted: true, transferSyntax: ImplicitVRLittleEndian });
    expect(hex(received[0]!.dataset)).toBe(hex(writeDicom(ds, { part10: false, transferSyntax: ImplicitVRLittleEndian })));
  });

  it('a file in its own accepted syntax goes byte for byte; a compressed one the peer refuses fails clearly', async () => {
    const received: Received[] = [];
    const server = await serve(scriptedScp(received));
    const bytes = writeDicom(dataset(CT, '1.2.826.0.1.3680043.2.9.78'), { transferSyntax: ImplicitVRLittleEndian });
    await writeFile(join(dir, 'implicit.dcm'), bytes);
    await writeFile(join(dir, 'jpeg.dcm'), writeDicom(dataset(CT, '1.2.826.0.1.3680043.2.9.79'), { transferSyntax: JPEGBaseline8Bit }));
    const { instances: files } = await collectInstances([join(dir, 'implicit.dcm'), join(dir, 'jpeg.dcm')]);
    const report = await sendToDestination(peer(server), files);
    expect(hex(received[0]!.dataset)).toBe(hex(bytes.subarray(readDicom(bytes).datasetOffset)));
    expect(report.results[0]).toMatchObject({ outcome: 'success', converted: false, transferSyntax: ImplicitVRLittleEndian });
    expect(report.results[1]).toMatchObject({
      outcome: 'failure',
      detail: 'peer does not accept JPEG Baseline (Process 1) for CT Image Storage and decompression is not available yet',
    });
    expect(received).toHaveLength(1);
  });

  it('a file that changed after planning fails alone; the association carries on', async () => {
    const received: Received[] = [];
    const server = await serve(scriptedScp(received));
    const path = join(dir, 'changing.dcm');
    await writeFile(path, writeDicom(dataset(CT, '1.2.826.0.1.3680043.2.9.80'), { transferSyntax: ExplicitVRLittleEndian }));
    const { instances: files } = await collectInstances([path]);
    await writeFile(path, writeDicom(dataset(CT, '1.2.826.0.1.3680043.2.9.80'), { transferSyntax: ImplicitVRLittleEndian }).subarray(0, 200));
    const report = await sendToDestination(peer(server), [...files, ...instances(1)]);
    expect(report.results[0]).toMatchObject({ outcome: 'failure', detail: expect.stringContaining('the file changed since it was read') });
    expect(report).toMatchObject({ sent: 1, failed: 1, associations: 1 });
  });
});
