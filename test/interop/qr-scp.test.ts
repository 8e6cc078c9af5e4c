/**
 * The archive's Query/Retrieve SCP against real peers: an in-process server (`listen()` with the Storage SCP and
 * the Q/R services on `Archive.open`, as `portico serve` assembles them) loaded by DCMTK `storescu`, then
 * DCMTK `findscu` (Study Root and Patient Root, every level, ranges, wild cards, UID lists, hostile keys),
 * `movescu` (to a DCMTK `storescp`, and to an unknown AE), `getscu` (a study and a series: the datasets arrive as
 * stored), and Orthanc as Q/R SCU (a study-level query through its REST API, then a retrieve that makes Orthanc
 * ask Portico to C-MOVE to Orthanc itself).
 */
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Archive, STORAGE_SOP_CLASSES, STORAGE_TRANSFER_SYNTAXES } from '../../src/archive/archive.js';
import { archiveQueryRetrieveScps } from '../../src/archive/query/archive-query-retrieve.js';
import type { Dataset } from '../../src/data/dataset.js';
import { ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { readFile } from '../../src/encoding/read.js';
import { writeFile } from '../../src/encoding/write.js';
import { type DicomServer, listen, type Peer } from '../../src/net/ae.js';
import { storageScp } from '../../src/services/storage/scp.js';
import { verificationScp } from '../../src/services/verification/scp.js';
import { ctDataset, datasetDifferences, newUid, secondaryCaptureDataset, TRAILING_PADDING } from './net-instances.js';
import { HOST, type Orthanc, startOrthanc, startStorescp, type Storescp } from './net-peers.js';
import { ensurePeers, ORTHANC, run, type RunResult, tempDir } from './peers.js';

const UNCOMPRESSED = [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian];

interface SourceInstance {
  readonly path: string;
  readonly dataset: Dataset;
  readonly study: string;
  readonly series: string;
  readonly sop: string;
}

/** Three studies: Doe^John (CT, two series, 3 + 2 images), Doe^Jane (SC), Roe^Richard (CT + SC). */
const STUDY_A = newUid();
const STUDY_B = newUid();
const STUDY_C = newUid();
const SERIES_A1 = newUid();
const SERIES_A2 = newUid();

let tmp: { readonly dir: string; readonly remove: () => Promise<void> } | undefined;
let archive: Archive | undefined;
let server: DicomServer | undefined;
let storescp: Storescp | undefined;
let orthanc: Orthanc | undefined;
const destinations = new Map<string, Peer>();
const sources: SourceInstance[] = [];

function describeInstance(ds: Dataset, p: { name: string; id: string; date: string; study: string; series: string; seriesNumber: string; accession: string; modality?: string; bodyPart?: string }): Dataset {
  ds.set('PatientName', p.name);
  ds.set('PatientID', p.id);
  ds.set('StudyDate', p.date);
  ds.set('StudyInstanceUID', p.study);
  ds.set('SeriesInstanceUID', p.series);
  ds.set('SeriesNumber', p.seriesNumber);
  ds.set('AccessionNumber', p.accession);
  ds.set('StudyDescription', `study of ${p.name}`);
  if (p.modality) ds.set('Modality', p.modality);
  if (p.bodyPart) ds.set('BodyPartExamined', p.bodyPart);
  return ds;
}

async function makeSources(dir: string): Promise<void> {
  const add = async (ds: Dataset, study: string, series: string): Promise<void> => {
    const sop = ds.string('SOPInstanceUID')!;
    const path = join(dir, `${sop}.dcm`);
    await writeFile(path, ds, { transferSyntax: ExplicitVRLittleEndian });
    sources.push({ path, dataset: ds, study, series, sop });
  };
  const john = { name: 'Doe^John', id: 'QR-P1', date: '20240305', study: STUDY_A, accession: 'QR-ACC-A' };
  for (let i = 1; i <= 3; i++) await add(describeInstance(ctDataset(i, 64, 64), { ...john, series: SERIES_A1, seriesNumber: '1', bodyPart: 'CHEST' }), STUDY_A, SERIES_A1);
  for (let i = 4; i <= 5; i++) await add(describeInstance(ctDataset(i, 64, 64), { ...john, series: SERIES_A2, seriesNumber: '2', bodyPart: 'ABDOMEN' }), STUDY_A, SERIES_A2);
  const seriesB = newUid();
  await add(describeInstance(secondaryCaptureDataset(6, 32, 32), { name: 'Doe^Jane', id: 'QR-P2', date: '20230115', study: STUDY_B, series: seriesB, seriesNumber: '1', accession: 'QR-ACC-B' }), STUDY_B, seriesB);
  const richard = { name: 'Roe^Richard', id: 'QR-P3', date: '20241120', study: STUDY_C, accession: 'QR-ACC-C' };
  const seriesC1 = newUid();
  const seriesC2 = newUid();
  await add(describeInstance(ctDataset(7, 64, 64), { ...richard, series: seriesC1, seriesNumber: '1' }), STUDY_C, seriesC1);
  await add(describeInstance(secondaryCaptureDataset(8, 32, 32), { ...richard, series: seriesC2, seriesNumber: '2' }), STUDY_C, seriesC2);
}

beforeAll(async () => {
  ensurePeers('storescu', 'findscu', 'movescu', 'getscu', 'storescp', ORTHANC);
  tmp = await tempDir('qr-scp');
  for (const d of ['sources', 'storescp', 'orthanc']) await mkdir(join(tmp.dir, d));
  archive = await Archive.open(join(tmp.dir, 'archive'), { reserveBytes: 0 });
  storescp = await startStorescp(join(tmp.dir, 'storescp'));
  destinations.set('STORESCP', { aeTitle: 'STORESCP', host: HOST, port: storescp.port });
  server = await listen({
    aeTitle: 'PORTICO',
    port: 0,
    host: HOST,
    services: [
      verificationScp(UNCOMPRESSED),
      storageScp({ sopClasses: STORAGE_SOP_CLASSES, transferSyntaxes: STORAGE_TRANSFER_SYNTAXES, handler: archive.ingest }),
      ...archiveQueryRetrieveScps({ archive, destinations, maxMatches: 100, callingAeTitle: 'PORTICO' }),
    ],
  });
  orthanc = await startOrthanc(join(tmp.dir, 'orthanc'), { modalities: { portico: ['PORTICO', HOST, server.port] } });
  // Orthanc is a C-MOVE destination too: its own retrieve asks Portico to move to it.
  destinations.set(orthanc.aeTitle, { aeTitle: orthanc.aeTitle, host: HOST, port: orthanc.dicomPort });
  await makeSources(join(tmp.dir, 'sources'));
  const stored = await run('storescu', ['-v', '-aet', 'STORESCU', '-aec', 'PORTICO', HOST, String(server.port), ...sources.map((s) => s.path)], { timeoutMs: 60_000 });
  expect(stored.status, `${stored.stdout}${stored.stderr}`).toBe(0);
  expect(((await archive.index.counts()) as { instances: number }).instances).toBe(sources.length);
}, 180_000);

afterAll(async () => {
  await orthanc?.stop(5_000);
  await storescp?.stop(3_000);
  await server?.close(2_000);
  await archive?.close();
  await tmp?.remove();
});

// -- DCMTK findscu -------------------------------------------------------------------------------------------------

interface FindResult extends RunResult {
  readonly log: string;
  readonly responses: Dataset[];
}

/** `findscu -v -S|-P -X` with keys; the pending responses as written by -X (rsp0001.dcm, ...), in order. */
async function findscu(model: '-S' | '-P', keys: readonly string[]): Promise<FindResult> {
  const out = await mkdtemp(join(tmp!.dir, 'find-'));
  const r = await run('findscu', ['-v', model, '-aet', 'FINDSCU', '-aec', 'PORTICO', '-X', '-od', out, ...keys.flatMap((k) => ['-k', k]), HOST, String(server!.port)], { timeoutMs: 30_000 });
  const files = (await readdir(out)).filter((f) => f.startsWith('rsp')).sort();
  const responses: Dataset[] = [];
  for (const f of files) responses.push((await readFile(join(out, f))).dataset);
  return { ...r, log: `${r.stdout}${r.stderr}`, responses };
}

const uids = (responses: readonly Dataset[], key = 'StudyInstanceUID'): string[] => responses.map((r) => r.string(key) ?? '').sort();

describe('findscu (DCMTK) → Portico C-FIND SCP', () => {
  it('Study Root STUDY level with the seeds\' keys: wild card on Patient Name, every key returned', async () => {
    const r = await findscu('-S', [
      'QueryRetrieveLevel=STUDY',
      'SpecificCharacterSet=ISO_IR 100',
      'PatientName=Doe*',
      'PatientID',
      'PatientBirthDate',
      'PatientSex',
      'StudyInstanceUID',
      'StudyDate',
      'StudyTime',
      'AccessionNumber',
      'StudyID',
      'ModalitiesInStudy',
      'ReferringPhysicianName',
      'BodyPartExamined',
      'StudyDescription',
      'NumberOfStudyRelatedInstances',
      'RetrieveAETitle',
    ]);
    expect(r.status, r.log).toBe(0);
    expect(r.log).toMatch(/Received Final Find Response \(Success\)/);
    expect(uids(r.responses)).toEqual([STUDY_A, STUDY_B].sort());
    const john = r.responses.find((d) => d.string('StudyInstanceUID') === STUDY_A)!;
    expect(john.string('PatientName')).toBe('Doe^John');
    expect(john.string('PatientID')).toBe('QR-P1');
    expect(john.string('PatientBirthDate')).toBe('19700101');
    expect(john.string('StudyDate')).toBe('20240305');
    expect(john.string('StudyTime')).toBe('101530');
    expect(john.string('AccessionNumber')).toBe('QR-ACC-A');
    expect(john.strings('ModalitiesInStudy')).toEqual(['CT']);
    expect(john.strings('BodyPartExamined')).toEqual(['CHEST', 'ABDOMEN']);
    expect(john.string('ReferringPhysicianName')).toBe('Doe^Jane');
    expect(john.string('StudyDescription')).toBe('study of Doe^John');
    expect(john.string('NumberOfStudyRelatedInstances')).toBe('5');
    expect(john.string('RetrieveAETitle')).toBe('PORTICO');
    expect(john.string('QueryRetrieveLevel')).toBe('STUDY');
    expect(john.string('SpecificCharacterSet')).toBe('ISO_IR 100');
  });

  it('range matching on Study Date and a list of Study Instance UIDs', async () => {
    const range = await findscu('-S', ['QueryRetrieveLevel=STUDY', 'StudyDate=20240101-20241231', 'StudyInstanceUID']);
    expect(uids(range.responses)).toEqual([STUDY_A, STUDY_C].sort());
    const open = await findscu('-S', ['QueryRetrieveLevel=STUDY', 'StudyDate=-20231231', 'StudyInstanceUID']);
    expect(uids(open.responses)).toEqual([STUDY_B]);
    const list = await findscu('-S', ['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${STUDY_B}\\${STUDY_C}\\1.2.3.404`]);
    expect(uids(list.responses)).toEqual([STUDY_B, STUDY_C].sort());
    const modalities = await findscu('-S', ['QueryRetrieveLevel=STUDY', 'ModalitiesInStudy=OT', 'StudyInstanceUID']);
    expect(uids(modalities.responses)).toEqual([STUDY_B, STUDY_C].sort());
  });

  it('SERIES and IMAGE levels under one study (hierarchical), with counts and attributes from the files', async () => {
    const series = await findscu('-S', ['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${STUDY_A}`, 'SeriesInstanceUID', 'Modality', 'SeriesNumber', 'NumberOfSeriesRelatedInstances']);
    expect(series.responses.map((d) => [d.string('SeriesInstanceUID'), d.string('Modality'), d.string('NumberOfSeriesRelatedInstances')]).sort()).toEqual(
      [
        [SERIES_A1, 'CT', '3'],
        [SERIES_A2, 'CT', '2'],
      ].sort(),
    );
    const images = await findscu('-S', ['QueryRetrieveLevel=IMAGE', `StudyInstanceUID=${STUDY_A}`, `SeriesInstanceUID=${SERIES_A1}`, 'SOPInstanceUID', 'SOPClassUID', 'InstanceNumber', 'Rows', 'ImageType']);
    expect(uids(images.responses, 'SOPInstanceUID')).toEqual(sources.filter((s) => s.series === SERIES_A1).map((s) => s.sop).sort());
    expect(images.responses.every((d) => d.number('Rows') === 64 && d.strings('ImageType').join('\\') === 'ORIGINAL\\PRIMARY\\AXIAL')).toBe(true);
  });

  it('Patient Root: PATIENT level with counts, STUDY level under a Patient ID, and A900 without one', async () => {
    const patients = await findscu('-P', ['QueryRetrieveLevel=PATIENT', 'PatientName=Doe*', 'PatientID', 'NumberOfPatientRelatedStudies', 'NumberOfPatientRelatedInstances']);
    expect(patients.responses.map((d) => [d.string('PatientID'), d.string('NumberOfPatientRelatedStudies'), d.string('NumberOfPatientRelatedInstances')]).sort()).toEqual(
      [
        ['QR-P1', '1', '5'],
        ['QR-P2', '1', '1'],
      ].sort(),
    );
    const studies = await findscu('-P', ['QueryRetrieveLevel=STUDY', 'PatientID=QR-P3', 'StudyInstanceUID', 'ModalitiesInStudy']);
    expect(uids(studies.responses)).toEqual([STUDY_C]);
    expect(studies.responses[0]!.strings('ModalitiesInStudy')).toEqual(['CT', 'OT']);
    const refused = await findscu('-P', ['QueryRetrieveLevel=STUDY', 'StudyInstanceUID']);
    expect(refused.responses).toEqual([]);
    // DCMTK names A900 'Error: DataSetDoesNotMatchSOPClass'.
    expect(refused.log).toMatch(/Received Final Find Response \(Error: DataSetDoesNotMatchSOPClass\)/);
  });

  it('hostile keys: 64 KiB values, SQL metacharacters and *-only keys are answered, never fail', async () => {
    // 65534 bytes fit a PN; 65536 do not fit an explicit VR 16-bit length, so findscu sends that key as UN.
    for (const length of [65534, 65536]) {
      const big = await findscu('-S', ['QueryRetrieveLevel=STUDY', `PatientName=${'A'.repeat(length)}`, 'StudyInstanceUID']);
      expect(big.log).toMatch(/Received Final Find Response \(Success\)/);
      expect(big.responses).toEqual([]);
    }
    const sql = await findscu('-S', ['QueryRetrieveLevel=STUDY', `PatientID=x' OR '1'='1`, `AccessionNumber=%; DROP TABLE studies; --`, 'StudyInstanceUID']);
    expect(sql.log).toMatch(/Received Final Find Response \(Success\)/);
    expect(sql.responses).toEqual([]);
    const stars = await findscu('-S', ['QueryRetrieveLevel=STUDY', 'PatientName=*', 'AccessionNumber=*', 'StudyInstanceUID']);
    expect(uids(stars.responses)).toEqual([STUDY_A, STUDY_B, STUDY_C].sort());
    const badRange = await findscu('-S', ['QueryRetrieveLevel=STUDY', 'StudyDate=20241301-20240101', 'StudyInstanceUID']);
    expect(badRange.log).toMatch(/Received Final Find Response \(Error: DataSetDoesNotMatchSOPClass\)/);
  });
});

// -- DCMTK movescu -------------------------------------------------------------------------------------------------

/** The instances storescp received, by SOP Instance UID. */
async function storescpFiles(): Promise<Map<string, Dataset>> {
  const out = new Map<string, Dataset>();
  for (const f of await readdir(storescp!.dir)) {
    const ds = (await readFile(join(storescp!.dir, f))).dataset;
    out.set(ds.string('SOPInstanceUID')!, ds);
  }
  return out;
}

const differences = (a: Dataset, b: Dataset): string[] => datasetDifferences(a, b, { ignore: [TRAILING_PADDING] });

describe('movescu (DCMTK) → Portico C-MOVE SCP → storescp', () => {
  it('moves a study to a known destination: every instance arrives with the same dataset', async () => {
    const r = await run('movescu', ['-v', '-S', '-aet', 'MOVESCU', '-aec', 'PORTICO', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${STUDY_A}`, HOST, String(server!.port)], { timeoutMs: 60_000 });
    const log = `${r.stdout}${r.stderr}`;
    expect(r.status, log).toBe(0);
    expect(log).toMatch(/Received Final Move Response \(Success\)/);
    const received = await storescpFiles();
    for (const s of sources.filter((x) => x.study === STUDY_A)) {
      expect(received.has(s.sop), `${s.sop} arrived`).toBe(true);
      expect(differences(received.get(s.sop)!, s.dataset)).toEqual([]);
    }
  });

  it('an unknown Move Destination is refused with A801', async () => {
    const r = await run('movescu', ['-v', '-S', '-aet', 'MOVESCU', '-aec', 'PORTICO', '-aem', 'NOWHERE', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${STUDY_B}`, HOST, String(server!.port)], { timeoutMs: 30_000 });
    const log = `${r.stdout}${r.stderr}`;
    expect(log).toMatch(/Received Final Move Response \(Refused: MoveDestinationUnknown\)/);
  });
});

// -- DCMTK getscu --------------------------------------------------------------------------------------------------

async function getscu(keys: readonly string[]): Promise<{ log: string; status: number | null; files: Map<string, { dataset: Dataset; path: string }> }> {
  const out = await mkdtemp(join(tmp!.dir, 'get-'));
  const r = await run('getscu', ['-v', '-S', '-aet', 'GETSCU', '-aec', 'PORTICO', '-od', out, ...keys.flatMap((k) => ['-k', k]), HOST, String(server!.port)], { timeoutMs: 60_000 });
  const files = new Map<string, { dataset: Dataset; path: string }>();
  for (const f of await readdir(out)) {
    const file = await readFile(join(out, f));
    files.set(file.dataset.string('SOPInstanceUID')!, { dataset: file.dataset, path: join(out, f) });
  }
  return { log: `${r.stdout}${r.stderr}`, status: r.status, files };
}

describe('getscu (DCMTK) → Portico C-GET SCP', () => {
  it('gets a study: the instances arrive on the same association, datasets as stored', async () => {
    const r = await getscu(['QueryRetrieveLevel=STUDY', `StudyInstanceUID=${STUDY_A}`]);
    expect(r.status, r.log).toBe(0);
    expect(r.log).toMatch(/Received C-GET Response \(Success\)/);
    const expected = sources.filter((s) => s.study === STUDY_A);
    expect([...r.files.keys()].sort()).toEqual(expected.map((s) => s.sop).sort());
    for (const s of expected) {
      expect(differences(r.files.get(s.sop)!.dataset, s.dataset)).toEqual([]);
      // The bytes Portico keeps, unchanged: getscu wrote the dataset it received after its own meta header.
      const stored = (await archive!.index.findInstance(s.sop))!;
      const mine = await readFile(archive!.files.absolute(stored.path));
      expect(differences(r.files.get(s.sop)!.dataset, mine.dataset)).toEqual([]);
    }
  });

  it('gets one series', async () => {
    const r = await getscu(['QueryRetrieveLevel=SERIES', `StudyInstanceUID=${STUDY_A}`, `SeriesInstanceUID=${SERIES_A2}`]);
    expect(r.log).toMatch(/Received C-GET Response \(Success\)/);
    expect([...r.files.keys()].sort()).toEqual(sources.filter((s) => s.series === SERIES_A2).map((s) => s.sop).sort());
  });
});

// -- Orthanc as Q/R SCU --------------------------------------------------------------------------------------------

describe('Orthanc → Portico: C-FIND through its REST API, then a retrieve that C-MOVEs to Orthanc', () => {
  it('queries the studies of Doe*, reads the answers, retrieves them, and the instances are in Orthanc', async () => {
    const query = (await orthanc!.rest('/modalities/portico/query', {
      method: 'POST',
      body: JSON.stringify({ Level: 'Study', Query: { PatientName: 'Doe*', StudyDate: '', ModalitiesInStudy: '', StudyInstanceUID: '' } }),
    })) as { ID: string };
    const answers = (await orthanc!.rest(`/queries/${query.ID}/answers`)) as string[];
    expect(answers).toHaveLength(2);
    const found: string[] = [];
    for (const n of answers) {
      const content = (await orthanc!.rest(`/queries/${query.ID}/answers/${n}/content?simplify`)) as Record<string, string>;
      found.push(content.StudyInstanceUID!);
    }
    expect(found.sort()).toEqual([STUDY_A, STUDY_B].sort());
    await orthanc!.rest(`/queries/${query.ID}/retrieve`, { method: 'POST', body: JSON.stringify({ TargetAet: orthanc!.aeTitle, Synchronous: true }) });
    const studies = (await orthanc!.rest('/studies?expand')) as { MainDicomTags: { StudyInstanceUID: string }; Instances?: string[]; Series: string[] }[];
    expect(studies.map((s) => s.MainDicomTags.StudyInstanceUID).sort()).toEqual([STUDY_A, STUDY_B].sort());
    const instances = (await orthanc!.rest('/instances?expand')) as { MainDicomTags: { SOPInstanceUID: string } }[];
    expect(instances.map((i) => i.MainDicomTags.SOPInstanceUID).sort()).toEqual(sources.filter((s) => s.study !== STUDY_C).map((s) => s.sop).sort());
  });
});
