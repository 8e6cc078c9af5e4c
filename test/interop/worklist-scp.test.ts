/**
 * The Modality Worklist SCP against a real SCU: DCMTK `findscu -W` (TCP_NODELAY=1) querying Portico's in-process
 * `worklistScp` over the worklist store of a data folder. Entries come from `bin/portico mwl import` (CSV, before
 * the SCP opens the database), `bin/portico mwl add` (while the SCP has it open), and the store's own `add`.
 * - the queries the seeds' SCUs send: today's date, a date range, modality + Scheduled Station AE Title (DICOM
 *   Camera), a patient name wild card, an accession number; each response read back with `dcmdump +U8` holds
 *   exactly the requested keys, the SPS sequence with exactly its requested sub-keys;
 * - character sets: ISO_IR 100 and ISO 2022 IR 87 queries, answered in them when the values fit, else in ISO_IR 192;
 * - A700 when more than maxMatches entries match, A900 for a malformed date, FE00 after `findscu --cancel`.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteIndex } from '../../src/archive/index/database.js';
import type { SqliteArchiveIndex } from '../../src/archive/index/sqlite-index.js';
import { datasetFromKeywords } from '../../src/archive/worklist/keywords.js';
import { SqliteWorklistStore } from '../../src/archive/worklist/sqlite-store.js';
import { dateToDA } from '../../src/data/date-time.js';
import { type DicomServer, listen } from '../../src/net/ae.js';
import { worklistScp } from '../../src/services/worklist/scp.js';
import { assertPorticoBuilt, freePort, HOST, portico, retryOnPortTaken } from './net-peers.js';
import { ensurePeers, PYTHON, run, runOk } from './peers.js';

const SPS = 'ScheduledProcedureStepSequence';
const AET = 'PORTICO_MWL';
const day = (offset: number): string => dateToDA(new Date(Date.now() + offset * 86_400_000));
const TODAY = day(0);
const TOMORROW = day(1);

/** One element of a dcmdump listing: its nesting depth (0 = top level), tag, VR and value text. */
interface DumpLine {
  readonly depth: number;
  readonly tag: string;
  readonly vr: string;
  readonly value: string | undefined;
}

/** A response as dcmdump sees it: the top-level elements and those of the items below them. */
interface Response {
  readonly lines: readonly DumpLine[];
  /** Value of a top-level element (`0010,0010`), or of an element in the SPS item (`0040,0100/0008,0060`). */
  value(path: string): string | undefined;
  /** Tags at depth 0, and the tags inside the SPS item. */
  readonly topTags: readonly string[];
  readonly spsTags: readonly string[];
  /** The file findscu wrote (-X). */
  readonly file?: string;
}

const LINE = /^( *)\(([0-9a-f]{4},[0-9a-f]{4})\) (\w\w) (?:\[(.*)\]|\(no value available\)|.*?) +#/;

function parseDump(text: string): Response {
  const lines: DumpLine[] = [];
  let inData = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('# Dicom-Data-Set')) inData = true;
    const m = inData ? LINE.exec(line) : null;
    if (!m || m[2]!.startsWith('fffe')) continue;
    lines.push({ depth: m[1]!.length / 2, tag: m[2]!, vr: m[3]!, value: m[4] });
  }
  const spsStart = lines.findIndex((l) => l.depth === 0 && l.tag === '0040,0100');
  const sps: DumpLine[] = [];
  // The elements of the SPS sequence's first item: depth 2, up to the next top-level element.
  for (let i = spsStart + 1; spsStart >= 0 && i < lines.length && lines[i]!.depth > 0; i++) if (lines[i]!.depth === 2) sps.push(lines[i]!);
  return {
    lines,
    topTags: lines.filter((l) => l.depth === 0).map((l) => l.tag),
    spsTags: sps.map((l) => l.tag),
    value: (path) => {
      const [first, second] = path.split('/');
      if (second === undefined) return lines.find((l) => l.depth === 0 && l.tag === first)?.value;
      return first === '0040,0100' ? sps.find((l) => l.tag === second)?.value : undefined;
    },
  };
}

interface FindResult {
  readonly status: number | null;
  /** findscu's log (-v): the final status line is in it. */
  readonly log: string;
  readonly responses: readonly Response[];
}

let work = '';
let index: SqliteArchiveIndex | undefined;
const servers: DicomServer[] = [];
let port = 0;
let smallPort = 0;

/** findscu -W with these -k keys against the SCP on `toPort`; responses written with -X and read with dcmdump +U8. */
async function findscu(keys: readonly string[], options: { readonly toPort?: number; readonly extra?: readonly string[] } = {}): Promise<FindResult> {
  const out = await mkdtemp(join(work, 'find-'));
  const args = ['-v', '-W', '-aet', 'FINDSCU', '-aec', AET, HOST, String(options.toPort ?? port), ...keys.flatMap((k) => ['-k', k]), '-X', '-od', out, ...(options.extra ?? [])];
  const r = await run('findscu', args, { timeoutMs: 60_000 });
  const files = (await readdir(out)).filter((f) => /^rsp\d+\.dcm$/.test(f)).sort();
  const responses: Response[] = [];
  for (const f of files) {
    // dcmdump +U8 shows every value in UTF-8, but as if Specific Character Set were ISO_IR 192: the element list and
    // the character set the SCP chose come from the plain dump, the values from the converted one. (Debian's DCMTK
    // converts with glibc iconv, which has no ISO 2022 IR 87: then pydicom reads the file, see pydicomName.)
    const file = join(out, f);
    const plain = parseDump((await runOk('dcmdump', [file])).stdout);
    const converted = await run('dcmdump', ['+U8', file]);
    const utf8 = converted.status === 0 ? parseDump(converted.stdout) : plain;
    responses.push({ ...plain, file, value: (path) => (path === '0008,0005' ? plain.value(path) : utf8.value(path)) });
  }
  return { status: r.status, log: `${r.stdout}${r.stderr}`, responses };
}

/** Patient's Name as pydicom decodes it from a response file. */
async function pydicomName(file: string): Promise<string> {
  const script = 'import sys, pydicom; sys.stdout.write(str(pydicom.dcmread(sys.argv[1]).PatientName))';
  return (await runOk(PYTHON, ['-c', script, file])).stdout;
}

const finalStatus = (log: string): string | undefined => /Received Final Find Response \(([^)]*)\)/.exec(log)?.[1];

beforeAll(async () => {
  ensurePeers('findscu', 'dcmdump', PYTHON);
  assertPorticoBuilt();
  work = await mkdtemp(join(tmpdir(), 'portico-mwl-interop-'));
  const data = join(work, 'data');

  // The command line first, on a data folder that does not exist yet: `mwl import` creates it.
  const csv = join(work, 'today.csv');
  await writeFile(
    csv,
    [
      'PatientName,PatientID,PatientBirthDate,PatientSex,AccessionNumber,RequestedProcedureDescription,Modality,ScheduledStationAETitle,ScheduledProcedureStepStartDate,ScheduledProcedureStepStartTime,ScheduledProcedureStepDescription',
      `Doe^Jane,P1,19700101,F,ACC1,CT chest,CT,CT01,${TODAY},0900,Chest without contrast`,
      `Doe^John,P2,19800202,M,ACC2,MR knee,MR,MR01,${TODAY},1000,Knee`,
      `Smith^Anna,P3,19900303,F,ACC3,Wound photo,XC,CAM1,${TODAY},1100,Wound left leg`,
      `Roe^Rick,P4,,,ACC4,CT head,CT,CT01,${TOMORROW},0800,Head`,
    ].join('\n'),
  );
  const imported = await portico(['mwl', 'import', csv, '--dir', data]);
  expect(imported.stderr).toBe('');
  expect(imported.stdout).toBe(`${csv}: imported 4 entries (ids 1-4)\n`);

  index = await openSqliteIndex(join(data, 'index.sqlite'));
  const store = SqliteWorklistStore.of(index);
  await store.add([
    datasetFromKeywords({ PatientName: 'Müller^Jürgen', PatientID: 'P5', AccessionNumber: 'ACC5', Modality: 'XC', ScheduledStationAETitle: 'CAM2', ScheduledProcedureStepStartDate: TOMORROW }),
    datasetFromKeywords({ PatientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう', PatientID: 'P6', AccessionNumber: 'ACC6', Modality: 'XC', ScheduledStationAETitle: 'CAM2', ScheduledProcedureStepStartDate: TOMORROW }),
    ...Array.from({ length: 120 }, (_, i) =>
      datasetFromKeywords({ PatientName: `Bulk^Patient${i}`, PatientID: `B${i}`, AccessionNumber: `BULK${i}`, Modality: 'OT', ScheduledProcedureStepStartDate: day(7) }),
    ),
  ]);
  for (const maxMatches of [1000, 3]) {
    const server = await retryOnPortTaken(async () => listen({ aeTitle: AET, port: await freePort(), host: HOST, services: [worklistScp({ store, maxMatches })] }));
    servers.push(server);
  }
  port = servers[0]!.port;
  smallPort = servers[1]!.port;
});

afterAll(async () => {
  for (const s of servers) await s.close(2000);
  await index?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('findscu -W against the worklist SCP', () => {
  it("finds today's entries by date, each with exactly the requested keys and SPS sub-keys", async () => {
    const r = await findscu([
      'PatientName',
      'PatientID',
      'PatientBirthDate',
      'AccessionNumber',
      'StudyInstanceUID',
      'RequestedProcedureDescription',
      `${SPS}[0].ScheduledProcedureStepStartDate=${TODAY}`,
      `${SPS}[0].ScheduledProcedureStepStartTime`,
      `${SPS}[0].Modality`,
      `${SPS}[0].ScheduledStationAETitle`,
      `${SPS}[0].ScheduledProcedureStepDescription`,
    ]);
    expect(r.status).toBe(0);
    expect(finalStatus(r.log)).toBe('Success');
    expect(r.responses.map((x) => x.value('0008,0050'))).toEqual(['ACC1', 'ACC2', 'ACC3']);
    for (const x of r.responses) {
      expect(x.topTags).toEqual(['0008,0050', '0010,0010', '0010,0020', '0010,0030', '0020,000d', '0032,1060', '0040,0100']);
      expect(x.spsTags).toEqual(['0008,0060', '0040,0001', '0040,0002', '0040,0003', '0040,0007']);
      expect(x.value('0040,0100/0040,0002')).toBe(TODAY);
      expect(x.value('0020,000d')).toMatch(/^[0-9.]+$/);
    }
    const jane = r.responses[0]!;
    expect(jane.value('0010,0010')).toBe('Doe^Jane');
    expect(jane.value('0010,0030')).toBe('19700101');
    expect(jane.value('0032,1060')).toBe('CT chest');
    expect(jane.value('0040,0100/0040,0003')).toBe('0900');
    expect(jane.value('0040,0100/0040,0007')).toBe('Chest without contrast');
  });

  it('finds by date range, and by modality and Scheduled Station AE Title (the DICOM Camera query)', async () => {
    const range = await findscu(['AccessionNumber', `${SPS}[0].ScheduledProcedureStepStartDate=${TODAY}-${TOMORROW}`]);
    expect(range.responses.map((x) => x.value('0008,0050'))).toEqual(['ACC1', 'ACC2', 'ACC3', 'ACC5', 'ACC6', 'ACC4']);
    const camera = await findscu(['PatientName', 'AccessionNumber', `${SPS}[0].ScheduledProcedureStepStartDate=${TOMORROW}`, `${SPS}[0].Modality=XC`, `${SPS}[0].ScheduledStationAETitle=CAM2`]);
    expect(camera.responses.map((x) => x.value('0008,0050'))).toEqual(['ACC5', 'ACC6']);
    expect(finalStatus(camera.log)).toBe('Success');
  });

  it('finds by patient name wild card and by accession number', async () => {
    const doe = await findscu(['PatientName=Doe*', 'PatientID']);
    expect(doe.responses.map((x) => x.value('0010,0020'))).toEqual(['P1', 'P2']);
    expect(doe.responses.map((x) => x.topTags)).toEqual([
      ['0010,0010', '0010,0020'],
      ['0010,0010', '0010,0020'],
    ]);
    const acc = await findscu(['AccessionNumber=ACC4', 'PatientName', `${SPS}[0].Modality`]);
    expect(acc.responses).toHaveLength(1);
    expect(acc.responses[0]!.value('0010,0010')).toBe('Roe^Rick');
    expect(acc.responses[0]!.spsTags).toEqual(['0008,0060']);
  });

  it('finds an entry that portico mwl add wrote while the SCP had the database open', async () => {
    const added = await portico(['mwl', 'add', '--dir', join(work, 'data'), '--patient-name', 'Live^Added', '--patient-id', 'P7', '--accession', 'LIVE1', '--modality', 'US', '--date', TOMORROW]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(/^Added worklist entry \d+: Live\^Added \[P7\] acc LIVE1/);
    const r = await findscu(['AccessionNumber=LIVE1', 'PatientName', `${SPS}[0].Modality`]);
    expect(r.responses.map((x) => x.value('0010,0010'))).toEqual(['Live^Added']);
  });

  it('answers in the query character set when the values fit it, else in ISO_IR 192', async () => {
    const latin = await findscu(['SpecificCharacterSet=ISO_IR 100', 'PatientID=P5', 'PatientName']);
    expect(latin.responses[0]!.value('0008,0005')).toBe('ISO_IR 100');
    expect(latin.responses[0]!.value('0010,0010')).toBe('Müller^Jürgen');
    const japanese = await findscu(['SpecificCharacterSet=ISO_IR 100', 'PatientID=P6', 'PatientName']);
    expect(japanese.responses[0]!.value('0008,0005')).toBe('ISO_IR 192');
    expect(japanese.responses[0]!.value('0010,0010')).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
    const jis = await findscu(['SpecificCharacterSet=\\ISO 2022 IR 87', 'PatientID=P6', 'PatientName']);
    expect(jis.responses[0]!.value('0008,0005')).toBe('\\ISO 2022 IR 87');
    expect(await pydicomName(jis.responses[0]!.file!)).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
    const ascii = await findscu(['PatientID=P1', 'PatientName']);
    expect(ascii.responses[0]!.topTags).toEqual(['0010,0010', '0010,0020']);
  });

  it('refuses with A700 (no pending response) when more than maxMatches entries match', async () => {
    const r = await findscu(['PatientName', `${SPS}[0].ScheduledProcedureStepStartDate=${TODAY}-${TOMORROW}`], { toPort: smallPort });
    expect(r.responses).toHaveLength(0);
    expect(finalStatus(r.log)).toBe('Refused: OutOfResources');
    const few = await findscu(['PatientName', `${SPS}[0].ScheduledProcedureStepStartDate=${TOMORROW}`, `${SPS}[0].Modality=XC`], { toPort: smallPort });
    expect(few.responses).toHaveLength(2);
  });

  it('refuses a malformed date with A900', async () => {
    const r = await findscu(['PatientName', `${SPS}[0].ScheduledProcedureStepStartDate=2024-05-01`]);
    expect(r.responses).toHaveLength(0);
    expect(finalStatus(r.log)).toBe('Error: DataSetDoesNotMatchSOPClass');
  });

  it('ends with Cancel after findscu --cancel', async () => {
    const r = await findscu(['PatientName=Bulk*', 'PatientID'], { extra: ['--cancel', '1'] });
    expect(r.log).toMatch(/Sending Cancel Request/);
    expect(finalStatus(r.log)).toBe('Cancel: MatchingTerminatedDueToCancelRequest');
    expect(r.responses.length).toBeGreaterThanOrEqual(1);
    expect(r.responses.length).toBeLessThan(120);
    // The SCP answers the next query normally.
    expect((await findscu(['PatientID=P1', 'PatientName'])).responses).toHaveLength(1);
  });
});
