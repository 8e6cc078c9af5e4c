/**
 * What each DIMSE operation file declares about its request and response: the fields PS3.7 makes mandatory
 * (the "M" rows of the §9.3 / §10.3 tables) and whether a data set follows. `message.ts` checks received commands
 * against these; the builders in the operation files produce commands that satisfy them.
 */
import type { CommandFields } from './command-set.js';

/** Whether a data set follows the command: always (M), never (no data set in the table), or conditionally (C/U). */
export type DatasetRule = 'required' | 'none' | 'optional';

export interface CommandSpec {
  readonly commandField: number;
  /** As PS3.7 writes it: 'C-STORE-RQ'. */
  readonly name: string;
  readonly required: readonly (keyof CommandFields)[];
  readonly dataset: DatasetRule;
}

/**
 * The status-related fields any response may carry (PS3.7 Annex C: Offending Element, Error Comment, Error ID,
 * and Attribute Identifier List for an attribute list error).
 */
export interface StatusDetail {
  /** Default 0000H (success). */
  readonly status?: number;
  readonly offendingElements?: readonly number[];
  readonly errorComment?: string;
  readonly errorId?: number;
  readonly attributeIdentifierList?: readonly number[];
}

/** The object without its undefined properties, so a command holds only the fields it sends. */
export function compact<T extends object>(fields: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** The status fields of a response, with status defaulting to success. */
export const statusFields = (d: StatusDetail): StatusDetail & { readonly status: number } => ({
  status: d.status ?? 0x0000,
  offendingElements: d.offendingElements,
  errorComment: d.errorComment,
  errorId: d.errorId,
  attributeIdentifierList: d.attributeIdentifierList,
});

/**
 * Sub-operation counts of a C-GET/C-MOVE response (PS3.7 §9.1.3.1.7–10): Remaining is sent with pending
 * responses; Completed, Failed and Warning with pending and final ones.
 */
export interface SubOperationCounts {
  readonly remainingSuboperations?: number;
  readonly completedSuboperations?: number;
  readonly failedSuboperations?: number;
  readonly warningSuboperations?: number;
}

/** The sub-operation count fields of a C-GET or C-MOVE response (those given). */
export const subOperationFields = (c: SubOperationCounts): SubOperationCounts => ({
  remainingSuboperations: c.remainingSuboperations,
  completedSuboperations: c.completedSuboperations,
  failedSuboperations: c.failedSuboperations,
  warningSuboperations: c.warningSuboperations,
});
