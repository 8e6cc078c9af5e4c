import { uidForKeyword } from '../../dictionary/uids.js';

/** Verification SOP Class, 1.2.840.10008.1.1 (from the generated UID registry). */
export const VerificationSOPClass: string = uidForKeyword('Verification')!;
