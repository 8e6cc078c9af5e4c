/** Basic Worklist Management (Modality Worklist) C-FIND statuses (PS3.4 §K.4.1.1.4, Table K.4-1). */
import { statusTable, type StatusTable } from '../../core/status.js';

export const WorklistStatus = {
  OUT_OF_RESOURCES: 0xa700,
  IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS: 0xa900,
  /** Cxxx */
  UNABLE_TO_PROCESS: 0xc000,
  CANCEL: 0xfe00,
  PENDING: 0xff00,
  PENDING_OPTIONAL_KEYS_NOT_SUPPORTED: 0xff01,
} as const;

export const WORKLIST_STATUS: StatusTable = statusTable(
  'Modality Worklist C-FIND',
  [
    [0xa700, 'failure', 'Refused: Out of Resources'],
    [0xa900, 'failure', 'Identifier does not match SOP Class'],
    [0xfe00, 'cancel', 'Matching terminated due to Cancel request'],
    [0xff00, 'pending', 'Matches are continuing - Current Match is supplied and any Optional Keys were supported in the same manner as Required Keys'],
    [0xff01, 'pending', 'Matches are continuing - Warning that one or more Optional Keys were not supported for existence for this Identifier'],
  ],
  [[0xc000, 0xcfff, 'failure', 'Unable to process']],
);
