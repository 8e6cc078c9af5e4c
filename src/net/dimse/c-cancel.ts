/**
 * C-CANCEL (PS3.7 §9.3.2.3, §9.3.3.3, §9.3.4.3): asks the SCP to stop a C-FIND, C-GET or C-MOVE. It has no
 * response; the cancelled operation ends with a Cancel (FE00H) status instead.
 */
import { CommandField } from './command-elements.js';
import type { CommandSpec } from './command-spec.js';
import type { CommandFields } from './command-set.js';

/** C-CANCEL-RQ (PS3.7 Table 9.3-3). */
export interface CCancelRq extends CommandFields {
  readonly commandField: typeof CommandField.C_CANCEL_RQ;
  /** The Message ID of the C-FIND/C-GET/C-MOVE-RQ being cancelled. */
  readonly messageIdBeingRespondedTo: number;
  readonly hasDataset: false;
}

export type CCancel = CCancelRq;

export const C_CANCEL_RQ: CommandSpec = {
  commandField: CommandField.C_CANCEL_RQ,
  name: 'C-CANCEL-RQ',
  required: ['messageIdBeingRespondedTo'],
  dataset: 'none',
};

export function cCancelRq(p: { readonly messageIdBeingRespondedTo: number }): CCancelRq {
  return { commandField: CommandField.C_CANCEL_RQ, messageIdBeingRespondedTo: p.messageIdBeingRespondedTo, hasDataset: false };
}
