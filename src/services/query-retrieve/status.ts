/**
 * Query/Retrieve Service Class statuses (PS3.4 Annex C): C-FIND (§C.4.1.1.4, Table C.4-1), C-MOVE (§C.4.2.1.5,
 * Table C.4-2) and C-GET (§C.4.3.1.4, Table C.4-3). AA00–AA04 are the frame-level and composite instance
 * retrieve failures of Annex Y that share the C-MOVE/C-GET tables.
 */
import { statusTable, type StatusTable } from '../../core/status.js';

export const QueryRetrieveStatus = {
  OUT_OF_RESOURCES: 0xa700,
  OUT_OF_RESOURCES_CALCULATING_MATCHES: 0xa701,
  OUT_OF_RESOURCES_SUB_OPERATIONS: 0xa702,
  MOVE_DESTINATION_UNKNOWN: 0xa801,
  IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS: 0xa900,
  /** Cxxx */
  UNABLE_TO_PROCESS: 0xc000,
  SUB_OPERATIONS_COMPLETE_WITH_FAILURES: 0xb000,
  CANCEL: 0xfe00,
  PENDING: 0xff00,
  PENDING_OPTIONAL_KEYS_NOT_SUPPORTED: 0xff01,
} as const;

const UNABLE_TO_PROCESS = [[0xc000, 0xcfff, 'failure', 'Unable to process']] as const;

const FRAME_RETRIEVE_FAILURES = [
  [0xaa00, 'failure', 'None of the frames requested were found in the SOP Instance'],
  [0xaa01, 'failure', 'Unable to create new object for this SOP class'],
  [0xaa02, 'failure', 'Unable to extract frames'],
  [0xaa03, 'failure', 'Time-based request received for a non-time-based original SOP Instance'],
  [0xaa04, 'failure', 'Invalid request'],
] as const;

export const QR_FIND_STATUS: StatusTable = statusTable(
  'Query/Retrieve C-FIND',
  [
    [0xa700, 'failure', 'Refused: Out of Resources'],
    [0xa900, 'failure', 'Identifier does not match SOP Class'],
    [0xfe00, 'cancel', 'Matching terminated due to Cancel request'],
    [0xff00, 'pending', 'Matches are continuing - Current Match is supplied and any Optional Keys were supported in the same manner as Required Keys'],
    [0xff01, 'pending', 'Matches are continuing - Warning that one or more Optional Keys were not supported for existence and/or matching for this Identifier'],
  ],
  UNABLE_TO_PROCESS,
);

export const QR_MOVE_STATUS: StatusTable = statusTable(
  'Query/Retrieve C-MOVE',
  [
    [0x0000, 'success', 'Sub-operations Complete - No Failures'],
    [0xa701, 'failure', 'Refused: Out of Resources - Unable to calculate number of matches'],
    [0xa702, 'failure', 'Refused: Out of Resources - Unable to perform sub-operations'],
    [0xa801, 'failure', 'Refused: Move Destination unknown'],
    [0xa900, 'failure', 'Identifier does not match SOP Class'],
    ...FRAME_RETRIEVE_FAILURES,
    [0xb000, 'warning', 'Sub-operations Complete - One or more Failures'],
    [0xfe00, 'cancel', 'Sub-operations terminated due to Cancel Indication'],
    [0xff00, 'pending', 'Sub-operations are continuing'],
  ],
  UNABLE_TO_PROCESS,
);

export const QR_GET_STATUS: StatusTable = statusTable(
  'Query/Retrieve C-GET',
  [
    [0x0000, 'success', 'Sub-operations Complete - No Failures or Warnings'],
    [0xa701, 'failure', 'Refused: Out of Resources - Unable to calculate number of matches'],
    [0xa702, 'failure', 'Refused: Out of Resources - Unable to perform sub-operations'],
    [0xa900, 'failure', 'Identifier does not match SOP Class'],
    ...FRAME_RETRIEVE_FAILURES,
    [0xb000, 'warning', 'Sub-operations Complete - One or more Failures or Warnings'],
    [0xfe00, 'cancel', 'Sub-operations terminated due to Cancel Indication'],
    [0xff00, 'pending', 'Sub-operations are continuing'],
  ],
  UNABLE_TO_PROCESS,
);
