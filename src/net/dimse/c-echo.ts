/**
 * C-ECHO (PS3.7 §9.1.5, §9.3.5): verifies end-to-end communication. Neither the request nor the response carries a
 * data set.
 */
import { CommandField } from './command-elements.js';
import { type CommandSpec, compact, type StatusDetail, statusFields } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** C-ECHO-RQ (PS3.7 Table 9.3-12). */
export interface CEchoRq extends CommandFields {
  readonly commandField: typeof CommandField.C_ECHO_RQ;
  readonly messageId: number;
  readonly affectedSopClassUid: string;
  readonly hasDataset: false;
}

/** C-ECHO-RSP (PS3.7 Table 9.3-13). */
export interface CEchoRsp extends CommandFields {
  readonly commandField: typeof CommandField.C_ECHO_RSP;
  readonly messageIdBeingRespondedTo: number;
  readonly status: number;
  readonly hasDataset: false;
}

export type CEcho = CEchoRq | CEchoRsp;

export const C_ECHO_RQ: CommandSpec = {
  commandField: CommandField.C_ECHO_RQ,
  name: 'C-ECHO-RQ',
  required: ['messageId', 'affectedSopClassUid'],
  dataset: 'none',
};
export const C_ECHO_RSP: CommandSpec = {
  commandField: CommandField.C_ECHO_RSP,
  name: 'C-ECHO-RSP',
  required: ['messageIdBeingRespondedTo', 'status'],
  dataset: 'none',
};

export function cEchoRq(p: { readonly messageId: number; readonly affectedSopClassUid: string }): CEchoRq {
  return { commandField: CommandField.C_ECHO_RQ, messageId: p.messageId, affectedSopClassUid: p.affectedSopClassUid, hasDataset: false };
}

export interface CEchoRspParams extends StatusDetail {
  readonly messageIdBeingRespondedTo: number;
  /** Optional in the response (U). */
  readonly affectedSopClassUid?: string;
}

export function cEchoRsp(p: CEchoRspParams): CEchoRsp {
  return compact<CEchoRsp>({
    commandField: CommandField.C_ECHO_RSP,
    messageIdBeingRespondedTo: p.messageIdBeingRespondedTo,
    affectedSopClassUid: p.affectedSopClassUid,
    ...statusFields(p),
    hasDataset: false,
  });
}
