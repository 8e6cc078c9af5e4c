/**
 * C-GET (PS3.7 §9.1.3, §9.3.3): the request carries the Identifier; the SCP sends the matching instances back on
 * the same association as C-STORE sub-operations and reports progress in C-GET responses with sub-operation
 * counts. A final response may carry a data set listing failed SOP instances. Cancelled with C-CANCEL.
 */
import { CommandField, Priority } from './command-elements.js';
import { type CommandSpec, compact, type StatusDetail, statusFields, type SubOperationCounts, subOperationFields } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** C-GET-RQ (PS3.7 Table 9.3-5). */
export interface CGetRq extends CommandFields {
  readonly commandField: typeof CommandField.C_GET_RQ;
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  readonly priority: number;
  readonly hasDataset: true;
}

/** C-GET-RSP (PS3.7 Table 9.3-6). */
export interface CGetRsp extends CommandFields {
  readonly commandField: typeof CommandField.C_GET_RSP;
  readonly messageIdBeingRespondedTo: number;
  readonly status: number;
}

export type CGet = CGetRq | CGetRsp;

export const C_GET_RQ: CommandSpec = {
  commandField: CommandField.C_GET_RQ,
  name: 'C-GET-RQ',
  required: ['messageId', 'affectedSopClassUid', 'priority'],
  dataset: 'required',
};
export const C_GET_RSP: CommandSpec = {
  commandField: CommandField.C_GET_RSP,
  name: 'C-GET-RSP',
  required: ['messageIdBeingRespondedTo', 'status'],
  dataset: 'optional',
};

export interface CGetRqParams {
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  /** Default MEDIUM. */
  readonly priority?: number;
}

export function cGetRq(p: CGetRqParams): CGetRq {
  return {
    commandField: CommandField.C_GET_RQ,
    messageId: p.messageId,
    affectedSopClassUid: p.affectedSopClassUid,
    priority: p.priority ?? Priority.MEDIUM,
    hasDataset: true,
  };
}

export interface CGetRspParams extends StatusDetail, SubOperationCounts {
  readonly messageIdBeingRespondedTo: number;
  readonly affectedSopClassUid?: string;
  /** Whether a data set (Failed SOP Instance UID List) follows. Default false. */
  readonly hasDataset?: boolean;
}

export function cGetRsp(p: CGetRspParams): CGetRsp {
  return compact<CGetRsp>({
    commandField: CommandField.C_GET_RSP,
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    affectedSopClassUid: p.affectedSopClassUid,
    ...statusFields(p),
    ...subOperationFields(p),
    hasDataset: p.hasDataset ?? false,
  });
}
