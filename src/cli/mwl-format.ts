import type { WorklistEntry } from '../archive/worklist/types.js';
import type { Dataset } from '../data/dataset.js';
import { type DicomJson, toDicomJson } from '../encoding/dicom-json.js';

/** The fields of an entry that `portico mwl list` shows. */
export interface EntrySummary {
  readonly id: number;
  readonly date: string;
  readonly time: string;
  readonly modality: string;
  readonly stationAeTitle: string;
  readonly accessionNumber: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly birthDate: string;
  readonly sex: string;
  readonly procedure: string;
  readonly scheduledProcedureStepId: string;
  readonly requestedProcedureId: string;
  readonly studyInstanceUid: string;
  readonly createdAt: string;
}

const value = (dataset: Dataset | undefined, keyword: string): string => dataset?.strings(keyword).join('\\') ?? '';

export function summarize(entry: WorklistEntry): EntrySummary {
  const item = entry.item;
  const sps = item.items('ScheduledProcedureStepSequence')[0];
  return {
    id: entry.id,
    date: value(sps, 'ScheduledProcedureStepStartDate'),
    time: value(sps, 'ScheduledProcedureStepStartTime'),
    modality: value(sps, 'Modality'),
    stationAeTitle: value(sps, 'ScheduledStationAETitle'),
    accessionNumber: value(item, 'AccessionNumber'),
    patientId: value(item, 'PatientID'),
    patientName: value(item, 'PatientName'),
    birthDate: value(item, 'PatientBirthDate'),
    sex: value(item, 'PatientSex'),
    procedure: value(item, 'RequestedProcedureDescription') || value(sps, 'ScheduledProcedureStepDescription'),
    scheduledProcedureStepId: value(sps, 'ScheduledProcedureStepID'),
    requestedProcedureId: value(item, 'RequestedProcedureID'),
    studyInstanceUid: value(item, 'StudyInstanceUID'),
    createdAt: entry.createdAt,
  };
}

/** An entry for `--json`: the summary, and the whole item as DICOM JSON. */
export function entryJson(entry: WorklistEntry): EntrySummary & { readonly item: DicomJson } {
  return { ...summarize(entry), item: toDicomJson(entry.item) };
}

/** One line about an entry just added. */
export function formatAdded(entry: WorklistEntry): string {
  const s = summarize(entry);
  const when = [s.date, s.time].filter(Boolean).join(' ');
  const where = [s.modality || 'any modality', s.stationAeTitle ? `on ${s.stationAeTitle}` : ''].filter(Boolean).join(' ');
  const what = s.procedure ? ` "${s.procedure}"` : '';
  return `Added worklist entry ${s.id}: ${s.patientName} [${s.patientId}] acc ${s.accessionNumber || '-'}, ${when}, ${where}${what}, SPS ${s.scheduledProcedureStepId}, study ${s.studyInstanceUid}`;
}

const COLUMNS: readonly { readonly title: string; readonly get: (s: EntrySummary) => string; readonly max?: number }[] = [
  { title: 'ID', get: (s) => String(s.id) },
  { title: 'DATE', get: (s) => s.date },
  { title: 'TIME', get: (s) => s.time },
  { title: 'MOD', get: (s) => s.modality },
  { title: 'STATION', get: (s) => s.stationAeTitle },
  { title: 'ACCESSION', get: (s) => s.accessionNumber },
  { title: 'PATIENT ID', get: (s) => s.patientId },
  { title: 'PATIENT NAME', get: (s) => s.patientName, max: 40 },
  { title: 'PROCEDURE', get: (s) => s.procedure, max: 40 },
];

const clip = (text: string, max: number | undefined): string => (max !== undefined && [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text);
const width = (text: string): number => [...text].length;

/** The entries as a table with a header row; columns as wide as their widest cell. */
export function formatTable(entries: readonly WorklistEntry[]): string {
  const rows = entries.map((e) => {
    const s = summarize(e);
    return COLUMNS.map((c) => clip(c.get(s), c.max) || '-');
  });
  const header = COLUMNS.map((c) => c.title);
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c)))).join('  ').trimEnd();
  return [header, ...rows].map((r) => `${line(r)}\n`).join('');
}
