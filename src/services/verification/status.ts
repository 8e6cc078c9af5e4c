/**
 * Verification Service Class statuses (PS3.4 Annex A): C-ECHO defines no codes of its own; a response is Success
 * (0000H) or one of the general codes of PS3.7 Annex C (e.g. 0122H SOP class not supported, 0211H unrecognized
 * operation), which `statusCategory` and `statusName` know without a table.
 */
import { statusTable, type StatusTable } from '../../core/status.js';

export const VERIFICATION_STATUS: StatusTable = statusTable('Verification', []);
