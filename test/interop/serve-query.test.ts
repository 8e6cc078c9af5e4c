/**
 * `portico serve` end to end, as users run it: storescu stores a study; `findscu -S` and `portico find` query it;
 * `movescu` moves it to a DCMTK storescp named with `--remote`; `getscu` gets it; `portico mwl add` (while the
 * server runs) feeds the worklist that `findscu -W` and `portico worklist` query.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/data/dataset.js';
import { readFile } from '../../src/encoding/read.js';
import { ExplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { ctDataset } from './net-instances.js';
import { assertPorticoBuilt, HOST, portico, type PorticoServe, type Storescp, startPorticoServe, startStorescp } from './net-peers.js';
import { ensurePeers, runOk, tempDir } from './peers.js';

let root: string;
let removeRoot: (() => Promise<void>) | undefined;
let serve: PorticoServe;
let storescp: Storescp;
const study = new Dataset();
const files: string[] = [];

beforeAll(async () => {
  ensurePeers('storescu', 'findscu', 'movescu', 'getscu', 'storescp');
  assertPorticoBuilt();
  const temp = await tempDir('portico-serve-query-');
  root = temp.dir;
  removeRoot = temp.remove;
  storescp = await startStorescp(await mkdirp(join(root, 'moved')));
  serve = await startPorticoServe(['--aet', 'PORTICO', '--remote', `STORESCP@${HOST}:${storescp.port}`]);
  const first = ctDataset(1, 64, 64);
  for (let i = 1; i <= 3; i++) {
    const ds = ctDataset(i, 64, 64);
    for (const key of ['StudyInstanceUID', 'SeriesInstanceUID', 'PatientName', 'PatientID', 'StudyDate', 'AccessionNumber']) ds.set(key, first.string(key)!);
    ds.set('PatientName', 'Müller^Jürgen');
    ds.set('SpecificCharacterSet', 'ISO_IR 100');
    ds.set('StudyDate', '20240315');
    ds.set('AccessionNumber', 'ACC-SQ-1');
    const path = join(root, `ct${i}.dcm`);
    await writeFile(path, writeDicom(ds, { transferSyntax: ExplicitVRLittleEndian }));
    files.push(path);
  }
  study.set('StudyInstanceUID', first.string('StudyInstanceUID')!);
  await runOk('storescu', ['-aec', 'PORTICO', HOST, String(serve.port), ...files]);
}, 120_000);

afterAll(async () => {
  await serve?.stop();
  await storescp?.stop();
  await removeRoot?.();
});

async function mkdirp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

describe('portico serve answers Q/R', () => {
  it('prints what it answers and where C-MOVE may send', () => {
    expect(serve.stdout()).toMatch(/Answers Query\/Retrieve FIND, MOVE and GET \(Patient Root, Study Root; hierarchical\) and Modality Worklist FIND; at most 1000 matches/);
    expect(serve.stdout()).toContain(`C-MOVE destinations: STORESCP@${HOST}:${storescp.port}`);
  });

  it('findscu -S finds the study by name wildcard and date range, with its counts', async () => {
    const r = await runOk('findscu', ['-S', '-aec', 'PORTICO', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientName=M*', '-k', 'StudyDate=20240101-20241231', '-k', 'StudyInstanceUID', '-k', 'NumberOfStudyRelatedInstances', '-k', 'AccessionNumber', HOST, String(serve.port)]);
    const out = r.stdout + r.stderr;
    expect(out).toContain(study.string('StudyInstanceUID')!);
    expect(out).toMatch(/NumberOfStudyRelatedInstances/);
    expect(out).toMatch(/\(0020,1208\) IS \[3 ?\]/);
    expect(out).toContain('ACC-SQ-1');
  });

  it('portico find against portico serve, as JSON', async () => {
    const r = await portico(['find', `PORTICO@${HOST}:${serve.port}`, '-k', 'AccessionNumber=ACC-SQ-1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const matches = JSON.parse(r.stdout) as Record<string, { Value?: unknown[] }>[];
    expect(matches).toHaveLength(1);
    expect(matches[0]!['0020000D']!.Value).toEqual([study.string('StudyInstanceUID')]);
    expect(matches[0]!['00100010']!.Value).toEqual([{ Alphabetic: 'Müller^Jürgen' }]);
  });

  it('movescu moves the study to the --remote storescp, byte for byte the same datasets', async () => {
    const r = await runOk('movescu', ['-S', '-aec', 'PORTICO', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study.string('StudyInstanceUID')}`, HOST, String(serve.port)]);
    expect(r.stdout + r.stderr).not.toMatch(/^[EF]: /m);
    const moved = await readdir(storescp.dir);
    expect(moved).toHaveLength(3);
    const sent = new Set(await Promise.all(files.map(async (f) => (await readFile(f)).dataset.string('SOPInstanceUID'))));
    for (const name of moved) expect(sent.has((await readFile(join(storescp.dir, name))).dataset.string('SOPInstanceUID'))).toBe(true);
  });

  it('getscu gets the study on its own association', async () => {
    const out = await mkdirp(join(root, 'got'));
    await runOk('getscu', ['-S', '-aec', 'PORTICO', '-od', out, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study.string('StudyInstanceUID')}`, HOST, String(serve.port)]);
    expect(await readdir(out)).toHaveLength(3);
  });
});

describe('portico serve answers the worklist that portico mwl keeps', () => {
  it('portico mwl add while the server runs, then findscu -W and portico worklist find it', async () => {
    const add = await portico(['mwl', 'add', '--dir', serve.dir, '--patient-name', 'Doe^Jane', '--patient-id', 'P-W1', '--accession', 'ACC-W1', '--modality', 'XC', '--station-aet', 'CAMERA1', '--date', '20261122', '--time', '0930', '--procedure', 'Wound photo']);
    expect(add.status, add.stderr).toBe(0);
    const r = await runOk('findscu', ['-W', '-aec', 'PORTICO', '-k', 'PatientName', '-k', 'AccessionNumber', '-k', 'ScheduledProcedureStepSequence[0].Modality=XC', '-k', 'ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CAMERA1', '-k', 'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261122', HOST, String(serve.port)]);
    expect(r.stdout + r.stderr).toContain('ACC-W1');
    const ours = await portico(['worklist', `PORTICO@${HOST}:${serve.port}`, '--date', '20261122', '--modality', 'XC', '--station-aet', 'CAMERA1', '--json']);
    expect(ours.status, ours.stderr).toBe(0);
    const items = JSON.parse(ours.stdout) as Record<string, { Value?: unknown[] }>[];
    expect(items).toHaveLength(1);
    expect(items[0]!['00080050']!.Value).toEqual(['ACC-W1']);
    const none = await portico(['worklist', `PORTICO@${HOST}:${serve.port}`, '--date', '20261122', '--modality', 'CT', '--json']);
    expect(JSON.parse(none.stdout)).toEqual([]);
  });
});
