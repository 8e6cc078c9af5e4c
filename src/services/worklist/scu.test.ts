import { afterEach, describe, expect, it } from 'vitest';
import { NetworkTimeoutError } from '../../core/errors.js';
import { Dataset } from '../../data/dataset.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../encoding/transfer-syntax.js';
import type { Association } from '../../net/acse/association.js';
import { connect } from '../../net/ae.js';
import { dataset, type FindScp, type FindScript, pending, startFindScp } from '../../../test/support/find-scp.js';
import { FindFailedError, FindQueryError, FindResponseError, worklist, WORKLIST_KEYS, WORKLIST_STEP_KEYS, worklistDate, worklistIdentifier } from './scu.js';
import { ModalityWorklistInformationModelFind } from './uids.js';

const scps: FindScp[] = [];
const associations: Association[] = [];

afterEach(async () => {
  for (const a of associations.splice(0)) if (a.outcome === undefined) a.abort();
  await Promise.all(scps.splice(0).map((s) => s.close()));
});

async function scp(script: FindScript): Promise<FindScp> {
  const s = await startFindScp([ModalityWorklistInformationModelFind], script, 'RIS');
  scps.push(s);
  return s;
}

async function associate(s: FindScp): Promise<Association> {
  const association = await connect(s.peer, {
    aeTitle: 'CAMERA',
    contexts: [{ abstractSyntax: ModalityWorklistInformationModelFind, transferSyntaxes: [ImplicitVRLittleEndian, ExplicitVRLittleEndian] }],
    dimseTimeout: 5_000,
  });
  associations.push(association);
  return association;
}

const item = (n: number): Dataset => {
  const step = dataset({ Modality: 'XL', ScheduledStationAETitle: 'CAMERA', ScheduledProcedureStepStartDate: '20240131' });
  return dataset({ SpecificCharacterSet: 'ISO_IR 100', PatientName: `Müller^Anna${n}`, PatientID: `P${n}`, ScheduledProcedureStepSequence: [step] });
};

const NOW = new Date(2024, 0, 31, 9, 30);

describe('worklist (Modality Worklist C-FIND SCU)', () => {
  it('collects the pending items (FF00, FF01), decoded with their character set', async () => {
    const s = await scp(async function* (context) {
      yield pending(context, item(1));
      yield pending(context, item(2), 0xff01);
      yield { status: 0 };
    });
    const stream = worklist(s.peer, { identifier: worklistIdentifier({ modality: 'XL', now: NOW }) }, { aeTitle: 'CAMERA' });
    const items = await stream.toArray();
    expect(items.map((i) => i.string('PatientName'))).toEqual(['Müller^Anna1', 'Müller^Anna2']);
    expect(items[0]!.items('ScheduledProcedureStepSequence')[0]!.string('Modality')).toBe('XL');
    expect(stream.summary).toMatchObject({ status: 0, matches: 2, optionalKeysNotSupported: true });
    expect(s.requests[0]!.sopClassUid).toBe(ModalityWorklistInformationModelFind);
    expect(s.requests[0]!.identifier.has('QueryRetrieveLevel')).toBe(false);
  });

  it('every requested key is in each item (empty when the SCP left it out); attributes not asked for are dropped', async () => {
    const s = await scp(async function* (context) {
      const step = dataset({ Modality: 'XL', ScheduledStationAETitle: 'CAMERA', InstitutionName: 'not asked' });
      yield pending(context, dataset({ SpecificCharacterSet: 'ISO_IR 100', PatientName: 'Müller^Anna', RetrieveAETitle: 'RIS', OtherPatientNames: 'X', ScheduledProcedureStepSequence: [step, step] }));
      yield pending(context, dataset({ PatientID: 'P2' }));
      yield { status: 0 };
    });
    const [first, second] = await worklist(s.peer, { identifier: worklistIdentifier({ now: NOW }) }).toArray();
    for (const k of WORKLIST_KEYS) expect(first!.has(k), k).toBe(true);
    expect(first!.string('PatientName')).toBe('Müller^Anna');
    expect(first!.strings('PatientBirthDate')).toEqual([]);
    expect(first!.string('SpecificCharacterSet')).toBe('ISO_IR 100');
    expect(first!.has('RetrieveAETitle')).toBe(false);
    expect(first!.has('OtherPatientNames')).toBe(false);
    const steps = first!.items('ScheduledProcedureStepSequence');
    expect(steps).toHaveLength(2);
    for (const k of WORKLIST_STEP_KEYS) expect(steps[0]!.has(k), k).toBe(true);
    expect(steps[0]!.string('Modality')).toBe('XL');
    expect(steps[0]!.has('InstitutionName')).toBe(false);
    expect(second!.string('PatientID')).toBe('P2');
    expect(second!.items('ScheduledProcedureStepSequence')).toEqual([]);
    expect(second!.has('ScheduledProcedureStepSequence')).toBe(true);
    expect(second!.has('SpecificCharacterSet')).toBe(false);
  });

  it.each([
    ['A700', 0xa700],
    ['A900', 0xa900],
    ['C001', 0xc001],
    ['B000', 0xb000],
    ['unknown 0x0123', 0x0123],
  ])('Table 3-15: %s fails the query and the association is aborted (A-ABORT)', async (_name, status) => {
    const s = await scp(async function* (context) {
      yield pending(context, item(1));
      yield { status, fields: { errorComment: 'worklist unavailable' } };
    });
    const association = await associate(s);
    const error = await worklist(association, { identifier: worklistIdentifier({ now: NOW }) }).toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FindFailedError);
    expect((error as FindFailedError).status).toBe(status);
    expect((error as FindFailedError).errorComment).toBe('worklist unavailable');
    expect((error as Error).message).toMatch(/^worklist C-FIND failed: 0x/);
    expect(association.outcome).toBe('aborted');
  });

  it('Table 3-16: no response in time fails the query and the association is aborted', async () => {
    const s = await scp(async function* (context) {
      yield pending(context, item(1));
      await new Promise((r) => setTimeout(r, 3_000));
      yield { status: 0 };
    });
    const association = await connect(s.peer, {
      aeTitle: 'CAMERA',
      contexts: [{ abstractSyntax: ModalityWorklistInformationModelFind, transferSyntaxes: [ImplicitVRLittleEndian] }],
      dimseTimeout: 300,
    });
    associations.push(association);
    const got: Dataset[] = [];
    const error = await (async () => {
      for await (const i of worklist(association, { identifier: worklistIdentifier({ now: NOW }) })) got.push(i);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkTimeoutError);
    expect(got).toHaveLength(1);
    expect(association.outcome).toBe('aborted');
  });

  it('a broken item is a FindResponseError, and the association is aborted', async () => {
    const s = await scp(async function* () {
      yield { status: 0xff00, dataset: Uint8Array.from([0x08, 0x00, 0x05, 0x00, 0x43, 0x53, 0x40, 0x00]) };
      yield { status: 0 };
    });
    const association = await associate(s);
    await expect(worklist(association, { identifier: worklistIdentifier({ now: NOW }) }).toArray()).rejects.toBeInstanceOf(FindResponseError);
    expect(association.outcome).toBe('aborted');
  });

  it('--limit cancels (C-CANCEL) and ends cleanly', async () => {
    const s = await scp(async function* (context) {
      for (let n = 1; n <= 20 && !context.signal.aborted; n++) {
        yield pending(context, item(n));
        await new Promise((r) => setTimeout(r, 10));
      }
      yield { status: context.signal.aborted ? 0xfe00 : 0 };
    });
    const stream = worklist(s.peer, { identifier: worklistIdentifier({ now: NOW }), limit: 1 });
    expect(await stream.toArray()).toHaveLength(1);
    expect(stream.summary).toMatchObject({ status: 0xfe00, cancelled: 'limit' });
    expect(s.cancelled).toEqual([0]);
  });
});

describe('worklistIdentifier', () => {
  it('asks for every return key of both seed tables, empty, and matches today\'s date by default', () => {
    const id = worklistIdentifier({ now: NOW });
    for (const k of ['SpecificCharacterSet', ...WORKLIST_KEYS]) expect(id.strings(k), k).toEqual([]);
    const steps = id.items('ScheduledProcedureStepSequence');
    expect(steps).toHaveLength(1);
    for (const k of WORKLIST_STEP_KEYS.filter((k) => k !== 'ScheduledProcedureStepStartDate')) expect(steps[0]!.has(k), k).toBe(true);
    expect(steps[0]!.string('ScheduledProcedureStepStartDate')).toBe('20240131');
    expect(steps[0]!.string('Modality')).toBeUndefined();
  });

  it('has Table 3-17\'s keys (DICOM Camera) and Table 4.2.2.6.4.3-2\'s (DICOM Izer)', () => {
    const id = worklistIdentifier({ now: NOW });
    for (const k of ['AccessionNumber', 'ReferringPhysicianName', 'StudyDescription', 'AdmissionID', 'CurrentPatientLocation', 'RequestedProcedureID', 'ReasonForTheRequestedProcedure', 'RequestedProcedureDescription', 'StudyInstanceUID', 'PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'RequestingPhysician', 'PlacerOrderNumberImagingServiceRequest', 'MedicalAlerts', 'Allergies', 'LastMenstrualDate', 'PatientWeight']) {
      expect(id.has(k), k).toBe(true);
    }
    const step = id.items('ScheduledProcedureStepSequence')[0]!;
    for (const k of ['ScheduledStationAETitle', 'ScheduledProcedureStepStartTime', 'ScheduledPerformingPhysicianName', 'ScheduledProcedureStepDescription', 'ScheduledStationName', 'ScheduledProcedureStepID', 'RequestedContrastAgent']) {
      expect(step.has(k), k).toBe(true);
    }
  });

  it('modality, station AE title and date range match; keys of the step are merged into the item', () => {
    const keys = new Dataset();
    keys.set('PatientName', 'DOE*');
    keys.set('ScheduledProcedureStepSequence', [dataset({ ScheduledPerformingPhysicianName: 'Smith*' })]);
    const id = worklistIdentifier({ date: '20240101-20240107', modality: 'XL', stationAeTitle: 'CAMERA1', keys });
    const step = id.items('ScheduledProcedureStepSequence')[0]!;
    expect(step.string('ScheduledProcedureStepStartDate')).toBe('20240101-20240107');
    expect(step.string('Modality')).toBe('XL');
    expect(step.string('ScheduledStationAETitle')).toBe('CAMERA1');
    expect(step.string('ScheduledPerformingPhysicianName')).toBe('Smith*');
    expect(step.has('ScheduledProcedureStepID')).toBe(true);
    expect(id.string('PatientName')).toBe('DOE*');
  });

  it('date any is universal matching', () => {
    expect(worklistIdentifier({ date: 'any' }).items('ScheduledProcedureStepSequence')[0]!.string('ScheduledProcedureStepStartDate')).toBeUndefined();
  });
});

describe('worklistDate', () => {
  it.each([
    ['today', '20240131'],
    ['TODAY', '20240131'],
    ['20240229', '20240229'],
    ['20240101-20240131', '20240101-20240131'],
    ['20240101-', '20240101-'],
    ['-20240101', '-20240101'],
    ['any', ''],
  ])('%s → %s', (text, expected) => {
    expect(worklistDate(text, NOW)).toBe(expected);
  });

  it.each(['yesterday', '2024-01-31', '20240230', '20240131-20240101', '*', "20240101' OR 1=1 --", '2'.repeat(5000), '-'])('refuses %s', (text) => {
    expect(() => worklistDate(text, NOW)).toThrow(FindQueryError);
  });
});
