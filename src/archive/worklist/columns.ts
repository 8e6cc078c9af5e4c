import type { Insertable } from 'kysely';
import type { Dataset } from '../../data/dataset.js';
import { tagForKeyword } from '../../dictionary/attributes.js';
import type { ColumnMap, ColumnSpec } from '../../matching/sql.js';
import { foldCase } from '../../matching/text.js';
import type { WorklistTable } from './table.js';

/** The attribute keywords of the worklist columns: top-level ones, and those of the Scheduled Procedure Step item. */
type Column = Exclude<keyof WorklistTable, 'id' | 'item_json' | 'created_at' | `${string}_folded`>;

interface ColumnDef {
  readonly keyword: string;
  readonly column: Column;
  readonly multiValued?: boolean;
  /** A PN column: the row also holds `<column>_folded` (migration 003) for case-insensitive matching. */
  readonly personName?: boolean;
}

const tagOf = (keyword: string): number => {
  const tag = tagForKeyword(keyword);
  if (tag === undefined) throw new Error(`the dictionary has no ${keyword}`);
  return tag;
};

export const SCHEDULED_PROCEDURE_STEP_SEQUENCE = tagOf('ScheduledProcedureStepSequence');

/** Matching keys of the worklist item itself (seed 002 §3.2), plus Study Instance UID. */
const TOP: readonly ColumnDef[] = [
  { keyword: 'AccessionNumber', column: 'accession_number' },
  { keyword: 'ReferringPhysicianName', column: 'referring_physician_name', personName: true },
  { keyword: 'PatientName', column: 'patient_name', personName: true },
  { keyword: 'PatientID', column: 'patient_id' },
  { keyword: 'PatientBirthDate', column: 'patient_birth_date' },
  { keyword: 'PatientSex', column: 'patient_sex' },
  { keyword: 'RequestingPhysician', column: 'requesting_physician', personName: true },
  { keyword: 'AdmissionID', column: 'admission_id' },
  { keyword: 'RequestedProcedureID', column: 'requested_procedure_id' },
  { keyword: 'RequestedProcedurePriority', column: 'requested_procedure_priority' },
  { keyword: 'StudyInstanceUID', column: 'study_instance_uid' },
];

/** Matching keys inside the Scheduled Procedure Step Sequence item (seed 002 §3.2), plus SPS ID and status. */
const SPS: readonly ColumnDef[] = [
  { keyword: 'Modality', column: 'modality' },
  { keyword: 'ScheduledStationAETitle', column: 'scheduled_station_ae_title', multiValued: true },
  { keyword: 'ScheduledProcedureStepStartDate', column: 'sps_start_date' },
  { keyword: 'ScheduledProcedureStepStartTime', column: 'sps_start_time' },
  { keyword: 'ScheduledPerformingPhysicianName', column: 'scheduled_performing_physician_name', personName: true },
  { keyword: 'ScheduledProcedureStepID', column: 'sps_id' },
  { keyword: 'ScheduledProcedureStepStatus', column: 'sps_status' },
];

const columnMap = (defs: readonly ColumnDef[]): ColumnMap =>
  new Map<number, ColumnSpec>(
    defs.map((d) => [
      tagOf(d.keyword),
      { column: `worklist.${d.column}`, ...(d.multiValued ? { multiValued: true } : {}), ...(d.personName ? { folded: `worklist.${d.column}_folded` } : {}) },
    ]),
  );

/** Columns of the top-level matching keys, for `conditionsToSql`. */
export const WORKLIST_COLUMNS: ColumnMap = columnMap(TOP);
/** Columns of the keys inside the Scheduled Procedure Step item (a row holds exactly one item). */
export const SPS_ITEM_COLUMNS: ColumnMap = columnMap(SPS);

const valueOf = (dataset: Dataset | undefined, keyword: string): string => dataset?.strings(keyword).join('\\') ?? '';

/** The row of a normalized worklist item (one SPS item), without its id. */
export function rowOf(item: Dataset, itemJson: string, createdAt: string): Insertable<WorklistTable> {
  const sps = item.items(SCHEDULED_PROCEDURE_STEP_SEQUENCE)[0];
  const row: Record<string, string> = { item_json: itemJson, created_at: createdAt };
  for (const [defs, source] of [[TOP, item], [SPS, sps]] as const) {
    for (const d of defs) {
      row[d.column] = valueOf(source, d.keyword);
      if (d.personName) row[`${d.column}_folded`] = foldCase(row[d.column]);
    }
  }
  return row as unknown as Insertable<WorklistTable>;
}
