/** Storage Service Class C-STORE statuses (PS3.4 §B.2.3, Table B.2-1). */
import { statusTable, type StatusTable } from '../../core/status.js';

export const StorageStatus = {
  /** A7xx */
  OUT_OF_RESOURCES: 0xa700,
  /** A9xx */
  DATA_SET_DOES_NOT_MATCH_SOP_CLASS: 0xa900,
  /** Cxxx */
  CANNOT_UNDERSTAND: 0xc000,
  COERCION_OF_DATA_ELEMENTS: 0xb000,
  ELEMENTS_DISCARDED: 0xb006,
  DATA_SET_DOES_NOT_MATCH_SOP_CLASS_WARNING: 0xb007,
} as const;

export const STORAGE_STATUS: StatusTable = statusTable(
  'Storage',
  [
    [StorageStatus.COERCION_OF_DATA_ELEMENTS, 'warning', 'Coercion of Data Elements'],
    [StorageStatus.ELEMENTS_DISCARDED, 'warning', 'Elements Discarded'],
    [StorageStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS_WARNING, 'warning', 'Data Set does not match SOP Class'],
  ],
  [
    [0xa700, 0xa7ff, 'failure', 'Refused: Out of Resources'],
    [0xa900, 0xa9ff, 'failure', 'Error: Data Set does not match SOP Class'],
    [0xc000, 0xcfff, 'failure', 'Error: Cannot understand'],
  ],
);
