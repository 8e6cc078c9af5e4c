import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../encoding/transfer-syntax.js';
import { keywordOf, tagForKeyword } from '../../dictionary/attributes.js';
import type { MatchCondition } from '../../matching/condition.js';
import { matchesDataset } from '../../matching/match.js';
import type { ClientAssociation, DicomServer } from '../../net/ae.js';
import { connect, listen } from '../../net/ae.js';
import { cFindRq } from '../../net/dimse/c-find.js';
import { decodeRequestIdentifier, encodeBare } from '../query-retrieve/scp-identifier.js';
import { worklistScp, type WorklistFindOptions, type WorklistScpOptions, type WorklistSource } from './scp.js';
import { ModalityWorklistInformationModelFind as MWL } from './uids.js';

const SPS = 'ScheduledProcedureStepSequence';

/** A worklist item as the store keeps it: top-level keys, and one SPS item. */
function entry(top: Record<string, string>, sps: Record<string, string>): Dataset {
  const d = new Dataset();
  for (const [k, v] of Object.entries(top)) d.set(k, v);
  const item = new Dataset();
  for (const [k, v] of Object.entries(sps)) item.set(k, v);
  d.set(SPS, [item]);
  return d;
}

const ENTRIES: Dataset[] = [
  entry(
    { PatientName: 'Doe^Jane', PatientID: 'P1', AccessionNumber: 'A1', StudyInstanceUID: '1.2.3.1', RequestedProcedureDescription: 'CT chest' },
    { Modality: 'CT', ScheduledStationAETitle: 'CT01', ScheduledProcedureStepStartDate: '20240501', ScheduledProcedureStepStartTime: '0900', ScheduledProcedureStepID: 'S1' },
  ),
  entry(
    { PatientName: 'Doe^John', PatientID: 'P2', AccessionNumber: 'A2', StudyInstanceUID: '1.2.3.2' },
    { Modality: 'MR', ScheduledStationAETitle: 'MR01', ScheduledProcedureStepStartDate: '20240501', ScheduledProcedureStepStartTime: '1000', ScheduledProcedureStepID: 'S2' },
  ),
  entry(
    { PatientName: 'Smith^Anna', PatientID: 'P3', AccessionNumber: 'A3', StudyInstanceUID: '1.2.3.3' },
    { Modality: 'CT', ScheduledStationAETitle: 'CT01', ScheduledProcedureStepStartDate: '20240502', ScheduledProcedureStepID: 'S3' },
  ),
  entry(
    { PatientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう', PatientID: 'P4', AccessionNumber: 'A4', StudyInstanceUID: '1.2.3.4' },
    { Modality: 'XC', ScheduledStationAETitle: 'CAM1', ScheduledProcedureStepStartDate: '20240501', ScheduledProcedureStepID: 'S4' },
  ),
  entry(
    { PatientName: 'Müller^Jürgen', PatientID: 'P5', AccessionNumber: 'A5', StudyInstanceUID: '1.2.3.5' },
    { Modality: 'XC', ScheduledStationAETitle: 'CAM1', ScheduledProcedureStepStartDate: '20240501', ScheduledProcedureStepID: 'S5' },
  ),
];

/** An in-memory WorklistSource over the matcher (the archive's store does the same over SQL). */
class MemorySource implements WorklistSource {
  delayMs = 0;
  fail: Error | undefined;
  constructor(readonly entries: readonly Dataset[]) {}
  findMatches(conditions: readonly MatchCondition[], options: WorklistFindOptions): Promise<readonly number[]> {
    if (this.fail) return Promise.reject(this.fail);
    const keys = this.entries.flatMap((d, i) => (matchesDataset(conditions, d, options.match) ? [i] : []));
    return Promise.resolve(keys.slice(0, options.limit));
  }
  async *items(keys: readonly number[]): AsyncIterable<Dataset> {
    for (const k of keys) {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      yield this.entries[k]!;
    }
  }
}

interface Answer {
  readonly statuses: number[];
  readonly identifiers: Dataset[];
  readonly raw: Uint8Array[];
  readonly final: { status: number; errorComment?: string; offendingElements?: readonly number[] };
}

async function startScp(options: Partial<WorklistScpOptions> & { source: WorklistSource }): Promise<DicomServer> {
  return listen({ aeTitle: 'MWL', port: 0, host: '127.0.0.1', services: [worklistScp({ store: options.source, ...options })] });
}

async function open(server: DicomServer, ts = ExplicitVRLittleEndian): Promise<ClientAssociation> {
  return connect({ aeTitle: 'MWL', host: '127.0.0.1', port: server.port }, { aeTitle: 'SCU', contexts: [{ abstractSyntax: MWL, transferSyntaxes: [ts] }] });
}

async function find(a: ClientAssociation, identifier: Dataset | Uint8Array, onPending?: (n: number, messageId: number) => Promise<void>): Promise<Answer> {
  const context = a.contextFor(MWL)!;
  const bytes = identifier instanceof Uint8Array ? identifier : await encodeBare(identifier, context.transferSyntax);
  const messageId = a.newMessageId();
  const statuses: number[] = [];
  const identifiers: Dataset[] = [];
  const raw: Uint8Array[] = [];
  let final: Answer['final'] = { status: -1 };
  for await (const r of a.request(context.id, cFindRq({ messageId, affectedSopClassUid: MWL }), bytes)) {
    const status = r.command.status!;
    statuses.push(status);
    if (status === 0xff00 || status === 0xff01) {
      raw.push(r.dataset!);
      identifiers.push(decodeRequestIdentifier(r.dataset, context.transferSyntax));
      await onPending?.(identifiers.length, messageId);
    } else {
      final = { status, errorComment: r.command.errorComment, offendingElements: r.command.offendingElements };
      expect(r.dataset).toBeUndefined();
    }
  }
  return { statuses, identifiers, raw, final };
}

/** A query: top-level keys, and the SPS item's keys (undefined: no SPS key at all). */
function query(top: Record<string, string>, sps?: Record<string, string>): Dataset {
  const d = new Dataset();
  for (const [k, v] of Object.entries(top)) d.set(k, v);
  if (sps) {
    const item = new Dataset();
    for (const [k, v] of Object.entries(sps)) item.set(k, v);
    d.set(SPS, [item]);
  }
  return d;
}

const keywords = (d: Dataset): string[] => d.tags().map((t) => keywordOf(t));

describe('worklistScp', () => {
  const source = new MemorySource(ENTRIES);
  let server: DicomServer;
  let a: ClientAssociation;
  beforeAll(async () => {
    server = await startScp({ source, maxMatches: 4 });
    a = await open(server);
  });
  afterAll(async () => {
    await a.release();
    await server.close();
  });

  it('answers each match with a pending FF00, then Success; each identifier holds exactly the requested keys', async () => {
    const q = query({ PatientName: '', PatientID: '', PatientBirthDate: '' }, { Modality: 'CT', ScheduledStationAETitle: '', ScheduledProcedureStepStartDate: '' });
    const { statuses, identifiers, final } = await find(a, q);
    expect(statuses).toEqual([0xff00, 0xff00, 0x0000]);
    expect(final.status).toBe(0);
    expect(identifiers.map((d) => d.string('PatientID'))).toEqual(['P1', 'P3']);
    for (const d of identifiers) {
      expect(keywords(d)).toEqual(['PatientName', 'PatientID', 'PatientBirthDate', SPS]);
      // Absent in the entry: present in the response with zero length.
      expect(d.get('PatientBirthDate')!.vm).toBe(0);
      const item = d.items(SPS)[0]!;
      expect(keywords(item)).toEqual(['Modality', 'ScheduledStationAETitle', 'ScheduledProcedureStepStartDate']);
      expect(item.string('ScheduledStationAETitle')).toBe('CT01');
    }
    expect(identifiers[0]!.items(SPS)[0]!.string('ScheduledProcedureStepStartDate')).toBe('20240501');
  });

  it('matches on date, modality and station AE title together (the DICOM Camera query)', async () => {
    const { identifiers } = await find(a, query({ PatientName: '' }, { ScheduledProcedureStepStartDate: '20240501', Modality: 'XC', ScheduledStationAETitle: 'CAM1' }));
    expect(identifiers.map((d) => d.string('PatientName'))).toEqual(['Yamada^Tarou=山田^太郎=やまだ^たろう', 'Müller^Jürgen']);
  });

  it('matches a date range and a patient name wild card', async () => {
    const byRange = await find(a, query({ PatientID: '' }, { ScheduledProcedureStepStartDate: '20240502-20240531' }));
    expect(byRange.identifiers.map((d) => d.string('PatientID'))).toEqual(['P3']);
    const byName = await find(a, query({ PatientName: 'doe*', PatientID: '' }));
    expect(byName.identifiers.map((d) => d.string('PatientID'))).toEqual(['P1', 'P2']);
  });

  it('returns the whole SPS item for a sequence key with no item or an empty item (universal matching)', async () => {
    for (const items of [[], [new Dataset()]]) {
      const q = query({ AccessionNumber: 'A1' });
      q.set(SPS, items, 'SQ');
      const { identifiers } = await find(a, q);
      expect(identifiers).toHaveLength(1);
      const item = identifiers[0]!.items(SPS)[0]!;
      expect(keywords(item)).toEqual(['Modality', 'ScheduledStationAETitle', 'ScheduledProcedureStepStartDate', 'ScheduledProcedureStepStartTime', 'ScheduledProcedureStepID']);
    }
  });

  it('answers a query that matches nothing with Success alone', async () => {
    expect((await find(a, query({ PatientID: 'NOBODY' }))).statuses).toEqual([0x0000]);
  });

  it('treats a key of only * as universal, and SQL metacharacters as plain text', async () => {
    // maxMatches is 4 here and 5 entries match `*`: refused, which shows it matched everything.
    expect((await find(a, query({ PatientName: '*' }))).final.status).toBe(0xa700);
    for (const hostile of ["'; DROP TABLE worklist; --", '%', '_', 'A1%', "A1' OR '1'='1"]) {
      expect((await find(a, query({ AccessionNumber: hostile }))).statuses).toEqual([0x0000]);
    }
  });

  it('refuses with A700 and no pending response when more than maxMatches entries match', async () => {
    const { statuses, final } = await find(a, query({ PatientID: '' }));
    expect(statuses).toEqual([0xa700]);
    expect(final.errorComment).toBe('more than 4 matches; narrow the query');
    // Exactly maxMatches is answered.
    expect((await find(a, query({ PatientID: '' }, { ScheduledProcedureStepStartDate: '20240501' }))).statuses).toEqual([0xff00, 0xff00, 0xff00, 0xff00, 0]);
  });

  it('answers a malformed key value with A900, the offending element and an error comment', async () => {
    const { statuses, final } = await find(a, query({ PatientID: '' }, { ScheduledProcedureStepStartDate: '20241301-20240101x' }));
    expect(statuses).toEqual([0xa900]);
    expect(final.offendingElements).toEqual([tagForKeyword('ScheduledProcedureStepStartDate')]);
    expect(final.errorComment).toMatch(/^ScheduledProcedureStepStartDate \(0040,0002\)/);
    expect(final.errorComment!.length).toBeLessThanOrEqual(64);
  });

  it('refuses a sequence key with several items (even thousands) with A900', async () => {
    const q = query({ PatientID: '' });
    q.set(SPS, Array.from({ length: 5000 }, () => query({ Modality: 'CT' })), 'SQ');
    const { statuses, final } = await find(a, q);
    expect(statuses).toEqual([0xa900]);
    expect(final.offendingElements).toEqual([tagForKeyword(SPS)]);
    expect(final.errorComment).toBe('ScheduledProcedureStepSequence: 5000 items, one allowed');
  });

  it('refuses a 64 KiB key value with A900, wild cards or not, and stays usable', async () => {
    // Explicit VR: a PN this long cannot have a 16-bit length; an SCU may send it as UN (read as PN again here).
    const implicit = await open(server, ImplicitVRLittleEndian);
    try {
      for (const value of ['A'.repeat(65536), '*?'.repeat(32768), 'a*'.repeat(32768), '*'.repeat(65536)]) {
        const explicit = await find(a, query({ PatientName: value }));
        expect(explicit.statuses).toEqual([0xa900]);
        expect(explicit.final.offendingElements).toEqual([tagForKeyword('PatientName')]);
        expect(explicit.final.errorComment).toMatch(/^PatientName: 65536 (bytes|characters) \(a key has at most 1024( characters)?\)$/);
        const inImplicit = await find(implicit, query({ PatientName: value }));
        expect(inImplicit.statuses).toEqual([0xa900]);
        expect(inImplicit.final.errorComment).toBe('PatientName: 65536 characters (a key has at most 1024)');
      }
    } finally {
      await implicit.release();
    }
    expect((await find(a, query({ PatientID: 'P1' }))).statuses).toEqual([0xff00, 0]);
  });

  it('refuses a 64 KiB UN key of a known attribute before decoding it', async () => {
    const q = new Dataset();
    q.set('PatientName', new Uint8Array(65536).fill(0x41), 'UN');
    const { statuses, final } = await find(a, q);
    expect(statuses).toEqual([0xa900]);
    expect(final.offendingElements).toEqual([tagForKeyword('PatientName')]);
    expect(final.errorComment).toMatch(/^PatientName: 65536 (bytes|characters) \(a key has at most 1024/);
  });

  it('reads a UN key of a known attribute with its dictionary VR', async () => {
    const q = new Dataset();
    q.set('PatientID', Buffer.from('P3'), 'UN');
    q.set('PatientName', undefined);
    const { statuses, identifiers } = await find(a, q);
    expect(statuses).toEqual([0xff00, 0]);
    expect(identifiers[0]!.string('PatientName')).toBe('Smith^Anna');
  });

  it('answers an Identifier that cannot be parsed with C000 and an error comment', async () => {
    // (0010,0010) PN with a length of 0xFFFF and 4 bytes of value: a lying length.
    const bad = new Uint8Array([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0xff, 0xff, 0x41, 0x42, 0x43, 0x44]);
    const { statuses, final } = await find(a, bad);
    expect(statuses).toEqual([0xc000]);
    expect(final.errorComment).toMatch(/cannot be parsed/);
  });

  it('ignores a binary key for matching, returns it empty, and answers FF01', async () => {
    const q = query({ PatientID: 'P2' });
    q.set(0x00091010, new Uint8Array([1, 2, 3, 4]), 'OB');
    const { statuses, identifiers } = await find(a, q);
    expect(statuses).toEqual([0xff01, 0]);
    expect(identifiers[0]!.get(0x00091010)!.vm).toBe(0);
  });
});

describe('worklistScp: Specific Character Set of the responses', () => {
  const source = new MemorySource(ENTRIES);
  let server: DicomServer;
  beforeAll(async () => {
    server = await startScp({ source });
  });
  afterAll(async () => {
    await server.close();
  });

  const byId = async (id: string, charset: string[] | undefined, ts = ExplicitVRLittleEndian): Promise<Answer> => {
    const a = await open(server, ts);
    try {
      const q = query({ PatientName: '', PatientID: id });
      if (charset) q.set('SpecificCharacterSet', charset);
      return await find(a, q);
    } finally {
      await a.release();
    }
  };

  it('answers an ISO 2022 IR 87 query in ISO 2022 IR 87 when the name fits it', async () => {
    const { identifiers, raw } = await byId('P4', ['', 'ISO 2022 IR 87']);
    expect(identifiers[0]!.strings('SpecificCharacterSet')).toEqual(['', 'ISO 2022 IR 87']);
    expect(identifiers[0]!.string('PatientName')).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
    // ESC $ B designates JIS X 0208 in G0.
    expect(Buffer.from(raw[0]!).includes(Buffer.from([0x1b, 0x24, 0x42]))).toBe(true);
  });

  it('answers an ISO_IR 100 query in ISO_IR 100 when the name is Latin-1, else in ISO_IR 192', async () => {
    const latin = await byId('P5', ['ISO_IR 100']);
    expect(latin.identifiers[0]!.strings('SpecificCharacterSet')).toEqual(['ISO_IR 100']);
    expect(latin.identifiers[0]!.string('PatientName')).toBe('Müller^Jürgen');
    expect(Buffer.from(latin.raw[0]!).includes(Buffer.from('M\xfcller', 'latin1'))).toBe(true);
    const japanese = await byId('P4', ['ISO_IR 100']);
    expect(japanese.identifiers[0]!.strings('SpecificCharacterSet')).toEqual(['ISO_IR 192']);
    expect(japanese.identifiers[0]!.string('PatientName')).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
  });

  it('leaves Specific Character Set out for an ASCII answer to a query without one, and uses ISO_IR 192 when needed', async () => {
    const ascii = await byId('P1', undefined);
    expect(ascii.identifiers[0]!.has('SpecificCharacterSet')).toBe(false);
    const utf8 = await byId('P5', undefined);
    expect(utf8.identifiers[0]!.strings('SpecificCharacterSet')).toEqual(['ISO_IR 192']);
    expect(utf8.identifiers[0]!.string('PatientName')).toBe('Müller^Jürgen');
  });

  it('answers in Implicit VR Little Endian and Explicit VR Big Endian too', async () => {
    for (const ts of [ImplicitVRLittleEndian, ExplicitVRBigEndian]) {
      const { statuses, identifiers } = await byId('P5', ['ISO_IR 100'], ts);
      expect(statuses).toEqual([0xff00, 0]);
      expect(identifiers[0]!.string('PatientName')).toBe('Müller^Jürgen');
    }
  });
});

describe('worklistScp: cancel and failures', () => {
  it('stops with FE00 Cancel when a C-CANCEL arrives', async () => {
    const many = Array.from({ length: 200 }, (_, i) => entry({ PatientName: `Many^${i}`, PatientID: `M${i}` }, { Modality: 'CT', ScheduledProcedureStepStartDate: '20240501' }));
    const source = new MemorySource(many);
    source.delayMs = 5;
    const server = await startScp({ source });
    try {
      const a = await open(server);
      const { statuses } = await find(a, query({ PatientID: '' }), async (n, messageId) => {
        if (n === 3) await a.send(a.contextFor(MWL)!.id, { commandField: 0x0fff, messageIdBeingRespondedTo: messageId, hasDataset: false });
      });
      expect(statuses[statuses.length - 1]).toBe(0xfe00);
      expect(statuses.length).toBeLessThan(50);
      expect(statuses.slice(0, 3)).toEqual([0xff00, 0xff00, 0xff00]);
      // The association goes on.
      expect((await find(a, query({ PatientID: 'M7' }))).statuses).toEqual([0xff00, 0]);
      await a.release();
    } finally {
      await server.close();
    }
  });

  it('answers C000 with the reason when the source fails', async () => {
    const source = new MemorySource(ENTRIES);
    source.fail = new Error('database is locked');
    const server = await startScp({ source });
    try {
      const a = await open(server);
      const { statuses, final } = await find(a, query({ PatientID: '' }));
      expect(statuses).toEqual([0xc000]);
      expect(final.errorComment).toBe('database is locked');
      await a.release();
    } finally {
      await server.close();
    }
  });
});
