/**
 * C-MOVE (PS3.7 §9.1.4, §9.3.4): the request carries the Identifier and names a Move Destination AE; the SCP
 * sends the matching instances to that AE as C-STORE sub-operations on another association and reports progress
 * in C-MOVE responses with sub-operation counts. Cancelled with C-CANCEL.
 */
import { CommandField, Priority } from './command-elements.js';
import { type CommandSpec, compact, type StatusDetail, statusFields, type SubOperationCounts, subOperationFields } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** C-MOVE-RQ (PS3.7 Table 9.3-7). */
export interface CMoveRq extends CommandFields {
  readonly commandField: typeof CommandField.C_MOVE_RQ;
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  readonly priority: number;
  readonly moveDestination: string;
  readonly hasDataset: true;
}

/** C-MOVE-RSP (PS3.7 Table 9.3-8). */
export interface CMoveRsp extends CommandFields {
  readonly commandField: typeof CommandField.C_MOVE_RSP;
  readonly messageIdBeingRespondedTo: number;
  readonly status: number;
}

export type CMove = CMoveRq | CMoveRsp;

export const C_MOVE_RQ: CommandSpec = {
  commandField: CommandField.C_MOVE_RQ,
  name: 'C-MOVE-RQ',
  required: ['messageId', 'affectedSopClassUid', 'priority', 'moveDestination'],
  dataset: 'required',
};
export const C_MOVE_RSP: CommandSpec = {
  commandField: CommandField.C_MOVE_RSP,
  name: 'C-MOVE-RSP',
  required: ['messageIdBeingRespondedTo', 'status'],
  dataset: 'optional',
};

export interface CMoveRqParams {
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  readonly moveDestination: string;
  /** Default MEDIUM. */
  readonly priority?: number;
}

export function cMoveRq(p: CMoveRqParams): CMoveRq {
  return {
    commandField: CommandField.C_MOVE_RQ,
    messageId: p.messageId,
    affectedSopClassUid: p.affectedSopClassUid,
    priority: p.priority ?? Priority.MEDIUM,
    moveDestination: p.moveDestination,
    hasDataset: true,
  };
}

export interface CMoveRspParams extends StatusDetail, SubOperationCounts {
  readonly messageIdBeingRespondedTo: number;
  readonly affectedSopClassUid?: string;
  /** Whether a data set (Failed SOP Instance UID List) follows. Default false. */
  readonly hasDataset?: boolean;
}

export function cMoveRsp(p: CMoveRspParams): CMoveRsp {
  return compact<CMoveRsp>({
    commandField: CommandField.C_MOVE_RSP,
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    affectedSopClassUid: p.affectedSopClassUid,
    ...statusFields(p),
    ...subOperationFields(p),
    hasDataset: p.hasDataset ?? false,
  });
}
