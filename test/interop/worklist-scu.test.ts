/**
 * `portico worklist` (the real command line) → DCMTK `wlmscpfs` serving `.wl` files made with `dump2dcm` from text
 * dumps (values in ISO_IR 100 and ISO 2022 IR 87 bytes as they are on the wire): today's date by default, the
 * modality and station AE title filters, date ranges, names decoded in both character sets, every requested key in
 * the output (empty when wlmscpfs does not support it), a failure status aborting the association, hostile keys.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/data/dataset.js';
import { ExplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { connect } from '../../src/net/ae.js';
import { FindFailedError, worklist, WORKLIST_KEYS, WORKLIST_STEP_KEYS, worklistIdentifier } from '../../src/services/worklist/scu.js';
import { ModalityWorklistInformationModelFind } from '../../src/services/worklist/uids.js';
import { tagForKeyword } from '../../src/dictionary/attributes.js';
import { tagToHex } from '../../src/data/tag.js';
import { assertPorticoBuilt, type Daemon, echoes, freePort, HOST, portico, retryOnPortTaken, startDaemon } from './net-peers.js';
import { ensurePeers, runOk, tempDir } from './peers.js';

const ESC = '\x1b';
/** PS3.5 H.3.1: Yamada^Tarou=山田^太郎=やまだ^たろう in ISO 2022 IR 87 (JIS X 0208 designated with ESC $ B). */
const YAMADA_JIS = `Yamada^Tarou=${ESC}$B;3ED${ESC}(B^${ESC}$BB@O:${ESC}(B=${ESC}$B$d$^$@${ESC}(B^${ESC}$B$?$m$&${ESC}(B`;
const YAMADA = 'Yamada^Tarou=山田^太郎=やまだ^たろう';

const da = (d: Date): string => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
const TODAY = da(new Date());
const TOMORROW = da(new Date(Date.now() + 24 * 3600 * 1000));

interface Item {
  readonly file: string;
  readonly charset?: string;
  /** The name as bytes in the file's character set ('latin1' string: one char per byte). */
  readonly nameBytes: string;
  readonly id: string;
  readonly modality: string;
  readonly station: string;
  readonly date: string;
  readonly time: string;
  readonly procedure: string;
}

const ITEMS: readonly Item[] = [
  { file: 'latin1', charset: 'ISO_IR 100', nameBytes: 'M\xfcller^J\xfcrgen', id: 'WL-1', modality: 'XL', station: 'CAMERA1', date: TODAY, time: '093000', procedure: 'Wound photo' },
  { file: 'japanese', charset: '\\ISO 2022 IR 87', nameBytes: YAMADA_JIS, id: 'WL-2', modality: 'XL', station: 'CAMERA2', date: TODAY, time: '101500', procedure: 'Dermatology' },
  { file: 'ascii', nameBytes: 'Doe^John', id: 'WL-3', modality: 'CT', station: 'CTSCAN1', date: TODAY, time: '111500', procedure: 'Head CT' },
  { file: 'tomorrow', nameBytes: 'Roe^Richard', id: 'WL-4', modality: 'XL', station: 'CAMERA1', date: TOMORROW, time: '080000', procedure: 'Follow-up photo' },
];

/** A dcmdump-style text dump of a worklist item; dump2dcm copies the bytes between [ ] as they are. */
function dump(item: Item, n: number): Buffer {
  const text = [
    ...(item.charset ? [`(0008,0005) CS [${item.charset}]`] : []),
    `(0008,0050) SH [ACC-WL${n}]`,
    '(0008,0090) PN [Referrer^Rita]',
    `(0010,0010) PN [${item.nameBytes}]`,
    `(0010,0020) LO [${item.id}]`,
    '(0010,0030) DA [19700101]',
    '(0010,0040) CS [O]',
    `(0020,000d) UI [1.2.826.0.1.3680043.2.1125.99.${n}]`,
    `(0032,1060) LO [${item.procedure}]`,
    '(0040,0100) SQ (Sequence with explicit length #=1)',
    '  (fffe,e000) na (Item with explicit length #=6)',
    `    (0008,0060) CS [${item.modality}]`,
    `    (0040,0001) AE [${item.station}]`,
    `    (0040,0002) DA [${item.date}]`,
    `    (0040,0003) TM [${item.time}]`,
    `    (0040,0007) LO [${item.procedure}]`,
    `    (0040,0009) SH [SPS-${n}]`,
    '  (fffe,e00d) na (ItemDelimitationItem)',
    '(fffe,e0dd) na (SequenceDelimitationItem)',
    `(0040,1001) SH [RP-${n}]`,
    '',
  ].join('\n');
  return Buffer.from(text, 'latin1');
}

let wlm: (Daemon & { port: number }) | undefined;
let removeDir: (() => Promise<void>) | undefined;
let peer = '';

beforeAll(async () => {
  ensurePeers('wlmscpfs', 'dump2dcm');
  assertPorticoBuilt();
  const tmp = await tempDir('worklist-scu');
  removeDir = tmp.remove;
  // wlmscpfs serves <dir>/<called AE title>/*.wl and needs a lockfile there.
  const ae = join(tmp.dir, 'WLM');
  await mkdir(ae);
  await writeFile(join(ae, 'lockfile'), '');
  for (const [i, item] of ITEMS.entries()) {
    const text = join(tmp.dir, `${item.file}.dump`);
    await writeFile(text, dump(item, i + 1));
    await runOk('dump2dcm', [text, join(ae, `${item.file}.wl`)]);
  }
  // -csk: answer in each file's own Specific Character Set (the default, -cs0, returns none).
  wlm = await retryOnPortTaken(async () => {
    const port = await freePort();
    const daemon = await startDaemon('wlmscpfs', 'wlmscpfs', ['-csk', '-dfp', tmp.dir, String(port)], { ready: () => echoes('WLM', port) });
    return Object.assign(daemon, { port });
  });
  peer = `WLM@${HOST}:${wlm.port}`;
}, 120_000);

afterAll(async () => {
  await wlm?.stop();
  await removeDir?.();
});

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');
type Json = Record<string, { vr: string; Value?: unknown[] }>;
const hex = (keyword: string): string => tagToHex(tagForKeyword(keyword)!);
const step = (j: Json): Json => (j[hex('ScheduledProcedureStepSequence')]!.Value as Json[])[0]!;

async function worklistJson(...args: string[]): Promise<Json[]> {
  const r = await portico(['worklist', peer, '--json', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Json[];
}
const ids = (json: Json[]): string[] => json.map((j) => j[hex('PatientID')]!.Value![0] as string).sort();

describe('portico worklist → wlmscpfs', () => {
  it("today's items by default, names decoded (ISO_IR 100, ISO 2022 IR 87), a summary line", async () => {
    const r = await portico(['worklist', peer]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^Scheduled\s+Modality\s+Station AET\s+Patient\s+ID\s+Birth\s+Sex\s+Accession\s+Procedure\s+Step ID$/);
    expect(out).toHaveLength(5);
    expect(out.find((l) => l.includes('WL-1'))).toMatch(new RegExp(`^${TODAY} 093000\\s+XL\\s+CAMERA1\\s+Müller\\^Jürgen\\s+WL-1\\s+19700101\\s+O\\s+ACC-WL1\\s+Wound photo\\s+SPS-1$`));
    expect(out.find((l) => l.includes('WL-2'))).toContain(`CAMERA2      ${YAMADA}  WL-2`);
    expect(out.find((l) => l.includes('WL-3'))).toMatch(/\sCT\s+CTSCAN1\s+Doe\^John\s+WL-3\s/);
    expect(out.some((l) => l.includes('WL-4'))).toBe(false);
    // wlmscpfs does not support two of the requested keys (Study Description, Patient's Birth Time): FF01.
    expect(out[4]).toMatch(new RegExp(`^3 worklist items for ${TODAY} from ${peer.replace(/\./g, '\\.')} in \\d+\\.\\d\\d s; the peer did not support some optional keys \\(FF01\\)$`));
  });

  it('--modality and --station-aet filter (single value matching in the Scheduled Procedure Step)', async () => {
    expect(ids(await worklistJson('--modality', 'XL'))).toEqual(['WL-1', 'WL-2']);
    expect(ids(await worklistJson('--modality', 'XL', '--station-aet', 'CAMERA1'))).toEqual(['WL-1']);
    expect(ids(await worklistJson('--station-aet', 'CAMERA2'))).toEqual(['WL-2']);
    expect(ids(await worklistJson('--modality', 'MR'))).toEqual([]);
  });

  it('--date: a day, a range, any', async () => {
    expect(ids(await worklistJson('--date', TOMORROW))).toEqual(['WL-4']);
    expect(ids(await worklistJson('--date', `${TODAY}-${TOMORROW}`))).toEqual(['WL-1', 'WL-2', 'WL-3', 'WL-4']);
    expect(ids(await worklistJson('--date', `${TOMORROW}-`))).toEqual(['WL-4']);
    expect(ids(await worklistJson('--date', 'any', '--modality', 'XL', '--station-aet', 'CAMERA1'))).toEqual(['WL-1', 'WL-4']);
  });

  it('--json: every requested key is in every item (empty when not supported), names as PN objects', async () => {
    const json = await worklistJson('--date', 'any');
    expect(json).toHaveLength(4);
    for (const j of json) {
      for (const k of WORKLIST_KEYS) expect(j[hex(k)], k).toBeDefined();
      for (const k of WORKLIST_STEP_KEYS) expect(step(j)[hex(k)], k).toBeDefined();
    }
    const byId = new Map(json.map((j) => [j[hex('PatientID')]!.Value![0] as string, j]));
    expect(byId.get('WL-2')![hex('PatientName')]!.Value).toEqual([{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }]);
    expect(byId.get('WL-1')![hex('PatientName')]!.Value).toEqual([{ Alphabetic: 'Müller^Jürgen' }]);
    expect(byId.get('WL-1')![hex('SpecificCharacterSet')]!.Value).toEqual(['ISO_IR 100']);
    expect(byId.get('WL-1')![hex('StudyDescription')]!.Value).toBeUndefined();
    expect(step(byId.get('WL-1')!)[hex('ScheduledProcedureStepID')]!.Value).toEqual(['SPS-1']);
    expect(byId.get('WL-3')![hex('RequestedProcedureID')]!.Value).toEqual(['RP-3']);
  });

  it('-k keys: patient name wild card, a key of the scheduled step', async () => {
    expect(ids(await worklistJson('--date', 'any', '-k', 'PatientName=Doe*'))).toEqual(['WL-3']);
    expect(ids(await worklistJson('-k', 'ScheduledProcedureStepSequence[0].ScheduledStationAETitle=CAMERA2'))).toEqual(['WL-2']);
    expect(ids(await worklistJson('-k', 'ScheduledProcedureStepSequence/Modality=CT'))).toEqual(['WL-3']);
    expect(ids(await worklistJson('--date', 'any', '-k', 'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime=090000-103000'))).toEqual(['WL-1', 'WL-2']);
  });

  it('hostile keys: SQL metacharacters match nothing, * matches everything, wlmscpfs keeps answering', async () => {
    expect(await worklistJson('--date', 'any', '-k', "PatientName=' OR 1=1; --")).toEqual([]);
    expect(await worklistJson('--date', 'any', '-k', 'PatientID=%')).toEqual([]);
    expect(ids(await worklistJson('--date', 'any', '-k', 'PatientName=*'))).toEqual(['WL-1', 'WL-2', 'WL-3', 'WL-4']);
    const r = await portico(['worklist', peer, '--date', '2024-13-45']);
    expect(r.status).toBe(2);
    expect(await echoes('WLM', wlm!.port)).toBe(true);
  });

  it('the library: items decoded, the association released', async () => {
    const stream = worklist({ aeTitle: 'WLM', host: HOST, port: wlm!.port }, { identifier: worklistIdentifier({ modality: 'XL' }) }, { aeTitle: 'CAMERA' });
    const items = await stream.toArray();
    expect(items.map((i) => i.string('PatientName')).sort()).toEqual(['Müller^Jürgen', YAMADA]);
    expect(stream.summary).toMatchObject({ status: 0, matches: 2, optionalKeysNotSupported: true });
  });

  it('a failure status (wlmscpfs refuses a Scheduled Procedure Step Sequence of two items with A900): failed, association aborted', async () => {
    const association = await connect(
      { aeTitle: 'WLM', host: HOST, port: wlm!.port },
      { aeTitle: 'CAMERA', contexts: [{ abstractSyntax: ModalityWorklistInformationModelFind, transferSyntaxes: [ExplicitVRLittleEndian] }], dimseTimeout: 10_000 },
    );
    const identifier = new Dataset();
    identifier.set('PatientName', null);
    identifier.set('ScheduledProcedureStepSequence', [new Dataset(), new Dataset()]);
    const error = await worklist(association, { identifier }).toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FindFailedError);
    expect((error as FindFailedError).status).toBe(0xa900);
    expect((error as Error).message).toBe('worklist C-FIND failed: 0xA900 Identifier does not match SOP Class (comment: More than 1 item in sequence.)');
    expect(association.outcome).toBe('aborted');
    expect(await echoes('WLM', wlm!.port)).toBe(true);
  });

  it('a called AE title wlmscpfs does not serve: exit 1, one line naming the peer', async () => {
    const r = await portico(['worklist', `NOSUCHAE@${HOST}:${wlm!.port}`]);
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^portico worklist: NOSUCHAE@127\\.0\\.0\\.1:${wlm!.port}: `))]);
  });
});
