/**
 * C-STORE (PS3.7 §9.1.1, §9.3.1): transfers a composite SOP instance. The request carries it as its data set; the
 * response carries none.
 */
import { CommandField, Priority } from './command-elements.js';
import { type CommandSpec, compact, type StatusDetail, statusFields } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** C-STORE-RQ (PS3.7 Table 9.3-1). */
export interface CStoreRq extends CommandFields {
  readonly commandField: typeof CommandField.C_STORE_RQ;
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  readonly affectedSopInstanceUid: string;
  readonly priority: number;
  readonly hasDataset: true;
  /** Set when this store is a sub-operation of a C-MOVE (U). */
  readonly moveOriginatorAeTitle?: string;
  readonly moveOriginatorMessageId?: number;
}

/** C-STORE-RSP (PS3.7 Table 9.3-2). */
export interface CStoreRsp extends CommandFields {
  readonly commandField: typeof CommandField.C_STORE_RSP;
  readonly messageIdBeingRespondedTo: number;
  readonly status: number;
  readonly hasDataset: false;
}

export type CStore = CStoreRq | CStoreRsp;

export const C_STORE_RQ: CommandSpec = {
  commandField: CommandField.C_STORE_RQ,
  name: 'C-STORE-RQ',
  required: ['messageId', 'affectedSopClassUid', 'affectedSopInstanceUid', 'priority'],
  dataset: 'required',
};
export const C_STORE_RSP: CommandSpec = {
  commandField: CommandField.C_STORE_RSP,
  name: 'C-STORE-RSP',
  required: ['messageIdBeingRespondedTo', 'status'],
  dataset: 'none',
};

export interface CStoreRqParams {
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  readonly affectedSopInstanceUid: string;
  /** Default MEDIUM. */
  readonly priority?: number;
  readonly moveOriginatorAeTitle?: string;
  readonly moveOriginatorMessageId?: number;
}

export function cStoreRq(p: CStoreRqParams): CStoreRq {
  return compact<CStoreRq>({
    commandField: CommandField.C_STORE_RQ,
    messageId: p.messageId,
    affectedSopClassUid: p.affectedSopClassUid,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    priority: p.priority ?? Priority.MEDIUM,
    moveOriginatorAeTitle: p.moveOriginatorAeTitle,
    moveOriginatorMessageId: p.moveOriginatorMessageId,
    hasDataset: true,
  });
}

export interface CStoreRspParams extends StatusDetail {
  readonly messageIdBeingRespondedTo: number;
  /** Optional in the response (U); usually echoed from the request. */
  readonly affectedSopClassUid?: string;
  readonly affectedSopInstanceUid?: string;
}

export function cStoreRsp(p: CStoreRspParams): CStoreRsp {
  return compact<CStoreRsp>({
    commandField: CommandField.C_STORE_RSP,
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    affectedSopClassUid: p.affectedSopClassUid,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    ...statusFields(p),
    hasDataset: false,
  });
}
