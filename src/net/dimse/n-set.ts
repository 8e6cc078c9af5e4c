/**
 * N-SET (PS3.7 §10.1.3, §10.3.3): modifies attribute values of a managed SOP instance (MPPS progress, Film Box,
 * Image Box). The request carries the Modification List; the response may carry the Attribute List.
 */
import { CommandField } from './command-elements.js';
import { type CommandSpec, compact, type StatusDetail, statusFields } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** N-SET-RQ (PS3.7 Table 10.3-5). */
export interface NSetRq extends CommandFields {
  readonly commandField: typeof CommandField.N_SET_RQ;
  readonly messageId: number;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
  readonly hasDataset: true;
}

/** N-SET-RSP (PS3.7 Table 10.3-6). */
export interface NSetRsp extends CommandFields {
  readonly commandField: typeof CommandField.N_SET_RSP;
  readonly messageIdBeingRespondedTo: number;
  readonly status: number;
}

export type NSet = NSetRq | NSetRsp;

export const N_SET_RQ: CommandSpec = {
  commandField: CommandField.N_SET_RQ,
  name: 'N-SET-RQ',
  required: ['messageId', 'requestedSopClassUid', 'requestedSopInstanceUid'],
  dataset: 'required',
};
export const N_SET_RSP: CommandSpec = {
  commandField: CommandField.N_SET_RSP,
  name: 'N-SET-RSP',
  required: ['messageIdBeingRespondedTo', 'status'],
  dataset: 'optional',
};

export interface NSetRqParams {
  readonly messageId: number;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
}

export function nSetRq(p: NSetRqParams): NSetRq {
  return {
    commandField: CommandField.N_SET_RQ,
    messageId: p.messageId,
    requestedSopClassUid: p.requestedSopClassUid,
    requestedSopInstanceUid: p.requestedSopInstanceUid,
    hasDataset: true,
  };
}

export interface NSetRspParams extends StatusDetail {
  readonly messageIdBeingRespondedTo: number;
  readonly affectedSopClassUid?: string;
  readonly affectedSopInstanceUid?: string;
  /** Whether the Attribute List follows. Default false. */
  readonly hasDataset?: boolean;
}

export function nSetRsp(p: NSetRspParams): NSetRsp {
  return compact<NSetRsp>({
    commandField: CommandField.N_SET_RSP,
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    affectedSopClassUid: p.affectedSopClassUid,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    ...statusFields(p),
    hasDataset: p.hasDataset ?? false,
  });
}
