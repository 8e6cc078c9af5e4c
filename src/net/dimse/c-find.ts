/**
 * C-FIND (PS3.7 §9.1.2, §9.3.2): the request carries the Identifier (query keys); each pending response (FF00H,
 * FF01H) carries one match; the final response normally carries none. Cancelled with C-CANCEL (`c-cancel.ts`).
 */
import { CommandField, Priority } from './command-elements.js';
import { type CommandSpec, compact, type StatusDetail, statusFields } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** C-FIND-RQ (PS3.7 Table 9.3-3). */
export interface CFindRq extends CommandFields {
  readonly commandField: typeof CommandField.C_FIND_RQ;
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  readonly priority: number;
  readonly hasDataset: true;
}

/** C-FIND-RSP (PS3.7 Table 9.3-4). */
export interface CFindRsp extends CommandFields {
  readonly commandField: typeof CommandField.C_FIND_RSP;
  readonly messageIdBeingRespondedTo: number;
  readonly status: number;
}

export type CFind = CFindRq | CFindRsp;

export const C_FIND_RQ: CommandSpec = {
  commandField: CommandField.C_FIND_RQ,
  name: 'C-FIND-RQ',
  required: ['messageId', 'affectedSopClassUid', 'priority'],
  dataset: 'required',
};
/** The Identifier is conditional (pending responses); some SCPs also send one with the final status. */
export const C_FIND_RSP: CommandSpec = {
  commandField: CommandField.C_FIND_RSP,
  name: 'C-FIND-RSP',
  required: ['messageIdBeingRespondedTo', 'status'],
  dataset: 'optional',
};

export interface CFindRqParams {
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  /** Default MEDIUM. */
  readonly priority?: number;
}

export function cFindRq(p: CFindRqParams): CFindRq {
  return {
    commandField: CommandField.C_FIND_RQ,
    messageId: p.messageId,
    affectedSopClassUid: p.affectedSopClassUid,
    priority: p.priority ?? Priority.MEDIUM,
    hasDataset: true,
  };
}

export interface CFindRspParams extends StatusDetail {
  readonly messageIdBeingRespondedTo: number;
  readonly affectedSopClassUid?: string;
  /** Whether an Identifier follows: true for pending responses (the default when status is FF00H/FF01H). */
  readonly hasDataset?: boolean;
}

export function cFindRsp(p: CFindRspParams): CFindRsp {
  const status = p.status ?? 0x0000;
  return compact<CFindRsp>({
    commandField: CommandField.C_FIND_RSP,
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    affectedSopClassUid: p.affectedSopClassUid,
    ...statusFields(p),
    hasDataset: p.hasDataset ?? (status === 0xff00 || status === 0xff01),
  });
}
