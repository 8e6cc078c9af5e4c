/**
 * The queries of the query benchmark and how each is timed. Every query kind is a list of varied parameters drawn
 * from the generated data (seeded, so every SCP gets the same list), each with the number of matches the data says
 * it must have. The client is Portico's C-FIND library (`find()`, `worklist()`) in a worker thread of the bench
 * (query-client.ts, away from the bench's heap), on ONE association per SCP and information model; a query's time runs
 * from the call to the end of the iteration (the final response).
 */
import { Dataset } from '../src/data/dataset.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../src/encoding/transfer-syntax.js';
import type { Association } from '../src/net/acse/association.js';
import { connect } from '../src/net/ae.js';
import { find } from '../src/services/query-retrieve/scu-find.js';
import { StudyRootQueryRetrieveInformationModelFind } from '../src/services/query-retrieve/uids.js';
import { worklist, worklistIdentifier } from '../src/services/worklist/scu.js';
import { ModalityWorklistInformationModelFind } from '../src/services/worklist/uids.js';
import { type ArchivePlan, daString, dayOf, FAMILY_NAMES, type Modality, MODALITIES, rng, WORKLIST_DAY0, WORKLIST_DAYS, type WorklistRow } from './query-corpus.js';
import { errorText } from './net-measure.js';
import { HOST } from './net-procs.js';
import { BENCH_AET } from './query-procs.js';

export type KindId = 'name' | 'date' | 'accession' | 'image' | 'image-file' | 'worklist';

export const KIND_LABEL: Readonly<Record<KindId, string>> = {
  name: 'study: PatientName wildcard (`ABC*`)',
  date: 'study: StudyDate range of 7 days',
  accession: 'study: AccessionNumber',
  image: 'image: one study (100 instances), indexed keys',
  'image-file': 'image: the same + Rows, Columns (read from the files)',
  worklist: 'worklist: SPS start date + modality + station AE',
};

export const STUDY_KINDS: readonly KindId[] = ['name', 'date', 'accession'];

export interface QuerySpec {
  readonly kind: KindId;
  /** What varies, for the report (the prefix, the range, the accession number …). */
  readonly param: string;
  readonly identifier: Dataset;
  /** Matches the generated data says this query has. */
  readonly expected: number;
}

// -- Study Root queries ---------------------------------------------------------------------------------------------------

const STUDY_RETURN_KEYS = [
  'PatientName', 'PatientID', 'StudyDate', 'StudyTime', 'AccessionNumber', 'StudyInstanceUID', 'StudyDescription', 'ModalitiesInStudy',
  'NumberOfStudyRelatedInstances',
] as const;

function studyIdentifier(key: string, value: string): Dataset {
  const ds = new Dataset();
  for (const k of STUDY_RETURN_KEYS) ds.set(k, null);
  ds.set(key, value);
  return ds;
}

/** Upper case of ASCII letters: the prefixes are ASCII, and so compare the same under any case folding. */
const asciiUpper = (s: string): string => s.replace(/[a-z]/g, (c) => c.toUpperCase());
/** Accents removed: what a PACS that folds accents would compare. */
const stripAccents = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');

/**
 * Three-letter ASCII prefixes (`SCH*`) that match between 10 and 150 of the studies. Both Portico and Orthanc fold
 * case (Portico across Unicode, migration 003); an ASCII prefix means the same to any SCP that folds case. Prefixes
 * that a PACS folding accents would read differently (`MUL*` and Müller) are left out, so the expected counts hold
 * for any such SCP.
 */
function namePrefixes(names: readonly string[]): { prefix: string; count: number }[] {
  const candidates = new Set(FAMILY_NAMES.map((n) => asciiUpper(n.slice(0, 3))).filter((p) => /^[A-Z]{3}$/.test(p)));
  const ambiguous = new Set(FAMILY_NAMES.filter((n) => stripAccents(n.slice(0, 3)) !== n.slice(0, 3)).map((n) => asciiUpper(stripAccents(n.slice(0, 3)))));
  const out: { prefix: string; count: number }[] = [];
  for (const prefix of [...candidates].sort()) {
    if (ambiguous.has(prefix)) continue;
    const count = names.filter((n) => asciiUpper(n).startsWith(prefix)).length;
    if (count >= 10 && count <= 150) out.push({ prefix, count });
  }
  return out;
}

/** The studies a set holds: the plan's first `studies` studies. */
export function studyQueries(plan: ArchivePlan, studies: number, count: number, seed: number): Record<KindId, QuerySpec[]> {
  const r = rng(seed);
  const held = plan.studies.slice(0, studies);
  const names = held.map((s) => plan.patients[s.patient]!.name);
  const prefixes = namePrefixes(names);
  // Shuffle the prefixes (seeded) and cycle through them.
  for (let i = prefixes.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [prefixes[i], prefixes[j]] = [prefixes[j]!, prefixes[i]!];
  }
  const name = Array.from({ length: count }, (_, i): QuerySpec => {
    const p = prefixes[i % prefixes.length]!;
    return { kind: 'name', param: `${p.prefix}*`, identifier: studyIdentifier('PatientName', `${p.prefix}*`), expected: p.count };
  });
  const first = dayOf('20190101');
  const days = (dayOf('20241231') - first) / 86_400_000 - 6;
  const dates = held.map((s) => s.date);
  const date = Array.from({ length: count }, (): QuerySpec => {
    const from = daString(first + Math.floor(r() * days) * 86_400_000);
    const to = daString(dayOf(from) + 6 * 86_400_000);
    return { kind: 'date', param: `${from}-${to}`, identifier: studyIdentifier('StudyDate', `${from}-${to}`), expected: dates.filter((d) => d >= from && d <= to).length };
  });
  const accession = Array.from({ length: count }, (): QuerySpec => {
    const s = held[Math.floor(r() * held.length)]!;
    return { kind: 'accession', param: s.accession, identifier: studyIdentifier('AccessionNumber', s.accession), expected: 1 };
  });
  const real = plan.studies[0]!;
  const imageIdentifier = (fileKeys: boolean): Dataset => {
    const ds = new Dataset();
    ds.set('StudyInstanceUID', real.uid);
    ds.set('SeriesInstanceUID', real.series[0]!.uid);
    for (const k of ['SOPInstanceUID', 'SOPClassUID', 'InstanceNumber', ...(fileKeys ? ['Rows', 'Columns'] : [])]) ds.set(k, null);
    return ds;
  };
  const expected = real.series[0]!.instances;
  const image = Array.from({ length: count }, (): QuerySpec => ({ kind: 'image', param: 'the real study', identifier: imageIdentifier(false), expected }));
  const imageFile = Array.from({ length: count }, (): QuerySpec => ({ kind: 'image-file', param: 'the real study', identifier: imageIdentifier(true), expected }));
  return { name, date, accession, image, 'image-file': imageFile, worklist: [] };
}

/** Worklist queries: a day of the ~200, a modality, one of its stations. */
export function worklistQueries(rows: readonly WorklistRow[], count: number, seed: number): QuerySpec[] {
  const r = rng(seed);
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(`${row.date}|${row.modality}|${row.station}`, (counts.get(`${row.date}|${row.modality}|${row.station}`) ?? 0) + 1);
  const first = dayOf(WORKLIST_DAY0) - (WORKLIST_DAYS / 2) * 86_400_000;
  const modalities = Object.keys(MODALITIES) as Modality[];
  return Array.from({ length: count }, (): QuerySpec => {
    const date = daString(first + Math.floor(r() * WORKLIST_DAYS) * 86_400_000);
    const modality = modalities[Math.floor(r() * modalities.length)]!;
    const stations = MODALITIES[modality].stations;
    const station = stations[Math.floor(r() * stations.length)]!;
    return {
      kind: 'worklist', param: `${date} ${modality} ${station}`,
      identifier: worklistIdentifier({ date, modality, stationAeTitle: station }), expected: counts.get(`${date}|${modality}|${station}`) ?? 0,
    };
  });
}

// -- Timing -----------------------------------------------------------------------------------------------------------------

export interface Target {
  readonly aeTitle: string;
  readonly port: number;
}

export type Model = 'study' | 'worklist';

export function openAssociation(target: Target, model: Model): Promise<Association> {
  return connect(
    { aeTitle: target.aeTitle, host: HOST, port: target.port },
    {
      aeTitle: BENCH_AET,
      contexts: [{
        abstractSyntax: model === 'study' ? StudyRootQueryRetrieveInformationModelFind : ModalityWorklistInformationModelFind,
        transferSyntaxes: [ExplicitVRLittleEndian, ImplicitVRLittleEndian],
      }],
      connectTimeout: 10_000,
      dimseTimeout: 120_000,
    },
  );
}

export interface QueryTime {
  readonly param: string;
  readonly ms: number;
  readonly matches: number;
  readonly expected: number;
  /** image-file: matches whose Rows came back as 32 (read from the file). */
  readonly fileKeys?: number;
  readonly error?: string;
}

export interface KindRun {
  readonly kind: KindId;
  readonly warmup: number;
  readonly times: readonly QueryTime[];
}

const ROWS = 'Rows';

/** One query on the association: wall time from the call to the final response, and what came back. */
async function timeOne(association: Association, model: Model, spec: QuerySpec): Promise<QueryTime> {
  let matches = 0;
  let fileKeys = 0;
  const t0 = performance.now();
  try {
    const stream = model === 'worklist'
      ? worklist(association, { identifier: spec.identifier })
      : find(association, { root: 'study', level: spec.kind === 'image' || spec.kind === 'image-file' ? 'IMAGE' : 'STUDY', identifier: spec.identifier });
    for await (const match of stream) {
      matches++;
      if (spec.kind === 'image-file' && match.number(ROWS) === 32) fileKeys++;
    }
    const ms = performance.now() - t0;
    return { param: spec.param, ms, matches, expected: spec.expected, ...(spec.kind === 'image-file' ? { fileKeys } : {}) };
  } catch (error) {
    return { param: spec.param, ms: performance.now() - t0, matches, expected: spec.expected, error: errorText(error) };
  }
}

export interface KindLimits {
  readonly warmup: number;
  readonly count: number;
  /** No new query after this long (the warm-up not counted). */
  readonly ms: number;
}

/**
 * Warm-up queries (the last ones of the list, not recorded), then the list in order until `count` or `ms`. A failed
 * query is recorded with its error; when it broke the association, the next query opens a new one. Runs in the
 * client worker (query-client.ts); the bench calls it through QueryClient (query-worker.ts).
 */
export async function runKindHere(target: Target, model: Model, specs: readonly QuerySpec[], limits: KindLimits, state: { association?: Association }): Promise<KindRun> {
  const get = async (): Promise<Association> => {
    if (state.association === undefined || state.association.outcome !== undefined) state.association = await openAssociation(target, model);
    return state.association;
  };
  for (let i = 0; i < limits.warmup && specs.length; i++) await timeOne(await get(), model, specs[specs.length - 1 - (i % specs.length)]!);
  // A full collection of the client's heap now (what the warm-up left), so that it does not land inside the timed
  // queries.
  (globalThis as { gc?: () => void }).gc?.();
  const times: QueryTime[] = [];
  const t0 = performance.now();
  for (let i = 0; i < limits.count && i < specs.length && performance.now() - t0 < limits.ms; i++) times.push(await timeOne(await get(), model, specs[i]!));
  return { kind: specs[0]?.kind ?? 'name', warmup: limits.warmup, times };
}

export async function closeAssociation(state: { association?: Association }): Promise<void> {
  const a = state.association;
  state.association = undefined;
  if (a && a.outcome === undefined) await a.release().catch(() => a.abort());
}
