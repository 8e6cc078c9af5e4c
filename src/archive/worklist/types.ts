import type { Dataset } from '../../data/dataset.js';
import type { WorklistSource } from '../../services/worklist/source.js';

/** A stored worklist entry: one Scheduled Procedure Step, its database id, and when it was added. */
export interface WorklistEntry {
  readonly id: number;
  /** The worklist item, with exactly one item in its Scheduled Procedure Step Sequence. */
  readonly item: Dataset;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** What `list` selects; every field narrows. */
export interface WorklistFilter {
  /** Scheduled Procedure Step Start Date: `YYYYMMDD`, or a range `YYYYMMDD-YYYYMMDD`, `YYYYMMDD-`, `-YYYYMMDD`. */
  readonly date?: string;
  readonly modality?: string;
  readonly stationAeTitle?: string;
  readonly limit?: number;
}

/** What `remove` deletes: entries by Accession Number, by id, or every entry scheduled before a date (`YYYYMMDD`). */
export type WorklistRemoval =
  | { readonly accessionNumbers: readonly string[] }
  | { readonly ids: readonly number[] }
  | { readonly before: string };

/** The worklist of a data folder (Modality Worklist entries for the MWL SCP), kept in the archive's database. */
export interface WorklistStore extends WorklistSource {
  /**
   * Validates and adds entries, all or none (one transaction). Each input becomes one entry per Scheduled Procedure
   * Step (see `normalizeWorklistItem`). `labels` name the inputs in errors (`line 3`); default `entry N`.
   */
  add(items: readonly Dataset[], options?: { readonly labels?: readonly string[] }): Promise<WorklistEntry[]>;
  list(filter?: WorklistFilter): Promise<WorklistEntry[]>;
  /** The entries of these ids (those that exist), in start date and time order. */
  entries(ids: readonly number[]): Promise<WorklistEntry[]>;
  /** Returns how many entries were removed. */
  remove(removal: WorklistRemoval): Promise<number>;
  count(): Promise<number>;
}
