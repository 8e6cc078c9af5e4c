/**
 * N-CREATE (PS3.7 §10.1.5, §10.3.5): creates a managed SOP instance (MPPS, Film Session, Film Box). The request
 * may name the instance (Affected SOP Instance UID, U) and may carry the Attribute List; when it does not name it
 * the SCP assigns the UID and returns it in the response.
 */
import { CommandField } from './command-elements.js';
import { type CommandSpec, compact, type StatusDetail, statusFields } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** N-CREATE-RQ (PS3.7 Table 10.3-9). */
export interface NCreateRq extends CommandFields {
  readonly commandField: typeof CommandField.N_CREATE_RQ;
  readonly messageId: number;
  readonly affectedSopClassUid: string;
}

/** N-CREATE-RSP (PS3.7 Table 10.3-10). */
export interface NCreateRsp extends CommandFields {
  readonly commandField: typeof CommandField.N_CREATE_RSP;
  readonly messageIdBeingRespondedTo: number;
  readonly status: number;
}

export type NCreate = NCreateRq | NCreateRsp;

export const N_CREATE_RQ: CommandSpec = {
  commandField: CommandField.N_CREATE_RQ,
  name: 'N-CREATE-RQ',
  required: ['messageId', 'affectedSopClassUid'],
  dataset: 'optional',
};
export const N_CREATE_RSP: CommandSpec = {
  commandField: CommandField.N_CREATE_RSP,
  name: 'N-CREATE-RSP',
  required: ['messageIdBeingRespondedTo', 'status'],
  dataset: 'optional',
};

export interface NCreateRqParams {
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  /** The new instance's UID; when absent the SCP assigns one. */
  readonly affectedSopInstanceUid?: string;
  /** Whether the Attribute List follows. Default true. */
  readonly hasDataset?: boolean;
}

export function nCreateRq(p: NCreateRqParams): NCreateRq {
  return compact<NCreateRq>({
    commandField: CommandField.N_CREATE_RQ,
    messageId: p.messageId,
    affectedSopClassUid: p.affectedSopClassUid,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    hasDataset: p.hasDataset ?? true,
  });
}

export interface NCreateRspParams extends StatusDetail {
  readonly messageIdBeingRespondedTo: number;
  readonly affectedSopClassUid?: string;
  /** Conditional (C): required when the request did not name the instance. */
  readonly affectedSopInstanceUid?: string;
  /** Whether the Attribute List follows. Default false. */
  readonly hasDataset?: boolean;
}

export function nCreateRsp(p: NCreateRspParams): NCreateRsp {
  return compact<NCreateRsp>({
    commandField: CommandField.N_CREATE_RSP,
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    affectedSopClassUid: p.affectedSopClassUid,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    ...statusFields(p),
    hasDataset: p.hasDataset ?? false,
  });
}
