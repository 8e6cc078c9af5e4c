/**
 * N-ACTION (PS3.7 §10.1.4, §10.3.4): asks a managed SOP instance to perform an action (print a Film Session or
 * Film Box, request Storage Commitment). The request may carry Action Information; the response may carry an
 * Action Reply.
 */
import { CommandField } from './command-elements.js';
import { type CommandSpec, compact, type StatusDetail, statusFields } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** N-ACTION-RQ (PS3.7 Table 10.3-7). */
export interface NActionRq extends CommandFields {
  readonly commandField: typeof CommandField.N_ACTION_RQ;
  readonly messageId: number;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
  readonly actionTypeId: number;
}

/** N-ACTION-RSP (PS3.7 Table 10.3-8). */
export interface NActionRsp extends CommandFields {
  readonly commandField: typeof CommandField.N_ACTION_RSP;
  readonly messageIdBeingRespondedTo: number;
  readonly status: number;
}

export type NAction = NActionRq | NActionRsp;

export const N_ACTION_RQ: CommandSpec = {
  commandField: CommandField.N_ACTION_RQ,
  name: 'N-ACTION-RQ',
  required: ['messageId', 'requestedSopClassUid', 'requestedSopInstanceUid', 'actionTypeId'],
  dataset: 'optional',
};
export const N_ACTION_RSP: CommandSpec = {
  commandField: CommandField.N_ACTION_RSP,
  name: 'N-ACTION-RSP',
  required: ['messageIdBeingRespondedTo', 'status'],
  dataset: 'optional',
};

export interface NActionRqParams {
  readonly messageId: number;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
  readonly actionTypeId: number;
  /** Whether Action Information follows. Default false. */
  readonly hasDataset?: boolean;
}

export function nActionRq(p: NActionRqParams): NActionRq {
  return {
    commandField: CommandField.N_ACTION_RQ,
    messageId: p.messageId,
    requestedSopClassUid: p.requestedSopClassUid,
    requestedSopInstanceUid: p.requestedSopInstanceUid,
    actionTypeId: p.actionTypeId,
    hasDataset: p.hasDataset ?? false,
  };
}

export interface NActionRspParams extends StatusDetail {
  readonly messageIdBeingRespondedTo: number;
  readonly affectedSopClassUid?: string;
  readonly affectedSopInstanceUid?: string;
  /** Conditional (C): echoed from the request. */
  readonly actionTypeId?: number;
  /** Whether an Action Reply follows. Default false. */
  readonly hasDataset?: boolean;
}

export function nActionRsp(p: NActionRspParams): NActionRsp {
  return compact<NActionRsp>({
    commandField: CommandField.N_ACTION_RSP,
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    affectedSopClassUid: p.affectedSopClassUid,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    actionTypeId: p.actionTypeId,
    ...statusFields(p),
    hasDataset: p.hasDataset ?? false,
  });
}
