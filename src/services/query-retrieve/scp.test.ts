import { mkdtemp, readFile as readBytes, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { readFile } from '../../encoding/read.js';
import { writeFile } from '../../encoding/write.js';
import { matchConditions } from '../../matching/condition.js';
import { type ClientAssociation, connect, type DicomServer, listen, type Peer } from '../../net/ae.js';
import type { DimseMessage } from '../../net/acse/association.js';
import { cCancelRq } from '../../net/dimse/c-cancel.js';
import { cFindRq } from '../../net/dimse/c-find.js';
import { cGetRq } from '../../net/dimse/c-get.js';
import { cMoveRq } from '../../net/dimse/c-move.js';
import { cStoreRsp } from '../../net/dimse/c-store.js';
import type { CommandFields } from '../../net/dimse/command-set.js';
import { type StorageHandler, storageScp } from '../storage/scp.js';
import type { QueryRequest, RetrieveRequest } from './levels.js';
import { queryRetrieveScps } from './scp.js';
import { encodeBare, decodeRequestIdentifier } from './scp-identifier.js';
import type { QueryRetrieveProvider, RetrieveInstance } from './scp-provider.js';
import { PatientRootQueryRetrieveInformationModelFind, StudyRootQueryRetrieveInformationModelFind, StudyRootQueryRetrieveInformationModelGet, StudyRootQueryRetrieveInformationModelMove } from './uids.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const SC = '1.2.840.10008.5.1.4.1.1.7';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const EXPLICIT = '1.2.840.10008.1.2.1';
const IMPLICIT = '1.2.840.10008.1.2';
const HOST = '127.0.0.1';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A fake archive: studies to find (optionally slowly), instances in files to retrieve, by Study Instance UID. */
class FakeProvider implements QueryRetrieveProvider {
  studies: Dataset[] = [];
  instances: (RetrieveInstance & { readonly study: string })[] = [];
  delayMs = 0;
  lastQuery: QueryRequest | undefined;
  async countMatches(query: QueryRequest, limit: number): Promise<number> {
    matchConditions(query.identifier); // a bad key value throws MatchingError, as the archive's does
    return Math.min(this.studies.length, limit);
  }
  async *find(query: QueryRequest): AsyncGenerator<Dataset> {
    this.lastQuery = query;
    matchConditions(query.identifier);
    for (const s of this.studies) {
      if (this.delayMs) await sleep(this.delayMs);
      const out = new Dataset();
      for (const key of query.identifier) if (key.tag !== 0x00080005) out.set(key.tag, s.get(key.tag)?.strings ?? [], key.vr);
      out.set('StudyInstanceUID', s.string('StudyInstanceUID'));
      yield out;
    }
  }
  async retrieveInstances(request: RetrieveRequest): Promise<readonly RetrieveInstance[]> {
    const uids = request.identifier.strings('StudyInstanceUID');
    return this.instances.filter((i) => uids.includes(i.study));
  }
}

interface Received {
  readonly command: CommandFields;
  readonly bytes: Uint8Array;
}

/** A Storage SCP handler that keeps what it receives in memory; optionally slow, or failing one instance. */
function collecting(received: Received[], options: { delayMs?: number; fail?: string } = {}): StorageHandler {
  return {
    sink: (command) => {
      const parts: Uint8Array[] = [];
      return {
        write: (chunk) => void parts.push(Buffer.from(chunk)),
        end: async () => {
          if (options.delayMs) await sleep(options.delayMs);
          received.push({ command, bytes: Buffer.concat(parts) });
          return { status: command.affectedSopInstanceUid === options.fail ? 0xa700 : 0 };
        },
        abort: () => undefined,
      };
    },
  };
}

function study(uid: string, name: string, date: string): Dataset {
  const d = new Dataset();
  d.set('StudyInstanceUID', uid);
  d.set('PatientName', name);
  d.set('StudyDate', date);
  d.set('PatientID', 'P1');
  return d;
}

function image(sopClass: string, uid: string, studyUid: string): Dataset {
  const d = new Dataset();
  d.set('SOPClassUID', sopClass);
  d.set('SOPInstanceUID', uid);
  d.set('StudyInstanceUID', studyUid);
  d.set('SeriesInstanceUID', `${studyUid}.1`);
  d.set('PatientName', 'Doe^John');
  d.set('Rows', 2);
  d.set('Columns', 2);
  d.set('PixelData', new Uint8Array([1, 2, 3, 4]), 'OB');
  return d;
}

let dir: string;
const provider = new FakeProvider();
let server: DicomServer;
let destination: DicomServer;
let slowDestination: DicomServer;
let abortingDestination: DicomServer;
const toDestination: Received[] = [];
const toSlow: Received[] = [];
const STUDY_A = '1.2.826.0.9.1';
const STUDY_B = '1.2.826.0.9.2';
const STUDY_MANY = '1.2.826.0.9.3';

async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, HOST, r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-qr-scp-'));
  const files: [string, string, string, string][] = [
    [CT, `${STUDY_A}.1.1`, STUDY_A, EXPLICIT],
    [CT, `${STUDY_A}.1.2`, STUDY_A, IMPLICIT],
    [SC, `${STUDY_A}.1.3`, STUDY_A, EXPLICIT],
    [MR, `${STUDY_B}.1.1`, STUDY_B, EXPLICIT],
  ];
  for (let i = 0; i < 30; i++) files.push([CT, `${STUDY_MANY}.1.${i + 1}`, STUDY_MANY, EXPLICIT]);
  for (const [sopClass, uid, studyUid, ts] of files) {
    const path = join(dir, `${uid}.dcm`);
    await writeFile(path, image(sopClass, uid, studyUid), { transferSyntax: ts });
    provider.instances.push({ sopClassUid: sopClass, sopInstanceUid: uid, transferSyntaxUid: ts, path, study: studyUid });
  }
  // One indexed instance whose file is gone.
  provider.instances.push({ sopClassUid: CT, sopInstanceUid: `${STUDY_B}.1.2`, transferSyntaxUid: EXPLICIT, path: join(dir, 'gone.dcm'), study: STUDY_B });
  provider.studies = [study(STUDY_A, 'Doe^John', '20240305'), study(STUDY_B, 'Müller^Jürgen', '20240306'), study(STUDY_MANY, 'ヤマダ^タロウ', '20240307')];

  destination = await listen({ aeTitle: 'DEST', port: 0, host: HOST, services: [storageScp({ sopClasses: [CT, MR], transferSyntaxes: [EXPLICIT, IMPLICIT], handler: collecting(toDestination) })] });
  slowDestination = await listen({ aeTitle: 'SLOW', port: 0, host: HOST, services: [storageScp({ sopClasses: [CT], transferSyntaxes: [EXPLICIT], handler: collecting(toSlow, { delayMs: 40 }) })] });
  let stores = 0;
  abortingDestination = await listen({
    aeTitle: 'ABORTS',
    port: 0,
    host: HOST,
    services: [
      {
        name: 'aborting storage',
        sopClasses: [CT],
        commands: [0x0001],
        transferSyntaxes: [EXPLICIT],
        handle: async (_request, context) => {
          if (++stores === 2) context.association.abort();
          return { status: 0 };
        },
      },
    ],
  });
  const destinations = new Map<string, Peer>([
    ['ABORTS', { aeTitle: 'ABORTS', host: HOST, port: abortingDestination.port }],
    ['DEST', { aeTitle: 'DEST', host: HOST, port: destination.port }],
    ['SLOW', { aeTitle: 'SLOW', host: HOST, port: slowDestination.port }],
    ['DOWN', { aeTitle: 'DOWN', host: HOST, port: await deadPort() }],
  ]);
  server = await listen({
    aeTitle: 'PORTICO',
    port: 0,
    host: HOST,
    services: [
      // The storage SOP classes a C-GET requestor proposes with the SCP role are accepted by the Storage SCP.
      storageScp({ sopClasses: [CT, SC, MR], transferSyntaxes: [EXPLICIT, IMPLICIT], handler: collecting([]) }),
      ...queryRetrieveScps({ archive: provider, destinations, maxMatches: 20, callingAeTitle: 'PORTICO' }),
    ],
  });
});

afterAll(async () => {
  await server?.close(1000);
  await destination?.close(1000);
  await slowDestination?.close(1000);
  await abortingDestination?.close(1000);
  await rm(dir, { recursive: true, force: true });
});

const QR_CONTEXTS = [StudyRootQueryRetrieveInformationModelFind, PatientRootQueryRetrieveInformationModelFind, StudyRootQueryRetrieveInformationModelMove, StudyRootQueryRetrieveInformationModelGet].map((abstractSyntax) => ({ abstractSyntax, transferSyntaxes: [EXPLICIT] }));

async function associate(extra: { contexts?: { abstractSyntax: string; transferSyntaxes: string[] }[]; roles?: string[] } = {}): Promise<ClientAssociation> {
  return connect(
    { aeTitle: 'PORTICO', host: HOST, port: server.port },
    {
      aeTitle: 'SCU',
      contexts: [...QR_CONTEXTS, ...(extra.contexts ?? [])],
      roleSelections: (extra.roles ?? []).map((sopClassUid) => ({ sopClassUid, scuRole: false, scpRole: true })),
      dimseTimeout: 10_000,
    },
  );
}

const keys = (values: Record<string, string>): Dataset => {
  const d = new Dataset();
  for (const [k, v] of Object.entries(values)) d.set(k, v);
  return d;
};

interface Responses {
  readonly all: DimseMessage[];
  readonly final: CommandFields;
  readonly pendings: Dataset[];
  readonly finalDataset: Dataset | undefined;
}

async function exchange(a: ClientAssociation, sop: string, command: CommandFields, identifier: Dataset | Uint8Array, onResponse?: (r: DimseMessage, n: number) => Promise<void>): Promise<Responses> {
  const context = a.contextFor(sop)!;
  const bytes = identifier instanceof Uint8Array ? identifier : await encodeBare(identifier, context.transferSyntax);
  const all: DimseMessage[] = [];
  for await (const r of a.request(context.id, command, bytes)) {
    all.push(r);
    await onResponse?.(r, all.length);
  }
  const last = all[all.length - 1]!;
  const pendings = all.slice(0, -1).flatMap((r) => (r.dataset ? [decodeRequestIdentifier(r.dataset, context.transferSyntax)] : []));
  return { all, final: last.command, pendings, finalDataset: last.dataset ? decodeRequestIdentifier(last.dataset, context.transferSyntax) : undefined };
}

const find = (a: ClientAssociation, identifier: Dataset | Uint8Array, sop = StudyRootQueryRetrieveInformationModelFind, onResponse?: (r: DimseMessage, n: number) => Promise<void>) =>
  exchange(a, sop, cFindRq({ messageId: a.newMessageId(), affectedSopClassUid: sop }), identifier, onResponse);

describe('C-FIND SCP', () => {
  it('one pending response per match with Query/Retrieve Level and Retrieve AE Title, then success', async () => {
    const a = await associate();
    try {
      const r = await find(a, keys({ QueryRetrieveLevel: 'STUDY', PatientName: '', StudyInstanceUID: '' }));
      expect(r.all.map((m) => m.command.status)).toEqual([0xff00, 0xff00, 0xff00, 0x0000]);
      expect(r.all[3]!.dataset).toBeUndefined();
      expect(r.pendings.map((p) => p.string('StudyInstanceUID'))).toEqual([STUDY_A, STUDY_B, STUDY_MANY]);
      expect(r.pendings[0]!.string('QueryRetrieveLevel')).toBe('STUDY');
      expect(r.pendings[0]!.string('RetrieveAETitle')).toBe('PORTICO');
      expect(r.pendings[0]!.has('SpecificCharacterSet')).toBe(false);
      // A value the query's (default) repertoire cannot hold: that response is in ISO_IR 192.
      expect(r.pendings[1]!.string('SpecificCharacterSet')).toBe('ISO_IR 192');
      expect(r.pendings[1]!.string('PatientName')).toBe('Müller^Jürgen');
      expect(r.pendings[2]!.string('PatientName')).toBe('ヤマダ^タロウ');
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('answers in the query\'s character set when the values fit it', async () => {
    const a = await associate();
    try {
      const r = await find(a, keys({ SpecificCharacterSet: 'ISO_IR 100', QueryRetrieveLevel: 'STUDY', PatientName: '' }));
      expect(r.pendings.map((p) => p.string('SpecificCharacterSet'))).toEqual(['ISO_IR 100', 'ISO_IR 100', 'ISO_IR 192']);
      expect(r.pendings.map((p) => p.string('PatientName'))).toEqual(['Doe^John', 'Müller^Jürgen', 'ヤマダ^タロウ']);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('keys of a lower level: FF01, returned empty, not given to the provider', async () => {
    const a = await associate();
    try {
      const r = await find(a, keys({ QueryRetrieveLevel: 'STUDY', Modality: 'CT', PatientName: '' }));
      expect(r.all.slice(0, -1).every((m) => m.command.status === 0xff01)).toBe(true);
      expect(r.pendings[0]!.has('Modality')).toBe(true);
      expect(r.pendings[0]!.get('Modality')!.strings).toEqual([]);
      expect(provider.lastQuery!.identifier.has('Modality')).toBe(false);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('refuses with A900 and the offending element: no level, a missing unique key above the level, a bad range', async () => {
    const a = await associate();
    try {
      const noLevel = await find(a, keys({ PatientName: '*' }));
      expect(noLevel.all).toHaveLength(1);
      expect(noLevel.final.status).toBe(0xa900);
      expect(noLevel.final.offendingElements).toEqual([0x00080052]);
      const series = await find(a, keys({ QueryRetrieveLevel: 'SERIES', Modality: 'CT' }));
      expect(series.final.status).toBe(0xa900);
      expect(series.final.offendingElements).toEqual([0x0020000d]);
      expect(series.final.errorComment).toMatch(/Study Instance UID/);
      const patientRoot = await find(a, keys({ QueryRetrieveLevel: 'STUDY' }), PatientRootQueryRetrieveInformationModelFind);
      expect(patientRoot.final.offendingElements).toEqual([0x00100020]);
      const badRange = await find(a, keys({ QueryRetrieveLevel: 'STUDY', StudyDate: '20241301-' }));
      expect(badRange.all).toHaveLength(1);
      expect(badRange.final.status).toBe(0xa900);
      expect(badRange.final.offendingElements).toEqual([0x00080020]);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('an Identifier that cannot be parsed: C000, and the association goes on', async () => {
    const a = await associate();
    try {
      // (0010,0010) PN with a length far past the end.
      const lying = new Uint8Array([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0xff, 0x7f, 0x41, 0x42]);
      const r = await find(a, lying);
      expect(r.final.status).toBe(0xc000);
      expect(r.final.errorComment).toMatch(/cannot be parsed/);
      expect((await find(a, keys({ QueryRetrieveLevel: 'STUDY' }))).final.status).toBe(0);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('more matches than maxMatches: A700 with the comment and no pending response', async () => {
    const saved = provider.studies;
    provider.studies = Array.from({ length: 25 }, (_, i) => study(`1.2.3.${i}`, 'X', '20240101'));
    const a = await associate();
    try {
      const r = await find(a, keys({ QueryRetrieveLevel: 'STUDY', PatientName: '*' }));
      expect(r.all).toHaveLength(1);
      expect(r.final.status).toBe(0xa700);
      expect(r.final.errorComment).toBe('more than 20 matches; narrow the query');
      await a.release();
    } finally {
      provider.studies = saved;
      a.abort();
    }
  });

  it('C-CANCEL: Cancel (FE00) after the matches already sent', async () => {
    const saved = provider.studies;
    provider.studies = Array.from({ length: 20 }, (_, i) => study(`1.2.3.${i}`, 'X', '20240101'));
    provider.delayMs = 20;
    const a = await associate();
    try {
      const context = a.contextFor(StudyRootQueryRetrieveInformationModelFind)!;
      const messageId = a.newMessageId();
      const r = await exchange(a, StudyRootQueryRetrieveInformationModelFind, cFindRq({ messageId, affectedSopClassUid: StudyRootQueryRetrieveInformationModelFind }), keys({ QueryRetrieveLevel: 'STUDY' }), async (_m, n) => {
        if (n === 2) await a.send(context.id, cCancelRq({ messageIdBeingRespondedTo: messageId }));
      });
      expect(r.final.status).toBe(0xfe00);
      expect(r.pendings.length).toBeGreaterThanOrEqual(2);
      expect(r.pendings.length).toBeLessThan(20);
      await a.release();
    } finally {
      provider.studies = saved;
      provider.delayMs = 0;
      a.abort();
    }
  });
});

const move = (a: ClientAssociation, destinationAe: string, identifier: Dataset, onResponse?: (r: DimseMessage, n: number) => Promise<void>, messageId = a.newMessageId()) =>
  exchange(a, StudyRootQueryRetrieveInformationModelMove, cMoveRq({ messageId, affectedSopClassUid: StudyRootQueryRetrieveInformationModelMove, moveDestination: destinationAe }), identifier, onResponse);

const datasetOf = async (path: string): Promise<Uint8Array> => {
  const file = await readFile(path);
  return (await readBytes(path)).subarray(file.datasetOffset);
};

describe('C-MOVE SCP', () => {
  it('sends every instance of a study to the destination, as stored, with the Move Originator', async () => {
    toDestination.length = 0;
    const a = await associate();
    try {
      const messageId = a.newMessageId();
      const r = await move(a, 'DEST', keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: STUDY_B }), undefined, messageId);
      // STUDY_B: the MR instance (sent) and an indexed instance whose file is gone (failed).
      expect(r.final.status).toBe(0xb000);
      expect(r.final.completedSuboperations).toBe(1);
      expect(r.final.failedSuboperations).toBe(1);
      expect(r.final.warningSuboperations).toBe(0);
      expect(r.final.remainingSuboperations).toBeUndefined();
      expect(r.finalDataset!.strings('FailedSOPInstanceUIDList')).toEqual([`${STUDY_B}.1.2`]);
      expect(toDestination).toHaveLength(1);
      expect(toDestination[0]!.command.moveOriginatorAeTitle).toBe('SCU');
      expect(toDestination[0]!.command.moveOriginatorMessageId).toBe(messageId);
      expect(Buffer.compare(toDestination[0]!.bytes, await datasetOf(join(dir, `${STUDY_B}.1.1.dcm`)))).toBe(0);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('a SOP class the destination does not accept is a failed sub-operation; the others complete (B000)', async () => {
    toDestination.length = 0;
    const a = await associate();
    try {
      const r = await move(a, 'DEST', keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: STUDY_A }));
      expect(r.final.status).toBe(0xb000);
      expect([r.final.completedSuboperations, r.final.failedSuboperations]).toEqual([2, 1]);
      expect(r.finalDataset!.strings('FailedSOPInstanceUIDList')).toEqual([`${STUDY_A}.1.3`]);
      expect(r.final.errorComment).toMatch(/does not accept/);
      // The Implicit VR instance went in its own syntax: the destination accepted it.
      expect(toDestination.map((t) => t.command.affectedSopInstanceUid)).toEqual([`${STUDY_A}.1.1`, `${STUDY_A}.1.2`]);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('an unknown Move Destination: A801, nothing sent', async () => {
    const a = await associate();
    try {
      const r = await move(a, 'NOBODY', keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: STUDY_A }));
      expect(r.all).toHaveLength(1);
      expect(r.final.status).toBe(0xa801);
      expect(r.final.errorComment).toMatch(/NOBODY/);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('a destination that cannot be reached: A702 with the reason and every instance failed', async () => {
    const a = await associate();
    try {
      const r = await move(a, 'DOWN', keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: STUDY_A }));
      expect(r.final.status).toBe(0xa702);
      expect(r.final.errorComment).toMatch(/cannot connect to DOWN/);
      expect(r.final.failedSuboperations).toBe(3);
      expect(r.finalDataset!.strings('FailedSOPInstanceUIDList')).toHaveLength(3);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('nothing matches: success with zero sub-operations; a missing unique key: A900', async () => {
    const a = await associate();
    try {
      const none = await move(a, 'DEST', keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2.3.404' }));
      expect(none.final.status).toBe(0);
      expect(none.final.completedSuboperations).toBe(0);
      const noKey = await move(a, 'DEST', keys({ QueryRetrieveLevel: 'STUDY', PatientName: 'Doe*' }));
      expect(noKey.final.status).toBe(0xa900);
      expect(noKey.final.offendingElements).toEqual([0x0020000d]);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('pending responses with the counts; C-CANCEL stops after the current instance: FE00 with Remaining', async () => {
    toSlow.length = 0;
    const a = await associate();
    try {
      const messageId = a.newMessageId();
      const context = a.contextFor(StudyRootQueryRetrieveInformationModelMove)!;
      const r = await move(
        a,
        'SLOW',
        keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: STUDY_MANY }),
        async (m, n) => {
          if (n === 2) await a.send(context.id, cCancelRq({ messageIdBeingRespondedTo: messageId }));
          if (m.command.status === 0xff00) {
            const c = m.command;
            expect(c.remainingSuboperations! + c.completedSuboperations! + c.failedSuboperations! + c.warningSuboperations!).toBe(30);
          }
        },
        messageId,
      );
      expect(r.final.status).toBe(0xfe00);
      const c = r.final;
      expect(c.remainingSuboperations).toBeGreaterThan(0);
      expect(c.remainingSuboperations! + c.completedSuboperations! + c.failedSuboperations! + c.warningSuboperations!).toBe(30);
      expect(toSlow.length).toBe(c.completedSuboperations);
      await a.release();
    } finally {
      a.abort();
    }
  });
});

describe('C-MOVE SCP, the destination lost', () => {
  it('the destination aborts during the second instance: it and the rest are failed, with the reason', async () => {
    const a = await associate();
    try {
      const r = await move(a, 'ABORTS', keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: STUDY_MANY }));
      expect(r.final.status).toBe(0xb000);
      expect([r.final.completedSuboperations, r.final.failedSuboperations]).toEqual([1, 29]);
      expect(r.final.errorComment).toMatch(/^ABORTS: /);
      expect(r.finalDataset!.strings('FailedSOPInstanceUIDList')).toHaveLength(29);
      // The requestor's association is intact.
      expect((await find(a, keys({ QueryRetrieveLevel: 'STUDY' }))).final.status).toBe(0);
      await a.release();
    } finally {
      a.abort();
    }
  });
});

describe('C-GET SCP', () => {
  /** A C-GET requestor: answers each C-STORE-RQ on its association and keeps the datasets. */
  async function getter(sopClasses: string[], transferSyntaxes = [EXPLICIT], delayMs = 0): Promise<{ a: ClientAssociation; stored: Received[] }> {
    const a = await associate({ contexts: sopClasses.map((abstractSyntax) => ({ abstractSyntax, transferSyntaxes })), roles: sopClasses });
    const stored: Received[] = [];
    a.onRequest = async (message, association) => {
      if (delayMs) await sleep(delayMs);
      stored.push({ command: message.command, bytes: message.dataset ?? new Uint8Array(0) });
      await association.send(message.contextId, cStoreRsp({ messageIdBeingRespondedTo: message.command.messageId!, affectedSopClassUid: message.command.affectedSopClassUid, affectedSopInstanceUid: message.command.affectedSopInstanceUid, status: 0 }));
    };
    return { a, stored };
  }

  const get = (a: ClientAssociation, identifier: Dataset, onResponse?: (r: DimseMessage, n: number) => Promise<void>, messageId = a.newMessageId()) =>
    exchange(a, StudyRootQueryRetrieveInformationModelGet, cGetRq({ messageId, affectedSopClassUid: StudyRootQueryRetrieveInformationModelGet }), identifier, onResponse);

  it('C-CANCEL stops after the instance being sent: Cancel with the counts and Remaining', async () => {
    const { a, stored } = await getter([CT], [EXPLICIT], 30);
    try {
      const messageId = a.newMessageId();
      const context = a.contextFor(StudyRootQueryRetrieveInformationModelGet)!;
      const r = await get(
        a,
        keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: STUDY_MANY }),
        async (_m, n) => {
          if (n === 1) await a.send(context.id, cCancelRq({ messageIdBeingRespondedTo: messageId }));
        },
        messageId,
      );
      expect(r.final.status).toBe(0xfe00);
      expect(r.final.remainingSuboperations).toBeGreaterThan(0);
      expect(r.final.completedSuboperations! + r.final.remainingSuboperations!).toBe(30);
      expect(stored).toHaveLength(r.final.completedSuboperations!);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('sends the study back on the same association; the files\' own syntax when accepted, converted otherwise', async () => {
    const { a, stored } = await getter([CT, SC]);
    try {
      const r = await get(a, keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: STUDY_A }));
      expect(r.final.status).toBe(0);
      expect(r.final.completedSuboperations).toBe(3);
      expect(stored.map((s) => s.command.affectedSopInstanceUid)).toEqual([`${STUDY_A}.1.1`, `${STUDY_A}.1.2`, `${STUDY_A}.1.3`]);
      expect(Buffer.compare(stored[0]!.bytes, await datasetOf(join(dir, `${STUDY_A}.1.1.dcm`)))).toBe(0);
      // The Implicit VR file went as Explicit VR (the only syntax accepted): same dataset, other bytes.
      expect(Buffer.compare(stored[1]!.bytes, await datasetOf(join(dir, `${STUDY_A}.1.2.dcm`)))).not.toBe(0);
      expect(decodeRequestIdentifier(stored[1]!.bytes, EXPLICIT).string('SOPInstanceUID')).toBe(`${STUDY_A}.1.2`);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('an instance with no storage context on the association (or a file gone) is failed, in the Failed SOP Instance UID List', async () => {
    const { a, stored } = await getter([CT]);
    try {
      const r = await get(a, keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: STUDY_B }));
      // MR: no context; the CT one's file is gone.
      expect(r.final.status).toBe(0xa702);
      expect(r.final.failedSuboperations).toBe(2);
      expect(r.finalDataset!.strings('FailedSOPInstanceUIDList')).toEqual([`${STUDY_B}.1.1`, `${STUDY_B}.1.2`]);
      expect(stored).toEqual([]);
      const partly = await get(a, keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: STUDY_A }));
      expect(partly.final.status).toBe(0xb000);
      expect([partly.final.completedSuboperations, partly.final.failedSuboperations]).toEqual([2, 1]);
      await a.release();
    } finally {
      a.abort();
    }
  });
});
