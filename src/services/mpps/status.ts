/**
 * Modality Performed Procedure Step statuses (PS3.4 §F.7.2): N-CREATE and N-SET use the general codes of PS3.7
 * Annex C. An N-SET on a step that is no longer IN PROGRESS fails with 0110H Processing failure and Error ID
 * A710H (§F.7.2.2.4).
 */
import { statusTable, type StatusTable } from '../../core/status.js';

export const MppsStatus = {
  PROCESSING_FAILURE: 0x0110,
  /** Error ID (0000,0903) sent with 0110H when the step may no longer be updated. */
  MAY_NO_LONGER_BE_UPDATED_ERROR_ID: 0xa710,
  OPTIONAL_ATTRIBUTES_NOT_SUPPORTED: 0x0001,
} as const;

export const MPPS_STATUS: StatusTable = statusTable('Modality Performed Procedure Step', [
  [0x0001, 'warning', 'Requested optional Attributes are not supported'],
  [0x0110, 'failure', 'Processing failure (Performed Procedure Step Object may no longer be updated when Error ID is A710)'],
]);
