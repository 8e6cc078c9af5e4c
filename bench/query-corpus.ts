/**
 * The data of the query benchmark, generated (never downloaded) from seeded random numbers, so every run and every
 * machine gets the same patients, studies and worklist:
 *
 * - an archive plan: patients (1–5 studies each, names drawn Zipf-like from a few hundred family × given names, some
 *   with Latin-1 letters such as `Müller`), studies over 2019–2024 with times, unique accession numbers, 1–6 series of
 *   CT/MR/CR/US/DX/XA (one study in ten adds a series of a second modality), and instance counts scaled so that the
 *   whole plan has exactly the number of instances asked for;
 * - one "real" study at the head of each plan: one CT series of 100 instances written as small files (32×32 pixels);
 * - index records (`InstanceRecord`, the archive's own layout for paths) for every instance of a plan, and small
 *   DICOM files (32×32, 16 bits) for the plans that are sent over the network;
 * - a worklist: one Scheduled Procedure Step per entry over ~200 days around a fixed day, a station AE per modality,
 *   every attribute wlmscpfs requires of a `.wl` file.
 */
import { createHash } from 'node:crypto';
import { Dataset } from '../src/data/dataset.js';
import { uidForKeyword } from '../src/dictionary/uids.js';
import type { InstanceRecord } from '../src/archive/index/types.js';
import { FAMILY, GIVEN_F, GIVEN_M, PHYSICIANS } from './query-names.js';

/** Bump when anything generated changes: the cache under /tmp is keyed by it. */
// 2: the index schema has the folded name columns of migration 003.
export const GENERATOR_VERSION = 2;

// -- Seeded randomness ----------------------------------------------------------------------------------------------------

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Index into `weights` (cumulative, last = total). */
function weighted(r: () => number, cumulative: readonly number[]): number {
  const x = r() * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const cumulate = (ws: readonly number[]): number[] => {
  let s = 0;
  return ws.map((w) => (s += w));
};

/** A UUID-derived UID (PS3.5 B.2): `2.25.` and a version-4 UUID as a decimal integer, from the seeded generator. */
function uuidUid(r: () => number): string {
  const words = [0, 1, 2, 3].map(() => Math.floor(r() * 2 ** 32) >>> 0);
  words[1] = ((words[1]! & 0xffff0fff) | 0x00004000) >>> 0; // version 4
  words[2] = ((words[2]! & 0x3fffffff) | 0x80000000) >>> 0; // variant 10
  const n = words.reduce((acc, w) => (acc << 32n) | BigInt(w), 0n);
  return `2.25.${n.toString()}`;
}

// -- Names ---------------------------------------------------------------------------------------------------------------

/** Family names with Zipf-like weights (rank^-0.6): common names are common, as in a real population. */
const FAMILY_CUM = cumulate(FAMILY.map((_, i) => 1 / (i + 1) ** 0.6));
export const FAMILY_NAMES: readonly string[] = FAMILY;

// -- Modalities ----------------------------------------------------------------------------------------------------------

export type Modality = 'CT' | 'MR' | 'CR' | 'US' | 'DX' | 'XA';

interface ModalityInfo {
  readonly weight: number;
  readonly sopClass: string;
  readonly series: readonly [number, number];
  /** Instances per series before scaling (1M plan) and for the small-file plans. */
  readonly instances: readonly [number, number];
  readonly small: readonly [number, number];
  readonly studies: readonly string[];
  readonly bodyParts: readonly string[];
  /** Size of a real instance of this modality, for the index's size column. */
  readonly bytes: number;
  /** Worklist: the stations of this modality. */
  readonly stations: readonly string[];
}

const sop = (keyword: string): string => {
  const uid = uidForKeyword(keyword);
  if (uid === undefined) throw new Error(`the dictionary has no ${keyword}`);
  return uid;
};

export const MODALITIES: Readonly<Record<Modality, ModalityInfo>> = {
  CT: {
    weight: 25, sopClass: sop('CTImageStorage'), series: [2, 6], instances: [40, 400], small: [2, 4], bytes: 526_000,
    studies: ['CT CHEST W CONTRAST', 'CT HEAD WO CONTRAST', 'CT ABDOMEN PELVIS', 'CT ANGIO PULMONARY', 'CT SPINE LUMBAR'],
    bodyParts: ['CHEST', 'HEAD', 'ABDOMEN', 'LSPINE'], stations: ['CTSCANNER1', 'CTSCANNER2', 'CTSCANNER3'],
  },
  MR: {
    weight: 20, sopClass: sop('MRImageStorage'), series: [3, 6], instances: [20, 180], small: [1, 3], bytes: 135_000,
    studies: ['MR BRAIN', 'MR KNEE LEFT', 'MR KNEE RIGHT', 'MR LUMBAR SPINE', 'MR SHOULDER'],
    bodyParts: ['BRAIN', 'KNEE', 'LSPINE', 'SHOULDER'], stations: ['MRSCANNER1', 'MRSCANNER2'],
  },
  CR: {
    weight: 20, sopClass: sop('ComputedRadiographyImageStorage'), series: [1, 2], instances: [1, 2], small: [1, 2], bytes: 8_400_000,
    studies: ['CHEST 2 VIEWS', 'CHEST PA', 'PELVIS AP', 'KNEE 2 VIEWS'],
    bodyParts: ['CHEST', 'PELVIS', 'KNEE'], stations: ['CRROOM1', 'CRROOM2'],
  },
  US: {
    weight: 15, sopClass: sop('UltrasoundImageStorage'), series: [1, 2], instances: [8, 60], small: [2, 4], bytes: 920_000,
    studies: ['US ABDOMEN', 'US THYROID', 'US OB 2ND TRIMESTER', 'US CAROTID DOPPLER'],
    bodyParts: ['ABDOMEN', 'NECK', 'PELVIS'], stations: ['USROOM1', 'USROOM2', 'USROOM3'],
  },
  DX: {
    weight: 15, sopClass: sop('DigitalXRayImageStorageForPresentation'), series: [1, 3], instances: [1, 3], small: [1, 2], bytes: 10_200_000,
    studies: ['DX HAND', 'DX FOOT', 'DX WRIST', 'DX ANKLE'],
    bodyParts: ['HAND', 'FOOT', 'WRIST', 'ANKLE'], stations: ['DXROOM1', 'DXROOM2'],
  },
  XA: {
    weight: 5, sopClass: sop('XRayAngiographicImageStorage'), series: [2, 6], instances: [10, 120], small: [1, 3], bytes: 2_100_000,
    studies: ['CORONARY ANGIOGRAPHY', 'PERIPHERAL ANGIOGRAPHY'],
    bodyParts: ['HEART', 'LEG'], stations: ['XALAB1'],
  },
};
const MODALITY_LIST = Object.keys(MODALITIES) as Modality[];
const MODALITY_CUM = cumulate(MODALITY_LIST.map((m) => MODALITIES[m].weight));

// -- The archive plan ------------------------------------------------------------------------------------------------------

export interface PatientPlan {
  readonly id: string;
  readonly name: string;
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
}

export interface SeriesPlan {
  readonly uid: string;
  readonly number: number;
  readonly modality: Modality;
  readonly description: string;
  readonly bodyPart: string;
  instances: number;
}

export interface StudyPlan {
  readonly uid: string;
  readonly patient: number;
  readonly date: string;
  readonly time: string;
  readonly accession: string;
  readonly studyId: string;
  readonly description: string;
  readonly referring: string;
  readonly series: SeriesPlan[];
}

export interface ArchivePlan {
  readonly patients: readonly PatientPlan[];
  /** `studies[0]` is the real study: one CT series of `REAL_STUDY_INSTANCES`, stored as files. */
  readonly studies: readonly StudyPlan[];
  readonly instances: number;
}

export const REAL_STUDY_INSTANCES = 100;

export interface PlanOptions {
  readonly seed: number;
  readonly studies: number;
  readonly patients: number;
  /** Exact total of instances (the 1M plan); without it each series gets the small-file count (1–4). */
  readonly instances?: number;
  /** Prefix of patient IDs and accession numbers, so two plans never share one. */
  readonly prefix: string;
}

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2019, 0, 1);
const LAST_DAY = Date.UTC(2024, 11, 31);
export const daString = (ms: number): string => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
export const dayOf = (da: string): number => Date.UTC(Number(da.slice(0, 4)), Number(da.slice(4, 6)) - 1, Number(da.slice(6, 8)));
const tm = (r: () => number, fromHour: number, toHour: number): string =>
  `${String(int(r, fromHour, toHour - 1)).padStart(2, '0')}${String(int(r, 0, 59)).padStart(2, '0')}${String(int(r, 0, 59)).padStart(2, '0')}`;

function personName(r: () => number): { name: string; sex: 'F' | 'M' } {
  const family = FAMILY[weighted(r, FAMILY_CUM)]!;
  const sex = r() < 0.5 ? 'F' : 'M';
  return { name: `${family}^${pick(r, sex === 'F' ? GIVEN_F : GIVEN_M)}`, sex };
}

/** Studies per patient, 1–5, skewed to 1–2, adjusted to sum exactly to `studies`. */
function studiesPerPatient(r: () => number, patients: number, studies: number): number[] {
  const cum = cumulate([35, 25, 18, 12, 10]);
  const counts = Array.from({ length: patients }, () => weighted(r, cum) + 1);
  let total = counts.reduce((a, b) => a + b, 0);
  for (let guard = 0; total !== studies && guard < 100 * studies; guard++) {
    const i = Math.floor(r() * patients);
    if (total < studies && counts[i]! < 5) {
      counts[i]!++;
      total++;
    } else if (total > studies && counts[i]! > 1) {
      counts[i]!--;
      total--;
    }
  }
  if (total !== studies) throw new Error(`cannot spread ${studies} studies over ${patients} patients with 1–5 each`);
  return counts;
}

export function planArchive(options: PlanOptions): ArchivePlan {
  const r = rng(options.seed);
  const patients: PatientPlan[] = [];
  for (let p = 0; p < options.patients; p++) {
    const { name, sex } = personName(r);
    patients.push({ id: `${options.prefix}${String(p + 1).padStart(7, '0')}`, name, sex, birthDate: daString(Date.UTC(1930, 0, 1) + int(r, 0, 90 * 365) * DAY_MS) });
  }
  const perPatient = studiesPerPatient(r, options.patients, options.studies);
  const owners = perPatient.flatMap((n, p) => Array.from({ length: n }, () => p));
  // Shuffle the owners so a patient's studies are spread over the years, then put patient 0 first (the real study).
  for (let i = owners.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [owners[i], owners[j]] = [owners[j]!, owners[i]!];
  }
  const studies: StudyPlan[] = owners.map((patient, s) => {
    const uid = uuidUid(r);
    const primary = s === 0 ? 'CT' : MODALITY_LIST[weighted(r, MODALITY_CUM)]!;
    const info = MODALITIES[primary];
    const seriesCount = s === 0 ? 1 : int(r, info.series[0], info.series[1]);
    const modalities: Modality[] = Array.from({ length: seriesCount }, () => primary);
    if (s !== 0 && r() < 0.1) modalities.push(pick(r, MODALITY_LIST.filter((m) => m !== primary)));
    const series = modalities.map((modality, k): SeriesPlan => {
      const m = MODALITIES[modality];
      const range = options.instances === undefined ? m.small : m.instances;
      return {
        uid: `${uid}.${k + 1}`, number: k + 1, modality, description: `${modality} series ${k + 1}`, bodyPart: pick(r, m.bodyParts),
        instances: s === 0 ? REAL_STUDY_INSTANCES : int(r, range[0], range[1]),
      };
    });
    return {
      uid, patient, series,
      date: daString(FIRST_DAY + int(r, 0, (LAST_DAY - FIRST_DAY) / DAY_MS) * DAY_MS),
      time: tm(r, 7, 20),
      // i × 7919 mod 10^8 is a bijection on 0..10^8-1: unique, but not in study order.
      accession: `${options.prefix}${String(((s + 1) * 7919) % 100_000_000).padStart(8, '0')}`,
      studyId: String((s % 99_999) + 1),
      description: pick(r, info.studies),
      referring: pick(r, PHYSICIANS),
    };
  });
  if (options.instances !== undefined) scaleInstances(studies, options.instances);
  const instances = studies.reduce((n, s) => n + s.series.reduce((m, x) => m + x.instances, 0), 0);
  return { patients, studies, instances };
}

/** Scales every series but the real study's so that the plan holds exactly `total` instances (each series ≥ 1). */
function scaleInstances(studies: StudyPlan[], total: number): void {
  const series = studies.slice(1).flatMap((s) => s.series);
  const fixed = REAL_STUDY_INSTANCES;
  const raw = series.reduce((n, x) => n + x.instances, 0);
  const f = (total - fixed) / raw;
  for (const x of series) x.instances = Math.max(1, Math.round(x.instances * f));
  let diff = total - fixed - series.reduce((n, x) => n + x.instances, 0);
  const byCount = [...series].sort((a, b) => b.instances - a.instances);
  for (let i = 0; diff !== 0 && i < 10_000_000; i++) {
    const x = byCount[i % byCount.length]!;
    if (diff > 0) {
      x.instances++;
      diff--;
    } else if (x.instances > 1) {
      x.instances--;
      diff++;
    }
  }
}

// -- Index records and files ----------------------------------------------------------------------------------------------

const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';

/** The archive's path of a stored instance (FileStore.relativePath: `store/<2 hex of sha1(study)>/<study>/<series>/<sop>.dcm`). */
const bucketOf = (studyUid: string): string => createHash('sha1').update(studyUid).digest('hex').slice(0, 2);

/** Index records of every instance of the plan except the real study's, in batches of `batch`. */
export function* instanceRecords(plan: ArchivePlan, batch: number, receivedAt: string): Generator<InstanceRecord[]> {
  let out: InstanceRecord[] = [];
  for (const study of plan.studies.slice(1)) {
    const patient = plan.patients[study.patient]!;
    const bucket = bucketOf(study.uid);
    for (const series of study.series) {
      const m = MODALITIES[series.modality];
      for (let i = 1; i <= series.instances; i++) {
        const sopInstanceUid = `${series.uid}.${i}`;
        out.push({
          sopInstanceUid, sopClassUid: m.sopClass, instanceNumber: String(i), transferSyntaxUid: EXPLICIT_VR_LE,
          path: `store/${bucket}/${study.uid}/${series.uid}/${sopInstanceUid}.dcm`, size: m.bytes, receivedAt, callingAeTitle: 'BENCHGEN',
          specificCharacterSet: 'ISO_IR 100', patientId: patient.id, issuerOfPatientId: '', patientName: patient.name, patientBirthDate: patient.birthDate,
          patientSex: patient.sex, studyInstanceUid: study.uid, studyDate: study.date, studyTime: study.time, accessionNumber: study.accession,
          studyId: study.studyId, studyDescription: study.description, referringPhysicianName: study.referring, seriesInstanceUid: series.uid,
          modality: series.modality, seriesNumber: String(series.number), seriesDescription: series.description, bodyPartExamined: series.bodyPart,
        });
        if (out.length >= batch) {
          yield out;
          out = [];
        }
      }
    }
  }
  if (out.length) yield out;
}

/** 16-bit pixels of a 32×32 image with a cheap pattern (2 KiB). */
function pixels(seed: number): Uint8Array {
  const words = new Uint16Array(32 * 32);
  for (let i = 0; i < words.length; i++) words[i] = ((i * 7 + seed * 13) ^ (i >>> 5)) & 0x0fff;
  return new Uint8Array(words.buffer);
}

/** One small instance (32×32×16 bits) of a study of the plan, with the attributes a modality would write. */
export function instanceDataset(plan: ArchivePlan, study: StudyPlan, series: SeriesPlan, number: number): Dataset {
  const patient = plan.patients[study.patient]!;
  const ds = new Dataset();
  ds.set('SpecificCharacterSet', 'ISO_IR 100');
  ds.set('ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']);
  ds.set('SOPClassUID', MODALITIES[series.modality].sopClass);
  ds.set('SOPInstanceUID', `${series.uid}.${number}`);
  ds.set('StudyDate', study.date);
  ds.set('SeriesDate', study.date);
  ds.set('StudyTime', study.time);
  ds.set('AccessionNumber', study.accession);
  ds.set('Modality', series.modality);
  ds.set('Manufacturer', 'PORTICO BENCH');
  ds.set('ReferringPhysicianName', study.referring);
  ds.set('StudyDescription', study.description);
  ds.set('SeriesDescription', series.description);
  ds.set('PatientName', patient.name);
  ds.set('PatientID', patient.id);
  ds.set('PatientBirthDate', patient.birthDate);
  ds.set('PatientSex', patient.sex);
  ds.set('BodyPartExamined', series.bodyPart);
  ds.set('StudyInstanceUID', study.uid);
  ds.set('SeriesInstanceUID', series.uid);
  ds.set('StudyID', study.studyId);
  ds.set('SeriesNumber', series.number);
  ds.set('InstanceNumber', number);
  ds.set('SamplesPerPixel', 1);
  ds.set('PhotometricInterpretation', 'MONOCHROME2');
  ds.set('Rows', 32);
  ds.set('Columns', 32);
  ds.set('BitsAllocated', 16);
  ds.set('BitsStored', 12);
  ds.set('HighBit', 11);
  ds.set('PixelRepresentation', 0);
  ds.set(0x7fe00010, pixels(number), 'OW');
  return ds;
}

// -- The worklist ---------------------------------------------------------------------------------------------------------

/** The day the worklist is centred on (fixed, so every run asks the same questions). */
export const WORKLIST_DAY0 = '20250303';
export const WORKLIST_DAYS = 200;

export interface WorklistRow {
  readonly i: number;
  readonly name: string;
  readonly sex: 'F' | 'M';
  readonly birthDate: string;
  readonly date: string;
  readonly time: string;
  readonly modality: Modality;
  readonly station: string;
  readonly description: string;
  readonly studyUid: string;
  readonly performing: string;
  readonly referring: string;
  readonly priority: string;
}

const PRIORITIES = ['ROUTINE', 'ROUTINE', 'ROUTINE', 'HIGH', 'STAT', 'LOW', 'MEDIUM'];

/** The worklist's rows (plain values; `worklistDataset` makes the item). */
export function planWorklist(count: number, seed: number): WorklistRow[] {
  const r = rng(seed);
  const first = dayOf(WORKLIST_DAY0) - (WORKLIST_DAYS / 2) * DAY_MS;
  const rows: WorklistRow[] = [];
  for (let i = 0; i < count; i++) {
    const { name, sex } = personName(r);
    const modality = MODALITY_LIST[weighted(r, MODALITY_CUM)]!;
    const m = MODALITIES[modality];
    const quarter = int(r, 7 * 4, 19 * 4 - 1);
    rows.push({
      i, name, sex, modality,
      birthDate: daString(Date.UTC(1930, 0, 1) + int(r, 0, 90 * 365) * DAY_MS),
      date: daString(first + int(r, 0, WORKLIST_DAYS - 1) * DAY_MS),
      time: `${String(Math.floor(quarter / 4)).padStart(2, '0')}${String((quarter % 4) * 15).padStart(2, '0')}00`,
      station: pick(r, m.stations),
      description: pick(r, m.studies),
      studyUid: uuidUid(r),
      performing: pick(r, PHYSICIANS),
      referring: pick(r, PHYSICIANS),
      priority: pick(r, PRIORITIES),
    });
  }
  return rows;
}

const wlId = (i: number): string => String(i + 1).padStart(7, '0');

/**
 * A worklist item with everything wlmscpfs requires of a `.wl` file (DCMTK's WlmFileSystemInteractionManager
 * checks: Scheduled Station AE Title, SPS Start Date and Time, Modality, SPS Description, SPS ID, Requested Procedure
 * ID and Description, Study Instance UID, Patient's Name and ID) and the usual other keys.
 */
export function worklistDataset(row: WorklistRow): Dataset {
  const step = new Dataset();
  step.set('Modality', row.modality);
  step.set('ScheduledStationAETitle', row.station);
  step.set('ScheduledProcedureStepStartDate', row.date);
  step.set('ScheduledProcedureStepStartTime', row.time);
  step.set('ScheduledPerformingPhysicianName', row.performing);
  step.set('ScheduledProcedureStepDescription', row.description);
  step.set('ScheduledStationName', row.station);
  step.set('ScheduledProcedureStepLocation', `${row.modality} DEPT`);
  step.set('ScheduledProcedureStepID', `SPS${wlId(row.i)}`);
  step.set('ScheduledProcedureStepStatus', 'SCHEDULED');
  const ds = new Dataset();
  ds.set('SpecificCharacterSet', 'ISO_IR 100');
  ds.set('AccessionNumber', `WL${wlId(row.i)}`);
  ds.set('ReferringPhysicianName', row.referring);
  ds.set('RequestingPhysician', row.referring);
  ds.set('PatientName', row.name);
  ds.set('PatientID', `WLP${wlId(row.i)}`);
  ds.set('PatientBirthDate', row.birthDate);
  ds.set('PatientSex', row.sex);
  ds.set('StudyInstanceUID', row.studyUid);
  ds.set('RequestedProcedureID', `RP${wlId(row.i)}`);
  ds.set('RequestedProcedureDescription', row.description);
  ds.set('RequestedProcedurePriority', row.priority);
  ds.set('ReferencedStudySequence', [], 'SQ');
  ds.set('ReferencedPatientSequence', [], 'SQ');
  ds.set('ScheduledProcedureStepSequence', [step]);
  return ds;
}
