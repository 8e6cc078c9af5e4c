import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { writeDicom } from '../../encoding/write.js';
import { MatchingError } from '../../matching/condition.js';
import { listen } from '../../net/ae.js';
import { checkFindIdentifier, checkRetrieveIdentifier, type InformationModel } from '../../services/query-retrieve/levels.js';
import { find as findScu } from '../../services/query-retrieve/scu-find.js';
import { Archive } from '../archive.js';
import { type ArchiveQueryRetrieve, archiveQueryRetrieve, archiveQueryRetrieveScps } from './archive-query-retrieve.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const SC = '1.2.840.10008.5.1.4.1.1.7';
const EXPLICIT = '1.2.840.10008.1.2.1';
const IMPLICIT = '1.2.840.10008.1.2';

interface Spec {
  readonly patient: readonly [id: string, name: string, sex: string, birth: string];
  readonly study: readonly [uid: string, date: string, time: string, accession: string, description: string];
  readonly series: readonly [uid: string, modality: string, number: string, bodyPart: string];
  readonly sop: readonly [uid: string, sopClass: string, number: string];
  readonly rows?: number;
  readonly age?: string;
  readonly procedureCode?: string;
  readonly charset?: string;
}

function instance(s: Spec): Dataset {
  const ds = new Dataset();
  if (s.charset) ds.set('SpecificCharacterSet', s.charset);
  ds.set('ImageType', ['ORIGINAL', 'PRIMARY']);
  ds.set('SOPClassUID', s.sop[1]);
  ds.set('SOPInstanceUID', s.sop[0]);
  ds.set('StudyDate', s.study[1]);
  ds.set('StudyTime', s.study[2]);
  ds.set('AccessionNumber', s.study[3]);
  ds.set('Modality', s.series[1]);
  ds.set('ReferringPhysicianName', 'Welby^Marcus');
  ds.set('StudyDescription', s.study[4]);
  if (s.procedureCode) {
    const item = new Dataset();
    item.set('CodeValue', s.procedureCode);
    item.set('CodingSchemeDesignator', 'LOCAL');
    item.set('CodeMeaning', `procedure ${s.procedureCode}`);
    ds.set('ProcedureCodeSequence', [item]);
  }
  ds.set('PatientName', s.patient[1]);
  ds.set('PatientID', s.patient[0]);
  ds.set('PatientBirthDate', s.patient[3]);
  ds.set('PatientSex', s.patient[2]);
  if (s.age) ds.set('PatientAge', s.age);
  ds.set('BodyPartExamined', s.series[3]);
  ds.set('StudyInstanceUID', s.study[0]);
  ds.set('SeriesInstanceUID', s.series[0]);
  ds.set('StudyID', 'S1');
  ds.set('SeriesNumber', s.series[2]);
  ds.set('InstanceNumber', s.sop[2]);
  ds.set('SamplesPerPixel', 1);
  ds.set('PhotometricInterpretation', 'MONOCHROME2');
  ds.set('Rows', s.rows ?? 4);
  ds.set('Columns', 4);
  ds.set('BitsAllocated', 8);
  ds.set('BitsStored', 8);
  ds.set('HighBit', 7);
  ds.set('PixelRepresentation', 0);
  ds.set('PixelData', new Uint8Array((s.rows ?? 4) * 4), 'OB');
  return ds;
}

const DOE = ['P1', 'Doe^John', 'M', '19700101'] as const;
const SMITH = ['P2', 'Smith^Anna', 'F', '19800202'] as const;
const YAMADA = ['P3', 'ヤマダ^タロウ', 'M', '19900303'] as const;
const CT_STUDY = ['1.2.826.0.1.1.1', '20240305', '101500', 'ACC1', 'CT chest'] as const;
const MR_STUDY = ['1.2.826.0.1.1.2', '20230610', '090000', 'ACC2', 'MR head'] as const;
const SC_STUDY = ['1.2.826.0.1.1.3', '20240701', '120000', 'ACC3', 'Photo'] as const;
const JP_STUDY = ['1.2.826.0.1.1.4', '20250101', '080000', 'ACC4', 'CT'] as const;

const SPECS: readonly Spec[] = [
  { patient: DOE, study: CT_STUDY, series: ['1.2.826.0.1.1.1.1', 'CT', '1', 'CHEST'], sop: ['1.2.826.0.1.1.1.1.1', CT, '1'], rows: 8, age: '054Y', procedureCode: 'XR1' },
  { patient: DOE, study: CT_STUDY, series: ['1.2.826.0.1.1.1.1', 'CT', '1', 'CHEST'], sop: ['1.2.826.0.1.1.1.1.2', CT, '2'], rows: 4 },
  { patient: DOE, study: CT_STUDY, series: ['1.2.826.0.1.1.1.2', 'SC', '2', 'ABDOMEN'], sop: ['1.2.826.0.1.1.1.2.1', SC, '1'] },
  { patient: DOE, study: MR_STUDY, series: ['1.2.826.0.1.1.2.1', 'MR', '1', 'HEAD'], sop: ['1.2.826.0.1.1.2.1.1', MR, '1'], procedureCode: 'MR9' },
  { patient: SMITH, study: SC_STUDY, series: ['1.2.826.0.1.1.3.1', 'SC', '1', ''], sop: ['1.2.826.0.1.1.3.1.1', SC, '1'] },
  { patient: YAMADA, study: JP_STUDY, series: ['1.2.826.0.1.1.4.1', 'CT', '1', 'CHEST'], sop: ['1.2.826.0.1.1.4.1.1', CT, '1'], charset: 'ISO_IR 192' },
];

let dir: string;
let archive: Archive;
let provider: ArchiveQueryRetrieve;

async function store(ds: Dataset, ts: string): Promise<void> {
  const sink = archive.ingest.sink({ commandField: 1, affectedSopClassUid: ds.string('SOPClassUID'), affectedSopInstanceUid: ds.string('SOPInstanceUID'), hasDataset: true }, ts, 'TEST');
  await sink.write(writeDicom(ds, { part10: false, transferSyntax: ts }));
  const outcome = (await sink.end()) as { status: number };
  expect(outcome.status).toBe(0);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-qr-'));
  archive = await Archive.open(dir, { reserveBytes: 0 });
  for (const [i, spec] of SPECS.entries()) await store(instance(spec), i % 2 === 0 ? EXPLICIT : IMPLICIT);
  // A small page size, so that every query crosses pages.
  provider = archiveQueryRetrieve(archive, { pageSize: 2 });
});

afterAll(async () => {
  await archive.close();
  await rm(dir, { recursive: true, force: true });
});

const identifier = (level: string, keys: Record<string, string | Dataset[]>): Dataset => {
  const d = new Dataset();
  d.set('QueryRetrieveLevel', level);
  for (const [k, v] of Object.entries(keys)) d.set(k, v);
  return d;
};

async function find(level: string, keys: Record<string, string | Dataset[]>, model: InformationModel = 'STUDY_ROOT', relational = false): Promise<Dataset[]> {
  const out: Dataset[] = [];
  for await (const m of provider.find(checkFindIdentifier(identifier(level, keys), model, { relational }))) out.push(m);
  return out;
}

describe('ArchiveQueryRetrieve.find', () => {
  it('STUDY level: wild card on Patient Name, every seed key returned from the index', async () => {
    const matches = await find('STUDY', {
      PatientName: 'doe*',
      PatientID: '',
      PatientBirthDate: '',
      PatientSex: '',
      StudyInstanceUID: '',
      StudyDate: '',
      StudyTime: '',
      AccessionNumber: '',
      StudyID: '',
      ModalitiesInStudy: '',
      ReferringPhysicianName: '',
      BodyPartExamined: '',
      StudyDescription: '',
      NumberOfStudyRelatedSeries: '',
      NumberOfStudyRelatedInstances: '',
      SOPClassesInStudy: '',
    });
    expect(matches.map((m) => m.string('StudyInstanceUID'))).toEqual([CT_STUDY[0], MR_STUDY[0]]);
    const ct = matches[0]!;
    expect(ct.string('PatientName')).toBe('Doe^John');
    expect(ct.string('PatientID')).toBe('P1');
    expect(ct.string('PatientSex')).toBe('M');
    expect(ct.string('StudyDate')).toBe('20240305');
    expect(ct.string('AccessionNumber')).toBe('ACC1');
    expect(ct.strings('ModalitiesInStudy')).toEqual(['CT', 'SC']);
    expect(ct.strings('BodyPartExamined')).toEqual(['CHEST', 'ABDOMEN']);
    expect(ct.string('NumberOfStudyRelatedSeries')).toBe('2');
    expect(ct.string('NumberOfStudyRelatedInstances')).toBe('3');
    expect(ct.strings('SOPClassesInStudy')).toEqual([CT, SC]);
    expect(ct.string('ReferringPhysicianName')).toBe('Welby^Marcus');
    expect(ct.string('StudyDescription')).toBe('CT chest');
  });

  it('range matching on Study Date; single value on Modalities in Study (any of the list)', async () => {
    expect((await find('STUDY', { StudyDate: '20240101-20241231' })).map((m) => m.string('StudyInstanceUID'))).toEqual([CT_STUDY[0], SC_STUDY[0]]);
    expect((await find('STUDY', { StudyDate: '-20231231' })).map((m) => m.string('StudyInstanceUID'))).toEqual([MR_STUDY[0]]);
    expect((await find('STUDY', { ModalitiesInStudy: 'SC' })).map((m) => m.string('StudyInstanceUID'))).toEqual([CT_STUDY[0], SC_STUDY[0]]);
  });

  it('UID list matching on Study Instance UID', async () => {
    const matches = await find('STUDY', { StudyInstanceUID: `${SC_STUDY[0]}\\${MR_STUDY[0]}\\1.2.3.404` });
    expect(matches.map((m) => m.string('StudyInstanceUID'))).toEqual([MR_STUDY[0], SC_STUDY[0]]);
  });

  it('matches and returns attributes only the files hold (Patient Age), reading a file of the study', async () => {
    const matches = await find('STUDY', { PatientAge: '054Y', PatientName: '' });
    expect(matches.map((m) => m.string('StudyInstanceUID'))).toEqual([CT_STUDY[0]]);
    expect(matches[0]!.string('PatientAge')).toBe('054Y');
    const all = await find('STUDY', { PatientAge: '' });
    expect(all).toHaveLength(4);
    expect(all[1]!.get('PatientAge')?.strings).toEqual([]);
  });

  it('Unicode names match and come back as Unicode (the response character set is the SCP\'s concern)', async () => {
    const matches = await find('STUDY', { PatientName: 'ヤマダ*' });
    expect(matches.map((m) => m.string('PatientName'))).toEqual(['ヤマダ^タロウ']);
  });

  it('SERIES level under one study: Modality, Series Number, Number of Series Related Instances', async () => {
    const matches = await find('SERIES', { StudyInstanceUID: CT_STUDY[0], Modality: '', SeriesNumber: '', NumberOfSeriesRelatedInstances: '', BodyPartExamined: '' });
    expect(matches.map((m) => [m.string('SeriesInstanceUID'), m.string('Modality'), m.string('SeriesNumber'), m.string('NumberOfSeriesRelatedInstances'), m.string('BodyPartExamined')])).toEqual([
      ['1.2.826.0.1.1.1.1', 'CT', '1', '2', 'CHEST'],
      ['1.2.826.0.1.1.1.2', 'SC', '2', '1', 'ABDOMEN'],
    ]);
    expect(await find('SERIES', { StudyInstanceUID: CT_STUDY[0], Modality: 'CT' })).toHaveLength(1);
  });

  it('IMAGE level: index keys and file keys (Rows); a file-only key can narrow the match', async () => {
    const base = { StudyInstanceUID: CT_STUDY[0], SeriesInstanceUID: '1.2.826.0.1.1.1.1' };
    const all = await find('IMAGE', { ...base, SOPClassUID: '', InstanceNumber: '', Rows: '' });
    expect(all.map((m) => [m.string('SOPInstanceUID'), m.string('SOPClassUID'), m.string('InstanceNumber'), m.string('Rows')])).toEqual([
      ['1.2.826.0.1.1.1.1.1', CT, '1', '8'],
      ['1.2.826.0.1.1.1.1.2', CT, '2', '4'],
    ]);
    expect((await find('IMAGE', { ...base, Rows: '8' })).map((m) => m.string('SOPInstanceUID'))).toEqual(['1.2.826.0.1.1.1.1.1']);
  });

  it('PATIENT level (Patient Root): counts, matched in memory', async () => {
    const matches = await find('PATIENT', { PatientName: '', NumberOfPatientRelatedStudies: '', NumberOfPatientRelatedInstances: '' }, 'PATIENT_ROOT');
    expect(matches.map((m) => [m.string('PatientID'), m.string('NumberOfPatientRelatedStudies'), m.string('NumberOfPatientRelatedInstances')])).toEqual([
      ['P1', '2', '4'],
      ['P2', '1', '1'],
      ['P3', '1', '1'],
    ]);
    expect((await find('PATIENT', { NumberOfPatientRelatedStudies: '2' }, 'PATIENT_ROOT')).map((m) => m.string('PatientID'))).toEqual(['P1']);
    expect((await find('STUDY', { PatientID: 'P1', StudyDate: '' }, 'PATIENT_ROOT')).map((m) => m.string('StudyDate'))).toEqual(['20240305', '20230610']);
  });

  it('sequence keys: matched item by item, returned with only the requested item attributes', async () => {
    const requested = new Dataset();
    requested.set('CodeValue', '');
    const returned = await find('STUDY', { ProcedureCodeSequence: [requested], StudyInstanceUID: CT_STUDY[0] });
    const items = returned[0]!.items('ProcedureCodeSequence');
    expect(items).toHaveLength(1);
    expect(items[0]!.tags()).toEqual([0x00080100]);
    expect(items[0]!.string('CodeValue')).toBe('XR1');
    const key = new Dataset();
    key.set('CodeValue', 'MR9');
    expect((await find('STUDY', { ProcedureCodeSequence: [key] })).map((m) => m.string('StudyInstanceUID'))).toEqual([MR_STUDY[0]]);
  });

  it('a stored file that is gone: its keys come back empty, the index keys still answer', async () => {
    const { rm: remove, copyFile } = await import('node:fs/promises');
    const [first] = await provider.retrieveInstances(checkRetrieveIdentifier(identifier('STUDY', { StudyInstanceUID: SC_STUDY[0] }), 'STUDY_ROOT'));
    await copyFile(first!.path, `${first!.path}.bak`);
    await remove(first!.path);
    try {
      const matches = await find('STUDY', { StudyInstanceUID: SC_STUDY[0], PatientAge: '', AccessionNumber: '' });
      expect(matches).toHaveLength(1);
      expect(matches[0]!.string('AccessionNumber')).toBe('ACC3');
      expect(matches[0]!.get('PatientAge')?.strings).toEqual([]);
    } finally {
      await copyFile(`${first!.path}.bak`, first!.path);
    }
  });
});

describe('hostile keys', () => {
  it('a 64 KiB value, SQL metacharacters and NULs in strings match nothing and break nothing', async () => {
    expect(await find('STUDY', { PatientName: 'a'.repeat(65536) })).toEqual([]);
    expect(await find('STUDY', { PatientID: `'; DROP TABLE patients; --` })).toEqual([]);
    expect(await find('STUDY', { AccessionNumber: `%' OR '1'='1` })).toEqual([]);
    expect(await find('STUDY', { StudyDescription: '*[a-z]*' })).toEqual([]);
    expect(await find('STUDY', { StudyInstanceUID: `${'1.2.'.repeat(8000)}1` })).toEqual([]);
    expect(await find('STUDY', { PatientName: '*' })).toHaveLength(4);
  });

  it('a "*"-only key is universal; a key of only wild cards matches everything with a value', async () => {
    expect(await find('STUDY', { AccessionNumber: '*', StudyDescription: '*' })).toHaveLength(4);
    expect(await find('STUDY', { AccessionNumber: '???*' })).toHaveLength(4);
  });

  it('bad ranges and dates throw MatchingError with the tag', async () => {
    await expect(find('STUDY', { StudyDate: '20241301' })).rejects.toBeInstanceOf(MatchingError);
    await expect(find('STUDY', { StudyDate: '2024-01-01-2025' })).rejects.toMatchObject({ tag: 0x00080020 });
    await expect(provider.countMatches(checkFindIdentifier(identifier('STUDY', { StudyTime: '25' }), 'STUDY_ROOT'), 10)).rejects.toBeInstanceOf(MatchingError);
  });
});

describe('ArchiveQueryRetrieve.countMatches', () => {
  it('counts the rows the index selects, no further than the limit', async () => {
    const all = checkFindIdentifier(identifier('STUDY', {}), 'STUDY_ROOT');
    expect(await provider.countMatches(all, 100)).toBe(4);
    expect(await provider.countMatches(all, 3)).toBe(3);
    expect(await provider.countMatches(checkFindIdentifier(identifier('IMAGE', {}), 'STUDY_ROOT', { relational: true }), 100)).toBe(6);
  });
});

describe('per-query matching options: combined date-time matching (PS3.4 C.2.2.2.5.4), as an association negotiates it', () => {
  // Separately: a date from 2024-03-05 and a time from 11:00 (CT at 10:15 and JP at 08:00 fail the time). Combined:
  // from 2024-03-05 11:00 on, so JP (2025-01-01 08:00) matches too, and CT (2024-03-05 10:15) still does not.
  const keys = { StudyDate: '20240305-', StudyTime: '1100-', StudyInstanceUID: '' };
  const query = (combineDateTime: boolean) =>
    checkFindIdentifier(identifier('STUDY', keys), 'STUDY_ROOT', combineDateTime ? { match: { combineDateTime: true } } : {});
  const uids = async (q: ReturnType<typeof query>): Promise<string[]> => {
    const out: string[] = [];
    for await (const m of provider.find(q)) out.push(m.string('StudyInstanceUID') ?? '');
    return out;
  };

  it('find and countMatches take the query\'s options over the archive\'s', async () => {
    expect(await uids(query(false))).toEqual([SC_STUDY[0]]);
    expect(await uids(query(true))).toEqual([SC_STUDY[0], JP_STUDY[0]]);
    expect(await provider.countMatches(query(false), 100)).toBe(1);
    expect(await provider.countMatches(query(true), 100)).toBe(2);
  });

  it('end to end: a C-FIND whose association negotiated combined date-time matching, and one that did not', async () => {
    const server = await listen({ aeTitle: 'PORTICO', port: 0, host: '127.0.0.1', services: archiveQueryRetrieveScps({ archive, destinations: new Map(), callingAeTitle: 'PORTICO' }) });
    try {
      const peer = { aeTitle: 'PORTICO', host: '127.0.0.1', port: server.port };
      const studies = async (combineDateTime: boolean): Promise<string[]> => {
        const out: string[] = [];
        const request = { root: 'study' as const, level: 'STUDY' as const, identifier: identifier('STUDY', keys) };
        for await (const m of findScu(peer, request, { aeTitle: 'SCU', combineDateTime })) out.push(m.string('StudyInstanceUID') ?? '');
        return out;
      };
      expect(await studies(false)).toEqual([SC_STUDY[0]]);
      expect(await studies(true)).toEqual([SC_STUDY[0], JP_STUDY[0]]);
    } finally {
      await server.close(1000);
    }
  });
});

describe('ArchiveQueryRetrieve.retrieveInstances', () => {
  const retrieve = (level: string, keys: Record<string, string>, model: InformationModel = 'STUDY_ROOT', relational = false) =>
    provider.retrieveInstances(checkRetrieveIdentifier(identifier(level, keys), model, { relational }));

  it('a study: every instance, series by series, with SOP class, transfer syntax and absolute path', async () => {
    const instances = await retrieve('STUDY', { StudyInstanceUID: CT_STUDY[0] });
    expect(instances.map((i) => [i.sopInstanceUid, i.sopClassUid, i.transferSyntaxUid])).toEqual([
      ['1.2.826.0.1.1.1.1.1', CT, EXPLICIT],
      ['1.2.826.0.1.1.1.1.2', CT, IMPLICIT],
      ['1.2.826.0.1.1.1.2.1', SC, EXPLICIT],
    ]);
    expect(instances[0]!.path.startsWith(dir)).toBe(true);
  });

  it('a list of series, a patient (Patient Root), one instance (relational)', async () => {
    expect(await retrieve('SERIES', { StudyInstanceUID: CT_STUDY[0], SeriesInstanceUID: '1.2.826.0.1.1.1.2\\1.2.826.0.1.1.2.1' })).toHaveLength(1);
    expect(await retrieve('PATIENT', { PatientID: 'P1' }, 'PATIENT_ROOT')).toHaveLength(4);
    expect(await retrieve('IMAGE', { SOPInstanceUID: '1.2.826.0.1.1.4.1.1' }, 'STUDY_ROOT', true)).toHaveLength(1);
    expect(await retrieve('STUDY', { StudyInstanceUID: '1.2.3.404' })).toEqual([]);
  });
});
