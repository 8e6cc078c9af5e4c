import { afterEach, describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../encoding/transfer-syntax.js';
import { AssociationAbortedError } from '../../core/errors.js';
import type { Association } from '../../net/acse/association.js';
import { connect } from '../../net/ae.js';
import { VerificationSOPClass } from '../verification/uids.js';
import { dataset, type FindScp, type FindScript, pause, pending, startFindScp } from '../../../test/support/find-scp.js';
import {
  find,
  FindFailedError,
  findIdentifier,
  FindNotAcceptedError,
  FindQueryError,
  FindResponseError,
  hierarchyWarnings,
} from './scu-find.js';
import { PatientRootQueryRetrieveInformationModelFind, StudyRootQueryRetrieveInformationModelFind } from './uids.js';

const STUDY_ROOT = StudyRootQueryRetrieveInformationModelFind;
const scps: FindScp[] = [];
const associations: Association[] = [];

afterEach(async () => {
  for (const a of associations.splice(0)) if (a.outcome === undefined) a.abort();
  await Promise.all(scps.splice(0).map((s) => s.close()));
});

async function scp(script: FindScript, sopClasses = [STUDY_ROOT, PatientRootQueryRetrieveInformationModelFind]): Promise<FindScp> {
  const s = await startFindScp(sopClasses, script);
  scps.push(s);
  return s;
}

async function associate(s: FindScp, abstractSyntaxes = [STUDY_ROOT]): Promise<Association> {
  const association = await connect(s.peer, {
    aeTitle: 'TESTSCU',
    contexts: [...abstractSyntaxes, VerificationSOPClass].map((abstractSyntax) => ({ abstractSyntax, transferSyntaxes: [ExplicitVRLittleEndian, ImplicitVRLittleEndian] })),
    dimseTimeout: 5_000,
  });
  associations.push(association);
  return association;
}

const study = (n: number, extra: Record<string, string> = {}): Dataset =>
  dataset({ QueryRetrieveLevel: 'STUDY', PatientName: `Doe^Patient${n}`, PatientID: `ID${n}`, StudyInstanceUID: `1.2.3.${n}`, ...extra });

/** Answers `count` matches, then Success; stops early (Cancel) when the SCU cancels. */
const matches = (count: number, delayMs = 0): FindScript =>
  async function* (context) {
    for (let n = 1; n <= count; n++) {
      if (context.signal.aborted) {
        yield { status: 0xfe00 };
        return;
      }
      yield pending(context, study(n));
      if (delayMs > 0) await pause(delayMs, context.signal);
    }
    yield { status: context.signal.aborted ? 0xfe00 : 0x0000 };
  };

const query = (identifier = findIdentifier('study', 'STUDY')) => ({ root: 'study' as const, level: 'STUDY' as const, identifier });

describe('find (Query/Retrieve C-FIND SCU)', () => {
  it('sends the identifier with the level and yields every match; the summary says Success', async () => {
    const s = await scp(matches(3));
    const keys = new Dataset();
    keys.set('PatientName', 'Doe*');
    const stream = find(s.peer, query(findIdentifier('study', 'STUDY', keys)), { aeTitle: 'TESTSCU' });
    const got = await stream.toArray();
    expect(got.map((m) => m.string('PatientID'))).toEqual(['ID1', 'ID2', 'ID3']);
    expect(stream.summary).toEqual({ status: 0, matches: 3, cancelled: undefined, dropped: 0, timedOut: false, optionalKeysNotSupported: false });
    const sent = s.requests[0]!;
    expect(sent.sopClassUid).toBe(STUDY_ROOT);
    expect(sent.identifier.string('QueryRetrieveLevel')).toBe('STUDY');
    expect(sent.identifier.string('PatientName')).toBe('Doe*');
    expect(sent.identifier.has('StudyInstanceUID')).toBe(true);
    expect(sent.identifier.string('StudyInstanceUID')).toBeUndefined();
    expect(sent.identifier.has('SpecificCharacterSet')).toBe(true);
    expect(sent.identifier.strings('SpecificCharacterSet')).toEqual([]);
  });

  it('uses Patient Root FIND for root patient and sets the level in a copy (the caller\'s dataset is unchanged)', async () => {
    const s = await scp(matches(0));
    const identifier = findIdentifier('patient', 'PATIENT');
    identifier.delete('QueryRetrieveLevel');
    await find(s.peer, { root: 'patient', level: 'PATIENT', identifier }).toArray();
    expect(s.requests[0]!.sopClassUid).toBe(PatientRootQueryRetrieveInformationModelFind);
    expect(s.requests[0]!.identifier.string('QueryRetrieveLevel')).toBe('PATIENT');
    expect(identifier.has('QueryRetrieveLevel')).toBe(false);
  });

  it('zero matches is a success', async () => {
    const s = await scp(matches(0));
    const stream = find(s.peer, query());
    expect(await stream.toArray()).toEqual([]);
    expect(stream.summary?.status).toBe(0);
  });

  it('decodes each response with its own Specific Character Set (ISO_IR 100, ISO 2022 IR 87, ISO_IR 192)', async () => {
    const s = await scp(async function* (context) {
      yield pending(context, dataset({ SpecificCharacterSet: 'ISO_IR 100', PatientName: 'Müller^Jürgen' }));
      yield pending(context, dataset({ SpecificCharacterSet: ['', 'ISO 2022 IR 87'], PatientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう' }));
      yield pending(context, dataset({ SpecificCharacterSet: 'ISO_IR 192', PatientName: 'Ωμέγα^Ελένη' }));
      yield { status: 0 };
    });
    const got = await find(s.peer, query()).toArray();
    expect(got.map((m) => m.string('PatientName'))).toEqual(['Müller^Jürgen', 'Yamada^Tarou=山田^太郎=やまだ^たろう', 'Ωμέγα^Ελένη']);
  });

  it('adds ISO_IR 100 to a query with Latin-1 values and ISO_IR 192 for others', async () => {
    const s = await scp(matches(0));
    const latin = new Dataset();
    latin.set('PatientName', 'Müller*');
    await find(s.peer, query(findIdentifier('study', 'STUDY', latin))).toArray();
    const japanese = new Dataset();
    japanese.set('PatientName', '山田*');
    await find(s.peer, query(findIdentifier('study', 'STUDY', japanese))).toArray();
    expect(s.requests[0]!.identifier.string('SpecificCharacterSet')).toBe('ISO_IR 100');
    expect(s.requests[0]!.identifier.string('PatientName')).toBe('Müller*');
    expect(s.requests[1]!.identifier.string('SpecificCharacterSet')).toBe('ISO_IR 192');
    expect(s.requests[1]!.identifier.string('PatientName')).toBe('山田*');
  });

  it('FF01 matches are collected and reported', async () => {
    const s = await scp(async function* (context) {
      yield pending(context, study(1), 0xff01);
      yield { status: 0 };
    });
    const stream = find(s.peer, query());
    expect(await stream.toArray()).toHaveLength(1);
    expect(stream.summary?.optionalKeysNotSupported).toBe(true);
  });

  it.each([
    ['A700', 0xa700, 'Refused: Out of Resources'],
    ['A900', 0xa900, 'Identifier does not match SOP Class'],
    ['C001', 0xc001, 'Unable to process'],
    ['B000', 0xb000, 'Query/Retrieve C-FIND does not define'],
    ['1234', 0x1234, 'Query/Retrieve C-FIND does not define'],
    ['FE00', 0xfe00, 'Matching terminated due to Cancel request'],
  ])('a final status %s is a FindFailedError with the status and the Error Comment', async (_hex, status, name) => {
    const s = await scp(async function* (context) {
      yield pending(context, study(1));
      yield { status, fields: { errorComment: 'no \x1b[31mway' } };
    });
    const stream = find(s.peer, query());
    const got: Dataset[] = [];
    const error = await (async () => {
      for await (const m of stream) got.push(m);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FindFailedError);
    const e = error as FindFailedError;
    expect(e.status).toBe(status);
    expect(e.errorComment).toBe('no ?[31mway');
    expect(e.matches).toBe(1);
    expect(e.message).toContain(`C-FIND failed: 0x${status.toString(16).toUpperCase()}`);
    expect(e.message).toContain(name);
    expect(e.message).toContain('(comment: no ?[31mway)');
    expect(got).toHaveLength(1);
  });

  it('a failure leaves a caller\'s association open and usable', async () => {
    let calls = 0;
    const s = await scp(async () => (++calls === 1 ? { status: 0xa900 } : { status: 0 }));
    const association = await associate(s);
    await expect(find(association, query()).toArray()).rejects.toBeInstanceOf(FindFailedError);
    expect(association.outcome).toBeUndefined();
    expect(await find(association, query()).toArray()).toEqual([]);
    await association.release();
  });

  it('--limit: C-CANCEL after the limit, the SCP\'s Cancel ends it cleanly, the association goes on', async () => {
    let calls = 0;
    const s = await scp((context) => (++calls === 1 ? matches(50, 20)(context) : matches(1)(context)));
    const association = await associate(s);
    const stream = find(association, { ...query(), limit: 2 });
    const got = await stream.toArray();
    expect(got.map((m) => m.string('PatientID'))).toEqual(['ID1', 'ID2']);
    expect(stream.summary).toMatchObject({ status: 0xfe00, matches: 2, cancelled: 'limit', timedOut: false });
    expect(s.cancelled).toEqual([0]);
    expect(association.outcome).toBeUndefined();
    expect(await find(association, query()).toArray().then((m) => m.length)).toBe(1);
    await association.release();
  });

  it('a limit the SCP finishes before is a plain success (Success after C-CANCEL)', async () => {
    const s = await scp(matches(1));
    const stream = find(s.peer, { ...query(), limit: 1 });
    expect(await stream.toArray()).toHaveLength(1);
    expect(stream.summary).toMatchObject({ status: 0, matches: 1, cancelled: 'limit' });
  });

  it('aborting the signal sends C-CANCEL; the iteration ends after the final response', async () => {
    const s = await scp(matches(50, 20));
    const controller = new AbortController();
    const stream = find(s.peer, { ...query(), signal: controller.signal });
    const got: Dataset[] = [];
    for await (const m of stream) {
      got.push(m);
      if (got.length === 3) controller.abort();
    }
    expect(got).toHaveLength(3);
    expect(stream.summary).toMatchObject({ status: 0xfe00, cancelled: 'signal' });
    expect(s.cancelled).toEqual([0]);
  });

  it('an already aborted signal sends nothing', async () => {
    const s = await scp(matches(5));
    const controller = new AbortController();
    controller.abort();
    const stream = find(s.peer, { ...query(), signal: controller.signal });
    expect(await stream.toArray()).toEqual([]);
    expect(stream.summary).toMatchObject({ status: undefined, cancelled: 'signal' });
    expect(s.requests).toHaveLength(0);
  });

  it('leaving the for-await early cancels and reads up to the final response', async () => {
    const s = await scp(matches(50, 20));
    const association = await associate(s);
    const stream = find(association, query());
    for await (const m of stream) {
      expect(m.string('PatientID')).toBe('ID1');
      break;
    }
    expect(stream.summary).toMatchObject({ status: 0xfe00, matches: 1, cancelled: 'stopped' });
    expect(s.cancelled).toEqual([0]);
    expect(association.outcome).toBeUndefined();
    await association.release();
  });

  it('an SCP that ignores C-CANCEL: after the cancel timeout the association is aborted, no hang', async () => {
    const s = await scp(async function* (context) {
      yield pending(context, study(1));
      await pause(5_000);
      yield { status: 0 };
    });
    const association = await associate(s);
    const stream = find(association, { ...query(), limit: 1, cancelTimeoutMs: 200 });
    expect(await stream.toArray()).toHaveLength(1);
    expect(stream.summary).toMatchObject({ status: undefined, cancelled: 'limit', timedOut: true });
    expect(association.outcome).toBe('aborted');
  });

  it('a pending response without an identifier is a FindResponseError and the association is aborted', async () => {
    const s = await scp(async function* () {
      yield { status: 0xff00 };
      yield { status: 0 };
    });
    const association = await associate(s);
    const error = await find(association, query()).toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FindResponseError);
    expect((error as Error).message).toMatch(/pending C-FIND response \(FF00\) without an identifier/);
    expect(association.outcome).toBe('aborted');
  });

  it.each([
    ['truncated element', Uint8Array.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0x40, 0x00, 0x41])],
    ['lying length', Uint8Array.from([0x10, 0x00, 0x20, 0x00, 0x4c, 0x4f, 0xff, 0x7f, 0x41, 0x42])],
    ['random bytes', Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)],
  ])('an identifier that does not parse (%s) is a FindResponseError, not a crash', async (_name, bytes) => {
    const s = await scp(async function* () {
      yield { status: 0xff00, dataset: bytes };
      yield { status: 0 };
    });
    const error = await find(s.peer, query()).toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FindResponseError);
    expect((error as FindResponseError).code).toBe('ERR_FIND_RESPONSE');
    expect((error as Error).message).toMatch(/cannot be decoded/);
  });

  it('a peer that does not accept the FIND SOP class: FindNotAcceptedError', async () => {
    const s = await scp(matches(0), [PatientRootQueryRetrieveInformationModelFind]);
    const association = await associate(s, [STUDY_ROOT]);
    const error = await find(association, query()).toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FindNotAcceptedError);
    expect((error as Error).message).toMatch(/did not accept the Study Root Query\/Retrieve Information Model - FIND/);
  });

  it('a peer that aborts mid-query: the association error comes through', async () => {
    const s = await scp(async function* (context) {
      yield pending(context, study(1));
      await pause(50);
      throw new Error('not reached: the test aborts first');
    });
    const association = await associate(s);
    const stream = find(association, query());
    const error = await (async () => {
      for await (const _ of stream) void s.server.close(0);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AssociationAbortedError);
  });

  it('checks the query before sending: a level the model lacks, a bad limit', () => {
    const identifier = new Dataset();
    expect(() => find({ aeTitle: 'X', host: '127.0.0.1', port: 1 }, { root: 'study', level: 'PATIENT', identifier })).toThrow(FindQueryError);
    expect(() => find({ aeTitle: 'X', host: '127.0.0.1', port: 1 }, { root: 'study', level: 'STUDY', identifier, limit: 0 })).toThrow(/limit must be a whole number/);
    expect(() => find({ aeTitle: 'X', host: '127.0.0.1', port: 1 }, { root: 'study', level: 'STUDY', identifier, limit: 1.5 })).toThrow(FindQueryError);
  });

  it('a stream is iterated once', async () => {
    const s = await scp(matches(0));
    const stream = find(s.peer, query());
    await stream.toArray();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});

describe('findIdentifier and hierarchyWarnings', () => {
  it('STUDY level asks for the seeds\' keys, empty, and keeps the caller\'s values', () => {
    const keys = new Dataset();
    keys.set('StudyDate', '20240101-');
    const id = findIdentifier('study', 'STUDY', keys);
    for (const k of ['SpecificCharacterSet', 'PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyTime', 'AccessionNumber', 'StudyID', 'StudyInstanceUID', 'StudyDescription', 'ReferringPhysicianName', 'ModalitiesInStudy', 'BodyPartExamined', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances']) {
      expect(id.has(k), k).toBe(true);
      expect(id.strings(k), k).toEqual([]);
    }
    expect(id.string('StudyDate')).toBe('20240101-');
    expect(id.string('QueryRetrieveLevel')).toBe('STUDY');
  });

  it('SERIES and IMAGE levels carry the upper levels\' unique keys; patient root adds PatientID', () => {
    expect(findIdentifier('study', 'SERIES').has('StudyInstanceUID')).toBe(true);
    expect(findIdentifier('study', 'IMAGE').has('SeriesInstanceUID')).toBe(true);
    expect(findIdentifier('patient', 'STUDY').has('PatientID')).toBe(true);
    expect(findIdentifier('patient', 'STUDY').has('PatientName')).toBe(false);
    expect(() => findIdentifier('study', 'PATIENT')).toThrow(/has no PATIENT level/);
  });

  it('warns when a SERIES query does not name its study with one value', () => {
    expect(hierarchyWarnings('study', 'SERIES', findIdentifier('study', 'SERIES'))).toHaveLength(1);
    const keys = new Dataset();
    keys.set('StudyInstanceUID', '1.2.3');
    expect(hierarchyWarnings('study', 'SERIES', findIdentifier('study', 'SERIES', keys))).toEqual([]);
    keys.set('StudyInstanceUID', ['1.2.3', '1.2.4']);
    expect(hierarchyWarnings('study', 'SERIES', findIdentifier('study', 'SERIES', keys))).toHaveLength(1);
    expect(hierarchyWarnings('patient', 'IMAGE', findIdentifier('patient', 'IMAGE'))).toHaveLength(3);
    expect(hierarchyWarnings('study', 'STUDY', findIdentifier('study', 'STUDY'))).toEqual([]);
  });
});
