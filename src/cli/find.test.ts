import { Command, CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { ModalityWorklistInformationModelFind } from '../services/worklist/uids.js';
import { PatientRootQueryRetrieveInformationModelFind, StudyRootQueryRetrieveInformationModelFind } from '../services/query-retrieve/uids.js';
import { dataset, type FindScp, type FindScript, pause, pending, startFindScp } from '../../test/support/find-scp.js';
import { registerFind } from './find.js';
import type { Io } from './io.js';
import { registerWorklist } from './worklist.js';

/** The two commands on their own program, as main.ts wires them (exit 2 for usage errors). */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const io: Io & { out_: string; err_: string[] } = {
    out_: '',
    err_: [],
    exitCode: 0,
    out(text) {
      io.out_ += text;
    },
    err(line) {
      io.err_.push(line);
    },
  };
  const program = new Command('portico').exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s.trimEnd()) });
  registerFind(program, io);
  registerWorklist(program, io);
  let code: number;
  try {
    await program.parseAsync(['node', 'portico', ...args]);
    code = io.exitCode;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = 2;
  }
  return { code, out: io.out_, err: io.err_ };
}

const scps: FindScp[] = [];
afterEach(async () => {
  await Promise.all(scps.splice(0).map((s) => s.close()));
});

async function scp(script: FindScript): Promise<FindScp> {
  const s = await startFindScp([StudyRootQueryRetrieveInformationModelFind, PatientRootQueryRetrieveInformationModelFind, ModalityWorklistInformationModelFind], script, 'PACS');
  scps.push(s);
  return s;
}

const where = (s: FindScp): string => `PACS@127.0.0.1:${s.peer.port}`;

const studies: FindScript = async function* (context) {
  yield pending(context, dataset({ SpecificCharacterSet: 'ISO_IR 100', PatientName: 'Müller^Jürgen', PatientID: 'ID1', StudyDate: '20240131', StudyInstanceUID: '1.2.3.1', ModalitiesInStudy: ['CT', 'MR'] }));
  yield pending(context, dataset({ PatientName: 'Doe^John', PatientID: 'ID2', StudyDate: '20240201', StudyInstanceUID: '1.2.3.2' }));
  yield { status: 0 };
};

describe('portico find', () => {
  it('prints a table and a summary line; exit 0', async () => {
    const s = await scp(studies);
    const r = await run('find', where(s), '-k', 'PatientName=M*', '--aet', 'ME');
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Patient\s+ID\s+Date\s+Modalities\s+Study Instance UID$/);
    expect(lines[1]).toMatch(/^Müller\^Jürgen\s+ID1\s+20240131\s+CT\\MR\s+1\.2\.3\.1$/);
    expect(lines[2]).toMatch(/^Doe\^John\s+ID2\s+20240201\s+1\.2\.3\.2$/);
    expect(lines[3]).toMatch(new RegExp(`^2 matches \\(STUDY level, Study Root\\) from ${where(s).replace(/\./g, '\\.')} in \\d+\\.\\d\\d s$`));
    expect(s.requests[0]!.identifier.string('PatientName')).toBe('M*');
    expect(s.requests[0]!.identifier.string('QueryRetrieveLevel')).toBe('STUDY');
  });

  it('--json prints only a DICOM JSON array', async () => {
    const s = await scp(studies);
    const r = await run('find', where(s), '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as Record<string, { Value?: unknown[] }>[];
    expect(json).toHaveLength(2);
    expect(json[0]!['00100010']!.Value).toEqual([{ Alphabetic: 'Müller^Jürgen' }]);
    expect(json[0]!['00080061']!.Value).toEqual(['CT', 'MR']);
  });

  it('zero matches: exit 0 and "0 matches"', async () => {
    const s = await scp(async () => ({ status: 0 }));
    const r = await run('find', where(s), '--root', 'patient', '--level', 'patient');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^0 matches \(PATIENT level, Patient Root\)/);
    expect(s.requests[0]!.sopClassUid).toBe(PatientRootQueryRetrieveInformationModelFind);
  });

  it('a failure status: one line naming the peer, the status and the comment; exit 1', async () => {
    const s = await scp(async () => ({ status: 0xa900, fields: { errorComment: 'bad level' } }));
    const r = await run('find', where(s), '--level', 'series', '-k', 'StudyInstanceUID=1.2.3');
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`portico find: ${where(s)}: C-FIND failed: 0xA900 Identifier does not match SOP Class (comment: bad level)`]);
    expect(r.out).toMatch(/^0 matches \(SERIES level, Study Root\) .*; failed\n$/);
  });

  it('--limit 1 stops after one match with C-CANCEL', async () => {
    const s = await scp(async function* (context) {
      for (let n = 0; n < 100 && !context.signal.aborted; n++) {
        yield pending(context, dataset({ PatientName: `P^${n}`, PatientID: String(n) }));
        await pause(10, context.signal);
      }
      yield { status: context.signal.aborted ? 0xfe00 : 0 };
    });
    const r = await run('find', where(s), '--limit', '1');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\n1 match \(STUDY level, Study Root\) .*; stopped at --limit 1 \(C-CANCEL sent\)\n$/);
    expect(s.cancelled).toEqual([0]);
  });

  it('Ctrl-C (SIGINT) sends C-CANCEL, prints what arrived and exits 130', async () => {
    const s = await scp(async function* (context) {
      for (let n = 0; n < 500 && !context.signal.aborted; n++) {
        yield pending(context, dataset({ PatientName: `P^${n}`, PatientID: String(n) }));
        if (n === 2) setTimeout(() => process.emit('SIGINT'), 20);
        await pause(10, context.signal);
      }
      yield { status: context.signal.aborted ? 0xfe00 : 0 };
    });
    const r = await run('find', where(s));
    expect(r.code).toBe(130);
    expect(r.out).toMatch(/; interrupted \(C-CANCEL sent\)\n$/);
    expect(Number(/\n(\d+) match/.exec(r.out)?.[1])).toBeGreaterThanOrEqual(3);
    expect(s.cancelled).toEqual([0]);
  });

  it('a SERIES query without its study gets a warning (baseline hierarchical search)', async () => {
    const s = await scp(async () => ({ status: 0 }));
    const r = await run('find', where(s), '--level', 'series');
    expect(r.code).toBe(0);
    expect(r.err).toEqual([expect.stringMatching(/^portico find: warning: a SERIES query should name its study with one StudyInstanceUID value/)]);
  });

  it('a -k key not among the columns gets its own column', async () => {
    const s = await scp(async function* (context) {
      yield pending(context, dataset({ PatientName: 'A^B', PatientID: '1', ReferringPhysicianName: 'Dr^Who' }));
      yield { status: 0 };
    });
    const r = await run('find', where(s), '-k', 'ReferringPhysicianName');
    expect(r.out.split('\n')[0]).toMatch(/ReferringPhysicianName$/);
    expect(r.out.split('\n')[1]).toMatch(/Dr\^Who$/);
  });

  it('a connection refused: exit 1, one line', async () => {
    const s = await scp(async () => ({ status: 0 }));
    const port = s.peer.port;
    await s.close();
    scps.length = 0;
    const r = await run('find', `PACS@127.0.0.1:${port}`, '--timeout', '2');
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(new RegExp(`^portico find: PACS@127\\.0\\.0\\.1:${port}: .*refused`));
  });

  it.each([
    [['find', 'PACS@127.0.0.1:104', '--root', 'study', '--level', 'patient'], /Study Root model has no PATIENT level/],
    [['find', 'PACS@127.0.0.1:104', '--level', 'frame'], /not a level/],
    [['find', 'PACS@127.0.0.1:104', '--root', 'worklist'], /Allowed choices are study, patient/],
    [['find', 'PACS@127.0.0.1:104', '-k', 'StudyDate=yesterday'], /not a date or date range/],
    [['find', 'PACS@127.0.0.1:104', '-k', 'StudyDate=20240201-20240101'], /ends before it starts/],
    [['find', 'PACS@127.0.0.1:104', '-k', `PatientName=${'x'.repeat(5000)}`], /at most 1024/],
    [['find', 'PACS@127.0.0.1:104', '--limit', '0'], /not a positive whole number/],
    [['find', 'not-a-peer'], /is not a peer/],
    [['worklist', 'RIS@127.0.0.1:104', '--date', '2024-01-01'], /is not a date/],
    [['worklist', 'RIS@127.0.0.1:104', '--modality', 'X'.repeat(17)], /VR CS allows at most 16/],
    [['worklist', 'RIS@127.0.0.1:104', '--station-aet', ''], /needs a value/],
  ])('usage error %#: exit 2', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(message);
  });
});

describe('portico worklist', () => {
  const items: FindScript = async function* (context) {
    const step = dataset({ ScheduledProcedureStepStartDate: '20240131', ScheduledProcedureStepStartTime: '093000', Modality: 'XL', ScheduledStationAETitle: 'CAMERA1' });
    yield pending(context, dataset({ SpecificCharacterSet: ['', 'ISO 2022 IR 87'], PatientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう', PatientID: 'J1', ScheduledProcedureStepSequence: [step] }));
    yield { status: 0 };
  };

  it('asks for today, the modality and the station; prints the items', async () => {
    const s = await scp(items);
    const r = await run('worklist', `RIS@127.0.0.1:${s.peer.port}`, '--modality', 'XL', '--station-aet', 'CAMERA1');
    expect(r.code).toBe(0);
    const step = s.requests[0]!.identifier.items('ScheduledProcedureStepSequence')[0]!;
    const today = new Date();
    const da = `${today.getFullYear()}${String(today.getMonth() + 1).padStart(2, '0')}${String(today.getDate()).padStart(2, '0')}`;
    expect(step.string('ScheduledProcedureStepStartDate')).toBe(da);
    expect(step.string('Modality')).toBe('XL');
    expect(step.string('ScheduledStationAETitle')).toBe('CAMERA1');
    const lines = r.out.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^20240131 093000\s+XL\s+CAMERA1\s+Yamada\^Tarou=山田\^太郎=やまだ\^たろう\s+J1$/);
    expect(lines[2]).toMatch(new RegExp(`^1 worklist item for ${da} from RIS@127\\.0\\.0\\.1:\\d+ in \\d+\\.\\d\\d s$`));
  });

  it('a failure status: exit 1, the association aborted (Table 3-15)', async () => {
    const s = await scp(async () => ({ status: 0xa700 }));
    const r = await run('worklist', `RIS@127.0.0.1:${s.peer.port}`, '--date', 'any');
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`portico worklist: RIS@127.0.0.1:${s.peer.port}: worklist C-FIND failed: 0xA700 Refused: Out of Resources`]);
    expect(r.out).toMatch(/^0 worklist items for any date .*; failed\n$/);
  });

  it('-k keys reach the Scheduled Procedure Step item; --json prints the items', async () => {
    const s = await scp(items);
    const r = await run('worklist', `RIS@127.0.0.1:${s.peer.port}`, '--date', '20240101-20240131', '-k', 'ScheduledProcedureStepSequence[0].ScheduledPerformingPhysicianName=Smith*', '-k', 'PatientID=J*', '--json');
    expect(r.code).toBe(0);
    const id = s.requests[0]!.identifier;
    expect(id.string('PatientID')).toBe('J*');
    const step = id.items('ScheduledProcedureStepSequence')[0]!;
    expect(step.string('ScheduledPerformingPhysicianName')).toBe('Smith*');
    expect(step.string('ScheduledProcedureStepStartDate')).toBe('20240101-20240131');
    const json = JSON.parse(r.out) as Record<string, { Value?: unknown[] }>[];
    expect(json[0]!['00100010']!.Value).toEqual([{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }]);
  });
});
