/**
 * N-DELETE (PS3.7 §10.1.6, §10.3.6): deletes a managed SOP instance (a Film Session or Film Box). Neither the
 * request nor the response carries a data set.
 */
import { CommandField } from './command-elements.js';
import { type CommandSpec, compact, type StatusDetail, statusFields } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** N-DELETE-RQ (PS3.7 Table 10.3-11). */
export interface NDeleteRq extends CommandFields {
  readonly commandField: typeof CommandField.N_DELETE_RQ;
  readonly messageId: number;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
  readonly hasDataset: false;
}

/** N-DELETE-RSP (PS3.7 Table 10.3-12). */
export interface NDeleteRsp extends CommandFields {
  readonly commandField: typeof CommandField.N_DELETE_RSP;
  readonly messageIdBeingRespondedTo: number;
  readonly status: number;
  readonly hasDataset: false;
}

export type NDelete = NDeleteRq | NDeleteRsp;

export const N_DELETE_RQ: CommandSpec = {
  commandField: CommandField.N_DELETE_RQ,
  name: 'N-DELETE-RQ',
  required: ['messageId', 'requestedSopClassUid', 'requestedSopInstanceUid'],
  dataset: 'none',
};
export const N_DELETE_RSP: CommandSpec = {
  commandField: CommandField.N_DELETE_RSP,
  name: 'N-DELETE-RSP',
  required: ['messageIdBeingRespondedTo', 'status'],
  dataset: 'none',
};

export interface NDeleteRqParams {
  readonly messageId: number;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
}

export function nDeleteRq(p: NDeleteRqParams): NDeleteRq {
  return {
    commandField: CommandField.N_DELETE_RQ,
    messageId: p.messageId,
    requestedSopClassUid: p.requestedSopClassUid,
    requestedSopInstanceUid: p.requestedSopInstanceUid,
    hasDataset: false,
  };
}

export interface NDeleteRspParams extends StatusDetail {
  readonly messageIdBeingRespondedTo: number;
  readonly affectedSopClassUid?: string;
  readonly affectedSopInstanceUid?: string;
}

export function nDeleteRsp(p: NDeleteRspParams): NDeleteRsp {
  return compact<NDeleteRsp>({
    commandField: CommandField.N_DELETE_RSP,
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    affectedSopClassUid: p.affectedSopClassUid,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    ...statusFields(p),
    hasDataset: false,
  });
}
