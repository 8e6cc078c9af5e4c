/**
 * How `portico find` and `portico worklist` print matches: a table with columns chosen per level (names decoded,
 * East Asian wide characters counted as two columns, control characters from the wire shown as '?', long values
 * cut with '…'), or a DICOM JSON array (PS3.18 Annex F).
 */
import type { Dataset } from '../data/dataset.js';
import type { Tag } from '../data/tag.js';
import { keywordOf, tagForKeyword } from '../dictionary/attributes.js';
import { uidName } from '../dictionary/uids.js';
import { stringifyDicomJson, toDicomJson } from '../encoding/dicom-json.js';
import type { QueryLevel } from '../services/query-retrieve/scu-find-keys.js';

/** One column: its header and how a match gives its cell. */
export interface Column {
  readonly header: string;
  readonly cell: (match: Dataset) => string;
  /** Widest the column gets (in terminal columns). */
  readonly max: number;
}

const tag = (keyword: string): Tag => tagForKeyword(keyword)!;

/** The values of an attribute, `\`-joined ('' when absent). */
const valueOf = (match: Dataset | undefined, t: Tag): string => (match ? match.strings(t).join('\\') : '');

const column = (header: string, keyword: string, max = 32): Column => {
  const t = tag(keyword);
  return { header, cell: (m) => valueOf(m, t), max };
};

/** A column for an attribute the user asked for: headed by its keyword. */
export const keyColumn = (t: Tag): Column => ({ header: keywordOf(t) || String(t), cell: (m) => valueOf(m, t), max: 40 });

const sopClassColumn: Column = {
  header: 'SOP Class',
  cell: (m) => {
    const uid = m.string('SOPClassUID');
    return uid === undefined ? '' : uidName(uid);
  },
  max: 40,
};

/** The columns of each Query/Retrieve level. */
export const FIND_COLUMNS: Readonly<Record<QueryLevel, readonly Column[]>> = {
  PATIENT: [
    column('Patient', 'PatientName', 40),
    column('ID', 'PatientID', 20),
    column('Birth', 'PatientBirthDate', 8),
    column('Sex', 'PatientSex', 3),
    column('Studies', 'NumberOfPatientRelatedStudies', 7),
  ],
  STUDY: [
    column('Patient', 'PatientName', 40),
    column('ID', 'PatientID', 20),
    column('Date', 'StudyDate', 17),
    column('Time', 'StudyTime', 13),
    column('Modalities', 'ModalitiesInStudy', 12),
    column('Accession', 'AccessionNumber', 16),
    column('Description', 'StudyDescription', 32),
    column('Series', 'NumberOfStudyRelatedSeries', 6),
    column('Instances', 'NumberOfStudyRelatedInstances', 9),
    column('Study Instance UID', 'StudyInstanceUID', 64),
  ],
  SERIES: [
    column('Modality', 'Modality', 8),
    column('Number', 'SeriesNumber', 6),
    column('Description', 'SeriesDescription', 32),
    column('Date', 'SeriesDate', 8),
    column('Instances', 'NumberOfSeriesRelatedInstances', 9),
    column('Series Instance UID', 'SeriesInstanceUID', 64),
  ],
  IMAGE: [column('Number', 'InstanceNumber', 6), sopClassColumn, column('SOP Instance UID', 'SOPInstanceUID', 64)],
};

const SPS = tag('ScheduledProcedureStepSequence');
/** A column for a key of the (first) Scheduled Procedure Step item. */
const stepColumn = (header: string, keyword: string, max = 32): Column => {
  const t = tag(keyword);
  return { header, cell: (m) => valueOf(m.items(SPS)[0], t), max };
};

/** The columns of a worklist item. */
export const WORKLIST_COLUMNS: readonly Column[] = [
  {
    header: 'Scheduled',
    cell: (m) => {
      const step = m.items(SPS)[0];
      return [valueOf(step, tag('ScheduledProcedureStepStartDate')), valueOf(step, tag('ScheduledProcedureStepStartTime'))].filter(Boolean).join(' ');
    },
    max: 22,
  },
  stepColumn('Modality', 'Modality', 8),
  stepColumn('Station AET', 'ScheduledStationAETitle', 16),
  column('Patient', 'PatientName', 40),
  column('ID', 'PatientID', 20),
  column('Birth', 'PatientBirthDate', 8),
  column('Sex', 'PatientSex', 3),
  column('Accession', 'AccessionNumber', 16),
  {
    header: 'Procedure',
    cell: (m) => valueOf(m, tag('RequestedProcedureDescription')) || valueOf(m.items(SPS)[0], tag('ScheduledProcedureStepDescription')),
    max: 32,
  },
  stepColumn('Step ID', 'ScheduledProcedureStepID', 16),
];

/** Attributes that describe the query, not a match: never a column of their own. */
const NOT_COLUMNS: ReadonlySet<Tag> = new Set([SPS, tag('SpecificCharacterSet'), tag('QueryRetrieveLevel')]);

/** The level's columns, then one per attribute the user named that no column shows yet. */
export function columnsWith(base: readonly Column[], extra: readonly Tag[], shown: readonly Tag[]): Column[] {
  const have = new Set(shown);
  return [...base, ...extra.filter((t) => !have.has(t) && !NOT_COLUMNS.has(t)).map(keyColumn)];
}

/** The tags the base columns of a level show (so that `-k` keys already shown get no second column). */
export const FIND_SHOWN: Readonly<Record<QueryLevel, readonly Tag[]>> = {
  PATIENT: ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'NumberOfPatientRelatedStudies'].map(tag),
  STUDY: ['PatientName', 'PatientID', 'StudyDate', 'StudyTime', 'ModalitiesInStudy', 'AccessionNumber', 'StudyDescription', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances', 'StudyInstanceUID'].map(tag),
  SERIES: ['Modality', 'SeriesNumber', 'SeriesDescription', 'SeriesDate', 'NumberOfSeriesRelatedInstances', 'SeriesInstanceUID'].map(tag),
  IMAGE: ['InstanceNumber', 'SOPClassUID', 'SOPInstanceUID'].map(tag),
};
export const WORKLIST_SHOWN: readonly Tag[] = ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'AccessionNumber', 'RequestedProcedureDescription'].map(tag);

// -- Text --------------------------------------------------------------------------------------------------------------

/** Terminal columns of a code point: 0 for combining marks, 2 for East Asian wide and fullwidth forms, else 1. */
function codePointWidth(cp: number): number {
  if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfeff) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Width of text in terminal columns. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += codePointWidth(ch.codePointAt(0)!);
  return width;
}

/** Text from the wire as one safe cell: control characters (escape sequences included) become '?'. */
 
export const sanitize = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?').trimEnd();

/** Cuts text to `width` columns, ending with '…' when cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = codePointWidth(ch.codePointAt(0)!);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

const padTo = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

/** The matches as a table: a header line, then one line per match; columns no match fills are left out. */
export function renderTable(matches: readonly Dataset[], columns: readonly Column[]): string {
  const cells = matches.map((m) => columns.map((c) => truncate(sanitize(safeCell(c, m)), c.max)));
  const used = columns.map((_, i) => cells.some((row) => row[i] !== ''));
  const kept = columns.map((c, i) => ({ c, i })).filter(({ i }) => used[i]);
  if (kept.length === 0) return '';
  const widths = kept.map(({ c, i }) => Math.max(displayWidth(c.header), ...cells.map((row) => displayWidth(row[i]!))));
  const line = (values: readonly string[]): string => values.map((v, k) => (k === values.length - 1 ? v : padTo(v, widths[k]!))).join('  ').trimEnd();
  return [line(kept.map(({ c }) => c.header)), ...cells.map((row) => line(kept.map(({ i }) => row[i]!)))].map((l) => `${l}\n`).join('');
}

/** A cell whose value cannot be decoded shows '?' instead of failing the whole table. */
function safeCell(column: Column, match: Dataset): string {
  try {
    return column.cell(match);
  } catch {
    return '?';
  }
}

/** The matches as a DICOM JSON array (PS3.18 F.2), indented. */
export function renderJson(matches: readonly Dataset[]): string {
  return `${stringifyDicomJson(matches.map((m) => toDicomJson(m)), 2)}\n`;
}

/** `1 match`, `3 matches`. */
export const countMatches = (n: number, one = 'match', many = 'matches'): string => `${n} ${n === 1 ? one : many}`;
