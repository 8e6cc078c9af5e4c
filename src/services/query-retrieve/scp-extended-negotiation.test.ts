/**
 * The Q/R SCP with SOP Class Extended Negotiation (PS3.4 C.5), over loopback associations from our own requestor:
 * what each association negotiated decides, per SOP class, whether its queries and retrieves are relational and
 * whether Study Date and Study Time are matched as one date-time. A requestor that proposes nothing (as DCMTK's
 * findscu) gets the hierarchical, per-attribute behaviour.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { writeFile } from '../../encoding/write.js';
import { matchConditions } from '../../matching/condition.js';
import { matchesDataset } from '../../matching/match.js';
import { type ClientAssociation, connect, type DicomServer, listen } from '../../net/ae.js';
import { cFindRq } from '../../net/dimse/c-find.js';
import { cGetRq } from '../../net/dimse/c-get.js';
import { cMoveRq } from '../../net/dimse/c-move.js';
import { cStoreRsp } from '../../net/dimse/c-store.js';
import type { CommandFields } from '../../net/dimse/command-set.js';
import type { SopClassExtendedNegotiation } from '../../net/pdu/types.js';
import { storageScp } from '../storage/scp.js';
import type { QueryRequest, RetrieveRequest } from './levels.js';
import { queryRetrieveScps } from './scp.js';
import { decodeRequestIdentifier, encodeBare } from './scp-identifier.js';
import type { QueryRetrieveProvider, RetrieveInstance } from './scp-provider.js';
import { find as findScu, FindFailedError } from './scu-find.js';
import {
  PatientRootQueryRetrieveInformationModelFind,
  StudyRootQueryRetrieveInformationModelFind,
  StudyRootQueryRetrieveInformationModelGet,
  StudyRootQueryRetrieveInformationModelMove,
} from './uids.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const HOST = '127.0.0.1';
const STUDY_FIND = StudyRootQueryRetrieveInformationModelFind;
const PATIENT_FIND = PatientRootQueryRetrieveInformationModelFind;
const STUDY_MOVE = StudyRootQueryRetrieveInformationModelMove;
const STUDY_GET = StudyRootQueryRetrieveInformationModelGet;

const keys = (values: Record<string, string>): Dataset => {
  const d = new Dataset();
  for (const [k, v] of Object.entries(values)) d.set(k, v);
  return d;
};

/**
 * Series rows for the queries (one series per study), chosen so that combined and separate date-time matching of
 * StudyDate=20240115- StudyTime=2000- differ: X is after 2024-01-15 20:00 but at 10:00; Y is both; Z and W neither.
 */
const ROWS: readonly Dataset[] = [
  ['X', '1.2.826.0.9.10', '20240116', '100000', 'CT'],
  ['Y', '1.2.826.0.9.11', '20240115', '210000', 'MR'],
  ['Z', '1.2.826.0.9.12', '20240115', '100000', 'CT'],
  ['W', '1.2.826.0.9.13', '20240114', '220000', 'CT'],
].map(([id, uid, date, time, modality]) =>
  keys({ PatientID: `P${id}`, StudyID: id!, StudyInstanceUID: uid!, SeriesInstanceUID: `${uid}.1`, StudyDate: date!, StudyTime: time!, Modality: modality! }),
);

/** Matches the rows in memory with the query's own matching options, as the archive does. */
class MatchingProvider implements QueryRetrieveProvider {
  instances: (RetrieveInstance & { readonly series: string })[] = [];
  lastQuery: QueryRequest | undefined;
  #matches(query: QueryRequest): Dataset[] {
    const conditions = matchConditions(query.identifier, query.match);
    return ROWS.filter((row) => matchesDataset(conditions, row, query.match));
  }
  async countMatches(query: QueryRequest, limit: number): Promise<number> {
    return Math.min(this.#matches(query).length, limit);
  }
  async *find(query: QueryRequest): AsyncGenerator<Dataset> {
    this.lastQuery = query;
    for (const row of this.#matches(query)) {
      const out = new Dataset();
      for (const key of query.identifier) if (key.tag !== 0x00080005) out.set(key.tag, row.get(key.tag)?.strings ?? [], key.vr);
      yield out;
    }
  }
  async retrieveInstances(request: RetrieveRequest): Promise<readonly RetrieveInstance[]> {
    const series = request.identifier.strings('SeriesInstanceUID');
    return this.instances.filter((i) => series.includes(i.series));
  }
}

let dir: string;
const provider = new MatchingProvider();
let server: DicomServer;
let destination: DicomServer;
const delivered: string[] = [];
const RETRIEVED_SERIES = '1.2.826.0.9.10.1';
const RETRIEVED_SOP = `${RETRIEVED_SERIES}.1`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-qr-extneg-'));
  const image = new Dataset();
  image.set('SOPClassUID', CT);
  image.set('SOPInstanceUID', RETRIEVED_SOP);
  image.set('StudyInstanceUID', '1.2.826.0.9.10');
  image.set('SeriesInstanceUID', RETRIEVED_SERIES);
  const path = join(dir, 'x.dcm');
  await writeFile(path, image, { transferSyntax: EXPLICIT });
  provider.instances.push({ sopClassUid: CT, sopInstanceUid: RETRIEVED_SOP, transferSyntaxUid: EXPLICIT, path, series: RETRIEVED_SERIES });
  const sink = {
    sink: (command: CommandFields) => ({
      write: () => undefined,
      end: async () => {
        delivered.push(command.affectedSopInstanceUid ?? '');
        return { status: 0 };
      },
      abort: () => undefined,
    }),
  };
  destination = await listen({ aeTitle: 'DEST', port: 0, host: HOST, services: [storageScp({ sopClasses: [CT], transferSyntaxes: [EXPLICIT], handler: sink })] });
  server = await listen({
    aeTitle: 'PORTICO',
    port: 0,
    host: HOST,
    services: [
      storageScp({ sopClasses: [CT], transferSyntaxes: [EXPLICIT], handler: sink }),
      // The server-wide option is off: whatever is relational here was negotiated.
      ...queryRetrieveScps({ archive: provider, destinations: new Map([['DEST', { aeTitle: 'DEST', host: HOST, port: destination.port }]]), callingAeTitle: 'PORTICO' }),
    ],
  });
});

afterAll(async () => {
  await server?.close(1000);
  await destination?.close(1000);
  await rm(dir, { recursive: true, force: true });
});

/** An association proposing the Q/R contexts (and CT with the SCP role, for C-GET) and these sub-items. */
async function associate(extendedNegotiations: SopClassExtendedNegotiation[] = []): Promise<ClientAssociation> {
  const a = await connect(
    { aeTitle: 'PORTICO', host: HOST, port: server.port },
    {
      aeTitle: 'SCU',
      contexts: [STUDY_FIND, PATIENT_FIND, STUDY_MOVE, STUDY_GET, CT].map((abstractSyntax) => ({ abstractSyntax, transferSyntaxes: [EXPLICIT] })),
      roleSelections: [{ sopClassUid: CT, scuRole: false, scpRole: true }],
      extendedNegotiations,
      dimseTimeout: 10_000,
    },
  );
  // C-GET sub-operations come back on this association.
  a.onRequest = async (message, association) => {
    delivered.push(message.command.affectedSopInstanceUid ?? '');
    await association.send(message.contextId, cStoreRsp({ messageIdBeingRespondedTo: message.command.messageId!, affectedSopClassUid: message.command.affectedSopClassUid, affectedSopInstanceUid: message.command.affectedSopInstanceUid, status: 0 }));
  };
  return a;
}

const asking = (sopClassUid: string, ...info: number[]): SopClassExtendedNegotiation => ({ sopClassUid, info: Uint8Array.from(info) });

async function exchange(a: ClientAssociation, sop: string, command: CommandFields, identifier: Dataset): Promise<{ final: CommandFields; pendings: Dataset[] }> {
  const context = a.contextFor(sop)!;
  const responses = [];
  for await (const r of a.request(context.id, command, await encodeBare(identifier, context.transferSyntax))) responses.push(r);
  const pendings = responses.slice(0, -1).flatMap((r) => (r.dataset ? [decodeRequestIdentifier(r.dataset, context.transferSyntax)] : []));
  return { final: responses.at(-1)!.command, pendings };
}

const cFind = (a: ClientAssociation, identifier: Dataset, sop = STUDY_FIND) => exchange(a, sop, cFindRq({ messageId: a.newMessageId(), affectedSopClassUid: sop }), identifier);
const cMove = (a: ClientAssociation, identifier: Dataset) => exchange(a, STUDY_MOVE, cMoveRq({ messageId: a.newMessageId(), affectedSopClassUid: STUDY_MOVE, moveDestination: 'DEST' }), identifier);
const cGet = (a: ClientAssociation, identifier: Dataset) => exchange(a, STUDY_GET, cGetRq({ messageId: a.newMessageId(), affectedSopClassUid: STUDY_GET }), identifier);

/** A Study Root SERIES query without the Study Instance UID: only relational-queries allow it. */
const RELATIONAL_SERIES_QUERY = keys({ QueryRetrieveLevel: 'SERIES', Modality: 'CT', SeriesInstanceUID: '' });
/** The study query whose answer tells combined from separate date-time matching (see ROWS). */
const DATE_TIME_QUERY = keys({ QueryRetrieveLevel: 'STUDY', StudyDate: '20240115-', StudyTime: '2000-', StudyID: '' });
/** A Study Root SERIES retrieve without the Study Instance UID: only relational-retrieval allows it. */
const RELATIONAL_SERIES_RETRIEVE = keys({ QueryRetrieveLevel: 'SERIES', SeriesInstanceUID: RETRIEVED_SERIES });

describe('Q/R FIND SCP: extended negotiation', () => {
  it('without it: hierarchical (A900 for a SERIES query without Study Instance UID), and no sub-item in the AC', async () => {
    const a = await associate();
    try {
      expect(a.extendedNegotiation(STUDY_FIND)).toBeUndefined();
      const r = await cFind(a, RELATIONAL_SERIES_QUERY);
      expect(r.final.status).toBe(0xa900);
      expect(r.final.offendingElements).toEqual([0x0020000d]);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('relational-queries negotiated for Study Root FIND: the same query is answered; Patient Root FIND stays hierarchical', async () => {
    const a = await associate([asking(STUDY_FIND, 1)]);
    try {
      // One byte offered, one byte answered (C.5.1.1).
      expect(a.extendedNegotiation(STUDY_FIND)).toEqual(Uint8Array.of(1));
      const r = await cFind(a, RELATIONAL_SERIES_QUERY);
      expect(r.final.status).toBe(0);
      expect(r.pendings.map((p) => p.string('SeriesInstanceUID'))).toEqual(['1.2.826.0.9.10.1', '1.2.826.0.9.12.1', '1.2.826.0.9.13.1']);
      expect(provider.lastQuery!.relational).toBe(true);
      const patientRoot = await cFind(a, keys({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }), PATIENT_FIND);
      expect(patientRoot.final.status).toBe(0xa900);
      expect(patientRoot.final.offendingElements).toEqual([0x00100020]);
      await a.release();
    } finally {
      a.abort();
    }
  });

  it('StudyDate=20240115- StudyTime=2000-: each attribute on its own unless combined date-time matching was negotiated', async () => {
    const plain = await associate();
    const combined = await associate([asking(STUDY_FIND, 0, 1, 1, 1)]);
    try {
      // Fuzzy person names and timezone adjustment are declined.
      expect(combined.extendedNegotiation(STUDY_FIND)).toEqual(Uint8Array.of(0, 1, 0, 0));
      const separate = await cFind(plain, DATE_TIME_QUERY);
      expect(separate.final.status).toBe(0);
      expect(separate.pendings.map((p) => p.string('StudyID'))).toEqual(['Y']);
      expect(provider.lastQuery!.match?.combineDateTime).toBeUndefined();
      const together = await cFind(combined, DATE_TIME_QUERY);
      expect(together.final.status).toBe(0);
      expect(together.pendings.map((p) => p.string('StudyID'))).toEqual(['X', 'Y']);
      expect(provider.lastQuery!.match).toEqual({ combineDateTime: true });
      // Combined date-time matching does not make queries relational.
      expect((await cFind(combined, RELATIONAL_SERIES_QUERY)).final.status).toBe(0xa900);
      await plain.release();
      await combined.release();
    } finally {
      plain.abort();
      combined.abort();
    }
  });

  it('find() proposes relational-queries when asked to', async () => {
    const peer = { aeTitle: 'PORTICO', host: HOST, port: server.port };
    const query = { root: 'study' as const, level: 'SERIES' as const, identifier: keys({ Modality: 'CT', SeriesInstanceUID: '' }) };
    const found: string[] = [];
    for await (const m of findScu(peer, query, { aeTitle: 'SCU', relational: true })) found.push(m.string('SeriesInstanceUID') ?? '');
    expect(found).toHaveLength(3);
    const refused = async (): Promise<void> => {
      for await (const m of findScu(peer, query, { aeTitle: 'SCU' })) void m;
    };
    await expect(refused()).rejects.toSatisfy((e) => e instanceof FindFailedError && e.status === 0xa900);
  });
});

describe('Q/R MOVE and GET SCP: extended negotiation', () => {
  it('C-MOVE at SERIES level without Study Instance UID: A900, unless relational-retrieval was negotiated', async () => {
    const plain = await associate();
    const relational = await associate([asking(STUDY_MOVE, 1, 1)]);
    try {
      // Enhanced Multi-Frame Image Conversion is declined.
      expect(relational.extendedNegotiation(STUDY_MOVE)).toEqual(Uint8Array.of(1, 0));
      const refused = await cMove(plain, RELATIONAL_SERIES_RETRIEVE);
      expect(refused.final.status).toBe(0xa900);
      expect(refused.final.offendingElements).toEqual([0x0020000d]);
      delivered.length = 0;
      const moved = await cMove(relational, RELATIONAL_SERIES_RETRIEVE);
      expect(moved.final.status).toBe(0);
      expect(moved.final.completedSuboperations).toBe(1);
      expect(delivered).toEqual([RETRIEVED_SOP]);
      await plain.release();
      await relational.release();
    } finally {
      plain.abort();
      relational.abort();
    }
  });

  it('C-GET likewise; negotiated for MOVE only, GET stays hierarchical', async () => {
    const moveOnly = await associate([asking(STUDY_MOVE, 1)]);
    const relational = await associate([asking(STUDY_GET, 1)]);
    try {
      expect((await cGet(moveOnly, RELATIONAL_SERIES_RETRIEVE)).final.status).toBe(0xa900);
      delivered.length = 0;
      const got = await cGet(relational, RELATIONAL_SERIES_RETRIEVE);
      expect(got.final.status).toBe(0);
      expect(got.final.completedSuboperations).toBe(1);
      expect(delivered).toEqual([RETRIEVED_SOP]);
      await moveOnly.release();
      await relational.release();
    } finally {
      moveOnly.abort();
      relational.abort();
    }
  });
});
