/**
 * N-GET (PS3.7 §10.1.2, §10.3.2): retrieves attribute values of a managed SOP instance (e.g. the Printer, a Print
 * Job). The request names the attributes in Attribute Identifier List (all of them when absent) and has no data
 * set; a successful response carries the Attribute List.
 */
import { CommandField } from './command-elements.js';
import { type CommandSpec, compact, type StatusDetail, statusFields } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** N-GET-RQ (PS3.7 Table 10.3-3). */
export interface NGetRq extends CommandFields {
  readonly commandField: typeof CommandField.N_GET_RQ;
  readonly messageId: number;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
  readonly hasDataset: false;
}

/** N-GET-RSP (PS3.7 Table 10.3-4). */
export interface NGetRsp extends CommandFields {
  readonly commandField: typeof CommandField.N_GET_RSP;
  readonly messageIdBeingRespondedTo: number;
  readonly status: number;
}

export type NGet = NGetRq | NGetRsp;

export const N_GET_RQ: CommandSpec = {
  commandField: CommandField.N_GET_RQ,
  name: 'N-GET-RQ',
  required: ['messageId', 'requestedSopClassUid', 'requestedSopInstanceUid'],
  dataset: 'none',
};
export const N_GET_RSP: CommandSpec = {
  commandField: CommandField.N_GET_RSP,
  name: 'N-GET-RSP',
  required: ['messageIdBeingRespondedTo', 'status'],
  dataset: 'optional',
};

export interface NGetRqParams {
  readonly messageId: number;
  readonly requestedSopClassUid: string;
  readonly requestedSopInstanceUid: string;
  /** The attributes wanted; absent = all (U). */
  readonly attributeIdentifierList?: readonly number[];
}

export function nGetRq(p: NGetRqParams): NGetRq {
  return compact<NGetRq>({
    commandField: CommandField.N_GET_RQ,
    messageId: p.messageId,
    requestedSopClassUid: p.requestedSopClassUid,
    requestedSopInstanceUid: p.requestedSopInstanceUid,
    attributeIdentifierList: p.attributeIdentifierList,
    hasDataset: false,
  });
}

export interface NGetRspParams extends StatusDetail {
  readonly messageIdBeingRespondedTo: number;
  readonly affectedSopClassUid?: string;
  readonly affectedSopInstanceUid?: string;
  /** Whether the Attribute List follows. Default true for success/warning statuses, else false. */
  readonly hasDataset?: boolean;
}

export function nGetRsp(p: NGetRspParams): NGetRsp {
  const status = p.status ?? 0x0000;
  return compact<NGetRsp>({
    commandField: CommandField.N_GET_RSP,
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    affectedSopClassUid: p.affectedSopClassUid,
    affectedSopInstanceUid: p.affectedSopInstanceUid,
    ...statusFields(p),
    hasDataset: p.hasDataset ?? (status === 0x0000 || status === 0x0001 || status === 0x0107 || status === 0x0116 || (status & 0xf000) === 0xb000),
  });
}
