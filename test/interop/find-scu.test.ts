/**
 * `portico find` (the real command line) → Orthanc (Debian's, temporary configuration) holding three studies of two
 * patients uploaded through its REST API: PATIENT, STUDY, SERIES and IMAGE levels, wild cards, date ranges, UID
 * lists, Latin-1 names decoded, --json, --limit (C-CANCEL; Orthanc stays healthy), hostile keys, a failure status
 * and a calling AE Orthanc does not know. Also the binary interrupted with a real SIGINT while a slow SCP answers.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/data/dataset.js';
import { ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { connect } from '../../src/net/ae.js';
import { cFind, FindFailedError } from '../../src/services/query-retrieve/scu-find.js';
import { QR_FIND_STATUS } from '../../src/services/query-retrieve/status.js';
import { StudyRootQueryRetrieveInformationModelFind } from '../../src/services/query-retrieve/uids.js';
import { dataset, pause, pending, startFindScp } from '../support/find-scp.js';
import { assertPorticoBuilt, echoes, HOST, type Orthanc, portico, PORTICO_BIN, REPO_ROOT, startOrthanc, waitUntil } from './net-peers.js';
import { newUid } from './net-instances.js';
import { ensurePeers, ORTHANC, PEER_ENV, tempDir } from './peers.js';

const SC = '1.2.840.10008.5.1.4.1.1.7';

interface StudySpec {
  readonly uid: string;
  readonly date: string;
  readonly accession: string;
  readonly description: string;
  readonly series: readonly { readonly uid: string; readonly modality: string; readonly number: string; readonly instances: readonly string[] }[];
}
interface PatientSpec {
  readonly name: string;
  readonly id: string;
  readonly birth: string;
  readonly sex: string;
  readonly studies: readonly StudySpec[];
}

const uids = (n: number): string[] => Array.from({ length: n }, newUid);
const A1: StudySpec = {
  uid: newUid(),
  date: '20240115',
  accession: 'ACC-A1',
  description: 'Knee MR',
  series: [
    { uid: newUid(), modality: 'MR', number: '1', instances: uids(3) },
    { uid: newUid(), modality: 'MR', number: '2', instances: uids(2) },
  ],
};
const A2: StudySpec = { uid: newUid(), date: '20240320', accession: 'ACC-A2', description: 'Head CT', series: [{ uid: newUid(), modality: 'CT', number: '1', instances: uids(1) }] };
const B1: StudySpec = { uid: newUid(), date: '20230610', accession: 'ACC-B1', description: 'Photo', series: [{ uid: newUid(), modality: 'OT', number: '1', instances: uids(2) }] };
const PATIENTS: readonly PatientSpec[] = [
  { name: 'Müller^Jürgen', id: 'FIND-A', birth: '19700101', sex: 'M', studies: [A1, A2] },
  { name: 'Doe^Jane', id: 'FIND-B', birth: '19851231', sex: 'F', studies: [B1] },
];

function* instances(): Generator<Uint8Array> {
  for (const p of PATIENTS) {
    for (const s of p.studies) {
      for (const se of s.series) {
        for (const [i, sop] of se.instances.entries()) {
          const ds = new Dataset();
          ds.set('SpecificCharacterSet', 'ISO_IR 100');
          ds.set('SOPClassUID', SC);
          ds.set('SOPInstanceUID', sop);
          ds.set('StudyDate', s.date);
          ds.set('StudyTime', '101500');
          ds.set('AccessionNumber', s.accession);
          ds.set('Modality', se.modality);
          ds.set('ReferringPhysicianName', 'Referrer^Rita');
          ds.set('StudyDescription', s.description);
          ds.set('SeriesDescription', `${se.modality} series ${se.number}`);
          ds.set('PatientName', p.name);
          ds.set('PatientID', p.id);
          ds.set('PatientBirthDate', p.birth);
          ds.set('PatientSex', p.sex);
          ds.set('StudyInstanceUID', s.uid);
          ds.set('SeriesInstanceUID', se.uid);
          ds.set('StudyID', s.accession.slice(-2));
          ds.set('SeriesNumber', se.number);
          ds.set('InstanceNumber', String(i + 1));
          yield writeDicom(ds);
        }
      }
    }
  }
}

let orthanc: Orthanc | undefined;
let removeDir: (() => Promise<void>) | undefined;
let peer = '';

beforeAll(async () => {
  ensurePeers(ORTHANC);
  assertPorticoBuilt();
  const tmp = await tempDir('find-scu');
  removeDir = tmp.remove;
  // Orthanc answers C-FIND only for the AE titles it knows (DicomAlwaysAllowFind is false by default).
  orthanc = await startOrthanc(tmp.dir, { modalities: { portico: ['PORTICO', HOST, 1], other: ['OTHERSCU', HOST, 1] } });
  for (const bytes of instances()) await orthanc.rest('/instances', { method: 'POST', body: bytes });
  peer = `ORTHANC@${HOST}:${orthanc.dicomPort}`;
}, 120_000);

afterAll(async () => {
  await orthanc?.stop(5_000);
  await removeDir?.();
});

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');
type Json = Record<string, { vr: string; Value?: unknown[] }>;
const value = (j: Json, tag: string): unknown => j[tag]?.Value?.[0];

async function findJson(...args: string[]): Promise<Json[]> {
  const r = await portico(['find', peer, '--json', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Json[];
}

describe('portico find → Orthanc', () => {
  it('STUDY level (Study Root, the default): every study, names decoded, a summary line', async () => {
    const r = await portico(['find', peer]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^Patient\s+ID\s+Date\s+Time\s+Modalities\s+Accession\s+Description\s+Series\s+Instances\s+Study Instance UID$/);
    expect(out).toHaveLength(5);
    const a1 = out.find((l) => l.includes(A1.uid))!;
    expect(a1).toMatch(/^Müller\^Jürgen\s+FIND-A\s+20240115\s+101500\s+MR\s+ACC-A1\s+Knee MR\s+2\s+5\s+/);
    expect(out.find((l) => l.includes(B1.uid))).toMatch(/^Doe\^Jane\s+FIND-B\s+20230610\s+101500\s+OT\s+ACC-B1\s+Photo\s+1\s+2\s+/);
    expect(out[4]).toMatch(new RegExp(`^3 matches \\(STUDY level, Study Root\\) from ORTHANC@127\\.0\\.0\\.1:${orthanc!.dicomPort} in \\d+\\.\\d\\d s$`));
  });

  it('--json: a DICOM JSON array with every key asked for, PN as objects', async () => {
    const json = await findJson('-k', 'PatientID=FIND-A');
    expect(json).toHaveLength(2);
    const keys = ['00080020', '00080030', '00080050', '00080061', '00080090', '00081030', '00100010', '00100020', '00100030', '00100040', '0020000D', '00200010', '00201206', '00201208'];
    for (const j of json) for (const k of keys) expect(j[k], k).toBeDefined();
    const a1 = json.find((j) => value(j, '0020000D') === A1.uid)!;
    expect(value(a1, '00100010')).toEqual({ Alphabetic: 'Müller^Jürgen' });
    expect(value(a1, '00080090')).toEqual({ Alphabetic: 'Referrer^Rita' });
    expect(value(a1, '00100030')).toBe('19700101');
    expect(value(a1, '00201206')).toBe(2);
    expect(value(a1, '00201208')).toBe(5);
    expect(value(a1, '00080005')).toBe('ISO_IR 100');
  });

  it('wild cards: * and ? in names; * alone matches every study', async () => {
    expect((await findJson('-k', 'PatientName=Mü*')).map((j) => value(j, '00100020'))).toEqual(['FIND-A', 'FIND-A']);
    expect(await findJson('-k', 'PatientName=?oe^Ja?e')).toHaveLength(1);
    expect(await findJson('-k', 'PatientName=*')).toHaveLength(3);
    expect(await findJson('-k', 'AccessionNumber=ACC-A*')).toHaveLength(2);
  });

  it('date ranges: closed, open at the start, open at the end', async () => {
    const uidsOf = (json: Json[]): string[] => json.map((j) => value(j, '0020000D') as string).sort();
    expect(uidsOf(await findJson('-k', 'StudyDate=20240101-20241231'))).toEqual([A1.uid, A2.uid].sort());
    expect(uidsOf(await findJson('-k', 'StudyDate=-20231231'))).toEqual([B1.uid]);
    expect(uidsOf(await findJson('-k', 'StudyDate=20240301-'))).toEqual([A2.uid]);
    expect(uidsOf(await findJson('-k', 'StudyDate=20240115'))).toEqual([A1.uid]);
  });

  it('a list of UIDs', async () => {
    const json = await findJson('-k', `StudyInstanceUID=${A2.uid}\\${B1.uid}`);
    expect(json.map((j) => value(j, '0020000D')).sort()).toEqual([A2.uid, B1.uid].sort());
  });

  it('PATIENT level (Patient Root): one line per patient with the study count', async () => {
    const r = await portico(['find', peer, '--root', 'patient', '--level', 'patient']);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^Patient\s+ID\s+Birth\s+Sex\s+Studies$/);
    expect(out.slice(1, 3).sort()).toEqual([expect.stringMatching(/^Doe\^Jane\s+FIND-B\s+19851231\s+F\s+1$/), expect.stringMatching(/^Müller\^Jürgen\s+FIND-A\s+19700101\s+M\s+2$/)]);
    expect(out[3]).toMatch(/^2 matches \(PATIENT level, Patient Root\)/);
  });

  it('STUDY level of the Patient Root model, with the patient named', async () => {
    const json = await findJson('--root', 'patient', '--level', 'study', '-k', 'PatientID=FIND-A');
    expect(json.map((j) => value(j, '00080050')).sort()).toEqual(['ACC-A1', 'ACC-A2']);
  });

  it('SERIES level within a study: modality, number, instance counts; no warning', async () => {
    const r = await portico(['find', peer, '--level', 'series', '-k', `StudyInstanceUID=${A1.uid}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^Modality\s+Number\s+Description\s+Instances\s+Series Instance UID$/);
    expect(out.slice(1, 3).sort()).toEqual([
      expect.stringMatching(new RegExp(`^MR\\s+1\\s+MR series 1\\s+3\\s+${A1.series[0]!.uid}$`)),
      expect.stringMatching(new RegExp(`^MR\\s+2\\s+MR series 2\\s+2\\s+${A1.series[1]!.uid}$`)),
    ]);
    expect(out[3]).toMatch(/^2 matches \(SERIES level, Study Root\)/);
  });

  it('IMAGE level within a series: the SOP Instance UIDs, --json', async () => {
    const series = A1.series[0]!;
    const json = await findJson('--level', 'image', '-k', `StudyInstanceUID=${A1.uid}`, '-k', `SeriesInstanceUID=${series.uid}`);
    expect(json.map((j) => value(j, '00080018')).sort()).toEqual([...series.instances].sort());
    expect(json.map((j) => value(j, '00200013')).sort()).toEqual([1, 2, 3]);
    for (const j of json) expect(value(j, '00080016')).toBe(SC);
  });

  it('hostile keys reach Orthanc as plain values: SQL metacharacters find nothing, Orthanc stays healthy', async () => {
    for (const key of ["PatientName=O'Brien; DROP TABLE Resources; --", 'PatientID=%', "AccessionNumber=' OR '1'='1", 'StudyDescription=*\\*']) {
      const r = await portico(['find', peer, '-k', key]);
      expect(r.status, `${key}: ${r.stderr}`).toBe(0);
      expect(r.stdout, key).toMatch(/^0 matches /);
    }
    expect(await findJson()).toHaveLength(3);
  });

  it('hostile keys that are not valid DICOM never leave the command line (exit 2)', async () => {
    for (const key of ['StudyDate=2024-01-01', 'StudyDate=20241231-20240101', 'StudyInstanceUID=1.2.*', `PatientName=${'x'.repeat(100_000)}`]) {
      const r = await portico(['find', peer, '-k', key]);
      expect(r.status, key).toBe(2);
      expect(r.stdout).toBe('');
    }
  });

  it('--limit 1: one match, C-CANCEL sent, and Orthanc goes on answering', async () => {
    const r = await portico(['find', peer, '--limit', '1']);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(3);
    expect(out[2]).toMatch(/^1 match \(STUDY level, Study Root\) .*; stopped at --limit 1 \(C-CANCEL sent\)$/);
    expect(await echoes('ORTHANC', orthanc!.dicomPort)).toBe(true);
    expect(await findJson()).toHaveLength(3);
    expect((await orthanc!.rest('/system')) as { Name: string }).toMatchObject({ Name: 'PorticoInteropTest' });
  });

  it('a failure status from Orthanc (a Query/Retrieve Level it does not know) is a FindFailedError; the association stays usable', async () => {
    const association = await connect(
      { aeTitle: 'ORTHANC', host: HOST, port: orthanc!.dicomPort },
      { aeTitle: 'PORTICO', contexts: [{ abstractSyntax: StudyRootQueryRetrieveInformationModelFind, transferSyntaxes: [ImplicitVRLittleEndian] }], dimseTimeout: 10_000 },
    );
    try {
      const identifier = dataset({ QueryRetrieveLevel: 'FRAME', PatientName: null });
      const error = await cFind(association, { sopClassUid: StudyRootQueryRetrieveInformationModelFind, identifier, statuses: QR_FIND_STATUS, operation: 'C-FIND' })
        .toArray()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FindFailedError);
      expect((error as FindFailedError).status & 0xf000).toBe(0xc000);
      expect((error as Error).message).toMatch(/^C-FIND failed: 0xC000 Unable to process/);
      expect(association.outcome).toBeUndefined();
      identifier.set('QueryRetrieveLevel', 'STUDY');
      expect(await cFind(association, { sopClassUid: StudyRootQueryRetrieveInformationModelFind, identifier, statuses: QR_FIND_STATUS, operation: 'C-FIND' }).toArray()).toHaveLength(3);
    } finally {
      await association.release();
    }
  });

  it('a calling AE title Orthanc does not know: exit 1, one line naming the peer', async () => {
    const r = await portico(['find', peer, '--aet', 'STRANGER']);
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^portico find: ORTHANC@127\\.0\\.0\\.1:${orthanc!.dicomPort}: .*abort`))]);
    expect(r.stdout).toMatch(/^0 matches .*; failed\n$/);
    const known = await portico(['find', peer, '--aet', 'OTHERSCU', '--json']);
    expect(known.status, known.stderr).toBe(0);
  });
});

describe('portico find (the binary) interrupted', () => {
  it('SIGINT: C-CANCEL to the SCP, the matches that arrived are printed, exit 130', async () => {
    let sent = 0;
    const scp = await startFindScp([StudyRootQueryRetrieveInformationModelFind], async function* (context) {
      for (let n = 1; n <= 2_000 && !context.signal.aborted; n++) {
        yield pending(context, dataset({ PatientName: `Slow^${n}`, PatientID: `S${n}`, StudyInstanceUID: `1.2.3.${n}` }));
        sent = n;
        await pause(25, context.signal);
      }
      yield { status: context.signal.aborted ? 0xfe00 : 0 };
    });
    try {
      const child = spawn(process.execPath, [PORTICO_BIN, 'find', `FINDSCP@${HOST}:${scp.peer.port}`], { cwd: REPO_ROOT, env: PEER_ENV });
      let stdout = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await waitUntil('three matches sent', () => (sent >= 3 ? true : undefined), 15_000);
      child.kill('SIGINT');
      const code = await Promise.race([exited, pause(15_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') child.kill('SIGKILL');
      expect(code).toBe(130);
      expect(scp.cancelled).toEqual([0]);
      const out = lines(stdout);
      const count = Number(/^(\d+) match/.exec(out[out.length - 1]!)?.[1]);
      expect(count).toBeGreaterThanOrEqual(3);
      expect(count).toBeLessThan(2_000);
      expect(out).toHaveLength(count + 2);
      expect(out[out.length - 1]).toMatch(/; interrupted \(C-CANCEL sent\)$/);
    } finally {
      await scp.close();
    }
  });
});
