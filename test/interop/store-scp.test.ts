/**
 * Issue 4, Storage SCP against real senders: DCMTK `storescu` (TCP_NODELAY=1) and Orthanc → `portico serve`.
 * storescu's `-x?` options each add one compressed syntax to the uncompressed ones (and none proposes JPEG Lossless
 * Process 14), so every send here uses a `-xf` profile that proposes exactly the files' (SOP class, syntax) pairs.
 * - each file in its own transfer syntax (storescu proposes exactly that one): every syntax DCMTK writes
 *   (`dcmconv`, `dcmcjpeg`, `dcmcrle`, `dcmcjpls`, `img2dcm`) and pydicom's test files. What storescu put on the wire
 *   is witnessed by DCMTK `storescp +B` (bit-preserving) receiving the same send: Portico's stored dataset must be
 *   those bytes, and the source file's dataset bytes when DCMTK sent them unchanged (else the same elements);
 * - the meta of each stored file has the received transfer syntax and Source AE Title = storescu's calling AE;
 * - the index and `portico ls --json` list it; nothing in store/ without a row and no row without a file;
 * - one association with many files, and 4 storescu in parallel into the same study;
 * - invalid instances (no Study UID, letters in a UID) among valid ones: storescu sees A900, bytes kept in error/;
 * - Orthanc pushing a study to Portico (a modality in its configuration) through its REST API.
 */
import { mkdir, readdir, readFile as readFileBytes, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../src/archive/index/types.js';
import { readDicom } from '../../src/encoding/read.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { ctDataset, datasetDifferences, firstDifference, newUid, TRAILING_PADDING } from './net-instances.js';
import { assertPorticoBuilt, HOST, portico, startOrthanc, startStorescp, type Storescp } from './net-peers.js';
import { ensurePeers, ORTHANC, runOk, tempDir } from './peers.js';
import {
  archiveState,
  type ArchiveState,
  expectedStorePath,
  inconsistencies,
  META_SOP_CLASS,
  META_SOP_INSTANCE,
  readStored,
} from './store-scp-archive.js';
import { CORPUS_TOOLS, makeSyntaxCorpus, proposeExactly, pydicomSendable, type SourceFile, sourceFile, storescpConfig, storescu } from './store-scp-corpus.js';
import { type Serve, startServe } from './store-scp-serve.js';

let work = '';
let removeWork: (() => Promise<void>) | undefined;
/** Every peer process started here, stopped (by PID) in afterAll whatever happened. */
const daemons: { stop(graceMs?: number): Promise<unknown> }[] = [];
let corpus: SourceFile[] = [];
let pydicom: { readonly files: SourceFile[]; readonly skipped: Record<string, string> } = { files: [], skipped: {} };

beforeAll(async () => {
  ensurePeers('storescu', 'storescp', ...CORPUS_TOOLS);
  assertPorticoBuilt();
  const tmp = await tempDir('store-scp');
  work = tmp.dir;
  removeWork = tmp.remove;
  await mkdir(join(work, 'corpus'));
  await mkdir(join(work, 'cfg'));
  corpus = await makeSyntaxCorpus(join(work, 'corpus'));
  pydicom = await pydicomSendable();
});

afterAll(async () => {
  for (const d of daemons.reverse()) await d.stop(3_000).catch(() => undefined);
  await removeWork?.();
});

async function serve(name: string, args: readonly string[] = []): Promise<Serve> {
  const dir = join(work, name);
  await mkdir(dir);
  const s = await startServe(dir, { args });
  daemons.push(s);
  return s;
}

const DEFLATED = '1.2.840.10008.1.2.1.99';
const sourceDataset = (f: SourceFile): Uint8Array => f.bytes.subarray(f.file.datasetOffset);
const storedPath = (s: Serve, f: Pick<SourceFile, 'studyInstanceUid' | 'seriesInstanceUid' | 'sopInstanceUid'>): string =>
  join(s.dir, expectedStorePath(f.studyInstanceUid, f.seriesInstanceUid, f.sopInstanceUid));

/** What is wrong with the stored copy of `f` (meta, location, dataset bytes); empty when right. */
async function storedProblems(s: Serve, f: SourceFile, callingAe: string, wire?: Uint8Array): Promise<string[]> {
  const problems: string[] = [];
  let stored;
  try {
    stored = await readStored(storedPath(s, f));
  } catch (error) {
    return [`${f.label}: not readable at ${expectedStorePath(f.studyInstanceUid, f.seriesInstanceUid, f.sopInstanceUid)}: ${(error as Error).message}`];
  }
  if (stored.transferSyntax !== f.transferSyntax) problems.push(`${f.label}: meta transfer syntax ${stored.transferSyntax}, sent in ${f.transferSyntax}`);
  if (stored.sourceAeTitle !== callingAe) problems.push(`${f.label}: meta Source AE Title ${stored.sourceAeTitle}, sent by ${callingAe}`);
  if (stored.file.meta.string(META_SOP_CLASS) !== f.sopClassUid) problems.push(`${f.label}: meta SOP class ${stored.file.meta.string(META_SOP_CLASS)}`);
  if (stored.file.meta.string(META_SOP_INSTANCE) !== f.sopInstanceUid) problems.push(`${f.label}: meta SOP instance ${stored.file.meta.string(META_SOP_INSTANCE)}`);
  if (wire) {
    const d = firstDifference(stored.datasetBytes, wire);
    if (d) problems.push(`${f.label}: stored dataset ≠ the bytes storescu sent (storescp +B): ${d}`);
  }
  const identical = firstDifference(stored.datasetBytes, sourceDataset(f)) === undefined;
  if (!identical) {
    // DCMTK sends its own and Portico's files unchanged, except a deflated dataset of odd length, which it pads.
    if (f.origin !== 'pydicom' && f.transferSyntax !== DEFLATED) problems.push(`${f.label}: stored dataset ≠ the source file's dataset: ${firstDifference(stored.datasetBytes, sourceDataset(f))}`);
    else {
      const differences = datasetDifferences(stored.file.dataset, f.file.dataset, { ignore: [TRAILING_PADDING] });
      if (differences.length > 0) problems.push(`${f.label}: stored elements ≠ the source file's: ${differences.slice(0, 3).join('; ')}`);
    }
  }
  return problems;
}

/** The index rows that do not say what was sent (path, syntax, calling AE, classes, study, series). */
function rowProblems(state: ArchiveState, expected: readonly { file: SourceFile; callingAe: string }[]): string[] {
  const rows = new Map<string, InstanceRecord>(state.instances.map((r) => [r.sopInstanceUid, r]));
  const problems: string[] = [];
  for (const { file: f, callingAe } of expected) {
    const row = rows.get(f.sopInstanceUid);
    if (!row) {
      problems.push(`${f.label}: not indexed`);
      continue;
    }
    const want = {
      path: expectedStorePath(f.studyInstanceUid, f.seriesInstanceUid, f.sopInstanceUid),
      transferSyntaxUid: f.transferSyntax,
      callingAeTitle: callingAe,
      sopClassUid: f.sopClassUid,
      studyInstanceUid: f.studyInstanceUid,
      seriesInstanceUid: f.seriesInstanceUid,
    };
    for (const [k, v] of Object.entries(want)) {
      const got = (row as unknown as Record<string, unknown>)[k];
      if (got !== v) problems.push(`${f.label}: index ${k} = ${String(got)}, expected ${v}`);
    }
  }
  return problems;
}

interface LsJson {
  readonly counts: { readonly instances: number; readonly studies: number };
  readonly studies: readonly { readonly studyInstanceUid: string; readonly instances: number; readonly series: number }[];
}

async function lsJson(dir: string): Promise<LsJson> {
  const r = await portico(['ls', '--dir', dir, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as LsJson;
}

/** storescu output lines worth showing when something failed. */
const tail = (output: string): string => output.split('\n').slice(-15).join('\n');

// -- Each file in its own transfer syntax ----------------------------------------------------------------------------

describe('storescu → portico serve: each file in its own transfer syntax (only that syntax proposed)', () => {
  let server: Serve;
  let witness: Storescp;
  let witnessDir = '';
  /** The last file sent for each SOP Instance UID (pydicom's files share some UIDs; the server overwrites). */
  const last = new Map<string, SourceFile>();
  const CALLING = 'INTEROP_SCU';

  beforeAll(async () => {
    server = await serve('each', ['--duplicates', 'overwrite']);
    witnessDir = join(work, 'witness');
    await mkdir(witnessDir);
    const config = join(work, 'cfg', 'witness.cfg');
    await writeFile(config, storescpConfig([...corpus, ...pydicom.files]));
    witness = await startStorescp(witnessDir, ['+B', '-xf', config, 'P']);
    daemons.push(witness);
  });

  /** Sends each file to the witness and to Portico, one storescu each, and checks the stored copy. */
  async function sendEach(files: readonly SourceFile[]): Promise<{ problems: string[]; identical: string[] }> {
    const problems: string[] = [];
    const identical: string[] = [];
    for (const f of files) {
      const propose = await proposeExactly(join(work, 'cfg', `${f.label.replace(/\W/g, '_')}.cfg`), [f]);
      // The witness: what storescu sends for this file, bit for bit.
      const w = await storescu(witness.port, [f.path], { aet: 'WITNESS', args: propose });
      const written = await readdir(witnessDir);
      if (w.succeeded.length !== 1 || written.length !== 1) {
        problems.push(`${f.label}: the witness storescp did not receive it (exit ${w.status}, files ${written.join(',')}):\n${tail(w.output)}`);
        for (const n of written) await rm(join(witnessDir, n), { force: true });
        continue;
      }
      const wire = (await readStored(join(witnessDir, written[0]!))).datasetBytes;
      await rm(join(witnessDir, written[0]!));
      // Portico.
      const r = await storescu(server.port, [f.path], { aet: CALLING, args: propose });
      if (r.status !== 0 || r.succeeded.length !== 1 || r.associations !== 1) {
        problems.push(`${f.label}: storescu → Portico exit ${r.status}, responses ${JSON.stringify(r.responses)}:\n${tail(r.output)}`);
        continue;
      }
      if (/Converting transfer syntax: (.+) -> (.+)$/m.test(r.output)) {
        const m = /Converting transfer syntax: (.+) -> (.+)$/m.exec(r.output)!;
        if (m[1] !== m[2]) problems.push(`${f.label}: storescu converted ${m[1]} → ${m[2]}`);
      }
      problems.push(...(await storedProblems(server, f, CALLING, wire)));
      if (firstDifference(wire, sourceDataset(f)) === undefined) identical.push(f.label);
      last.set(f.sopInstanceUid, f);
    }
    return { problems, identical };
  }

  it('every transfer syntax DCMTK writes: stored as sent, byte for byte, meta with the syntax and the calling AE', async () => {
    const syntaxes = new Set(corpus.map((f) => f.transferSyntax));
    // Implicit, explicit LE/BE, deflate, JPEG baseline/extended/lossless (2), JPEG-LS (2), RLE.
    expect(syntaxes.size).toBe(11);
    const { problems, identical } = await sendEach(corpus);
    expect(problems).toEqual([]);
    // DCMTK sends the files it (or Portico) wrote unchanged, except a deflated one of odd length (padded on the wire).
    const deflated = new Set(corpus.filter((f) => f.transferSyntax === DEFLATED).map((f) => f.label));
    expect(identical.filter((l) => !deflated.has(l)).sort()).toEqual(corpus.filter((f) => !deflated.has(f.label)).map((f) => f.label).sort());
  });

  it("pydicom's test files (JPEG 2000 too): stored as storescu sent them, the source's elements", async () => {
    expect(pydicom.files.length).toBeGreaterThanOrEqual(50);
    expect(new Set(pydicom.files.map((f) => f.transferSyntax)).size).toBeGreaterThanOrEqual(11);
    // Left out: DCMTK cannot read two of them; eight have no SOP Class / Instance UID in their dataset.
    expect(Object.keys(pydicom.skipped).length).toBeLessThanOrEqual(12);
    const { problems, identical } = await sendEach(pydicom.files);
    expect(problems).toEqual([]);
    // Most are sent unchanged; DCMTK re-encodes the rest (e.g. pads odd-length values), same elements.
    expect(identical.length).toBeGreaterThanOrEqual(pydicom.files.length / 2);
  });

  it('portico ls --json (server running) and the index (server stopped) list every instance; store/ and index agree', async () => {
    const ls = await lsJson(server.dir);
    expect(ls.counts.instances).toBe(last.size);
    const studies = new Set([...last.values()].map((f) => f.studyInstanceUid));
    expect(new Set(ls.studies.map((s) => s.studyInstanceUid))).toEqual(studies);
    expect(ls.studies.reduce((n, s) => n + s.instances, 0)).toBe(last.size);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    const state = await archiveState(server.dir);
    expect(state.counts.instances).toBe(last.size);
    expect(rowProblems(state, [...last.values()].map((file) => ({ file, callingAe: CALLING })))).toEqual([]);
    expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
    expect(state.tmpFiles).toEqual([]);
    expect(state.errorFiles).toEqual([]);
  });
});

// -- One association, many files -----------------------------------------------------------------------------------

describe('storescu → portico serve: one association with many files in many syntaxes', () => {
  it('every file stored byte for byte, one association, indexed', async () => {
    const server = await serve('one-association');
    const propose = await proposeExactly(join(work, 'cfg', 'all.cfg'), corpus);
    const r = await storescu(server.port, corpus.map((f) => f.path), { aet: 'ONE_ASSOC', args: propose });
    expect(r.status, tail(r.output)).toBe(0);
    expect(r.associations).toBe(1);
    expect([...r.succeeded].sort()).toEqual(corpus.map((f) => f.path).sort());
    const problems: string[] = [];
    for (const f of corpus) problems.push(...(await storedProblems(server, f, 'ONE_ASSOC')));
    expect(problems).toEqual([]);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    const state = await archiveState(server.dir);
    expect(state.counts.instances).toBe(corpus.length);
    expect(state.counts.studies).toBe(new Set(corpus.map((f) => f.studyInstanceUid)).size);
    expect(rowProblems(state, corpus.map((file) => ({ file, callingAe: 'ONE_ASSOC' })))).toEqual([]);
    expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
    expect(state.tmpFiles).toEqual([]);
  });
});

// -- Invalid instances from a real sender --------------------------------------------------------------------------

describe('storescu → portico serve: invalid instances in the middle of an association', () => {
  it('no Study Instance UID / a Series UID with letters → A900 for those (kept in error/), the others stored', async () => {
    const dir = join(work, 'invalid-files');
    await mkdir(dir);
    const make = async (name: string, edit: (ds: ReturnType<typeof ctDataset>) => void): Promise<string> => {
      const ds = ctDataset(700 + name.length, 64, 64);
      edit(ds);
      const path = join(dir, `${name}.dcm`);
      await writeFile(path, writeDicom(ds, { transferSyntax: ExplicitVRLittleEndian }));
      return path;
    };
    const valid1 = await make('valid-1', () => undefined);
    const noStudy = await make('no-study', (ds) => ds.delete('StudyInstanceUID'));
    const letters = await make('letters-in-series', (ds) => ds.set('SeriesInstanceUID', '1.2.840.ABC.1'));
    const valid2 = await make('valid-2', () => undefined);
    const paths = [valid1, noStudy, letters, valid2];
    const server = await serve('invalid');
    const propose = await proposeExactly(join(work, 'cfg', 'invalid.cfg'), [{ sopClassUid: corpus[0]!.sopClassUid, transferSyntax: ExplicitVRLittleEndian }]);
    const r = await storescu(server.port, paths, { aet: 'INVALID_SCU', args: [...propose, '-nh'] });
    expect(r.associations).toBe(1);
    expect(r.responses, tail(r.output)).toEqual([
      { path: valid1, status: 'Success' },
      { path: noStudy, status: 'Error: DataSetDoesNotMatchSOPClass' },
      { path: letters, status: 'Error: DataSetDoesNotMatchSOPClass' },
      { path: valid2, status: 'Success' },
    ]);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    const state = await archiveState(server.dir);
    expect(state.counts.instances).toBe(2);
    expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
    expect(state.errorFiles).toHaveLength(2);
    // The error/ copies are the datasets storescu sent (the source files' datasets), after a meta of Portico's.
    const kept = await Promise.all(state.errorFiles.map((p) => readStored(join(server.dir, p))));
    for (const source of [noStudy, letters]) {
      const bytes = new Uint8Array(await readFileBytes(source));
      const dataset = bytes.subarray(readDicom(bytes).datasetOffset);
      expect(kept.filter((k) => firstDifference(k.datasetBytes, dataset) === undefined), source).toHaveLength(1);
    }
    expect(kept.map((k) => k.sourceAeTitle)).toEqual(['INVALID_SCU', 'INVALID_SCU']);
  });
});

// -- 4 storescu in parallel ----------------------------------------------------------------------------------------

describe('4 storescu in parallel → portico serve, into the same patient and study', () => {
  it('all stored; one patient, one study, four series; counts and rows right', async () => {
    const PER_SENDER = 20;
    const study = newUid();
    const senders: { aet: string; files: SourceFile[] }[] = [];
    const dir = join(work, 'parallel-files');
    await mkdir(dir);
    for (let k = 0; k < 4; k++) {
      const series = newUid();
      const files: SourceFile[] = [];
      for (let i = 0; i < PER_SENDER; i++) {
        const ds = ctDataset(k * 100 + i + 1, 128, 128);
        ds.set('StudyInstanceUID', study);
        ds.set('SeriesInstanceUID', series);
        ds.set('SeriesNumber', String(k + 1));
        const path = join(dir, `s${k}-${i}.dcm`);
        await writeFile(path, writeDicom(ds, { transferSyntax: k % 2 === 0 ? ExplicitVRLittleEndian : ImplicitVRLittleEndian }));
        files.push(await sourceFile(`sender${k + 1}/${i}`, path, 'portico'));
      }
      senders.push({ aet: `PARALLEL_${k + 1}`, files });
    }
    const server = await serve('parallel');
    const runs = await Promise.all(
      senders.map(async (s) => storescu(server.port, s.files.map((f) => f.path), { aet: s.aet, args: await proposeExactly(join(work, 'cfg', `${s.aet}.cfg`), s.files) })),
    );
    for (const r of runs) {
      expect(r.status, tail(r.output)).toBe(0);
      expect(r.associations).toBe(1);
      expect(r.succeeded).toHaveLength(PER_SENDER);
    }
    const problems: string[] = [];
    for (const s of senders) for (const f of s.files) problems.push(...(await storedProblems(server, f, s.aet)));
    expect(problems).toEqual([]);
    const ls = await lsJson(server.dir);
    expect(ls.counts.instances).toBe(4 * PER_SENDER);
    expect(ls.studies).toEqual([expect.objectContaining({ studyInstanceUid: study, series: 4, instances: 4 * PER_SENDER })]);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    const state = await archiveState(server.dir);
    expect(state.counts).toMatchObject({ patients: 1, studies: 1, series: 4, instances: 4 * PER_SENDER });
    expect(state.counts.size).toBe(state.instances.reduce((n, r) => n + r.size, 0));
    expect(rowProblems(state, senders.flatMap((s) => s.files.map((file) => ({ file, callingAe: s.aet }))))).toEqual([]);
    expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
    expect(state.tmpFiles).toEqual([]);
  });
});

// -- Orthanc as the sender -----------------------------------------------------------------------------------------

describe('Orthanc → portico serve (Portico a modality of Orthanc, pushed through its REST API)', () => {
  it('a study of 4 instances (explicit, implicit, JPEG-LS, RLE) arrives whole, byte for byte', async () => {
    ensurePeers(ORTHANC, 'dcmcjpls', 'dcmcrle');
    const server = await serve('from-orthanc');
    const orthancDir = join(work, 'orthanc');
    await mkdir(orthancDir);
    const orthanc = await startOrthanc(orthancDir, { modalities: { portico: ['PORTICO', HOST, server.port] } });
    daemons.push(orthanc);
    // One study, one series, four instances in four syntaxes.
    const study = newUid();
    const series = newUid();
    const dir = join(work, 'orthanc-files');
    await mkdir(dir);
    const files: SourceFile[] = [];
    const plan: [string, string, string | undefined][] = [
      ['explicit', ExplicitVRLittleEndian, undefined],
      ['implicit', ImplicitVRLittleEndian, undefined],
      ['jpeg-ls', ExplicitVRLittleEndian, 'dcmcjpls'],
      ['rle', ExplicitVRLittleEndian, 'dcmcrle'],
    ];
    for (const [i, [name, ts, tool]] of plan.entries()) {
      const ds = ctDataset(500 + i, 192, 192);
      ds.set('StudyInstanceUID', study);
      ds.set('SeriesInstanceUID', series);
      const path = join(dir, `${name}.dcm`);
      await writeFile(tool ? `${path}.src` : path, writeDicom(ds, { transferSyntax: ts }));
      if (tool) await runOk(tool, [`${path}.src`, path]);
      files.push(await sourceFile(`orthanc/${name}`, path, 'dcmtk'));
    }
    let studyId = '';
    for (const f of files) {
      const uploaded = (await orthanc.rest('/instances', { method: 'POST', body: f.bytes })) as { ID: string; ParentStudy: string; Status: string };
      expect(uploaded.Status).toBe('Success');
      studyId = uploaded.ParentStudy;
    }
    await orthanc.rest('/modalities/portico/store', { method: 'POST', body: JSON.stringify({ Resources: [studyId], Synchronous: true }) });
    const problems: string[] = [];
    for (const f of files) problems.push(...(await storedProblems(server, f, orthanc.aeTitle)));
    expect(problems).toEqual([]);
    await orthanc.stop(5_000);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    const state = await archiveState(server.dir);
    expect(state.counts).toMatchObject({ studies: 1, series: 1, instances: 4 });
    expect(rowProblems(state, files.map((file) => ({ file, callingAe: orthanc.aeTitle })))).toEqual([]);
    expect(inconsistencies(state)).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
  });
});

