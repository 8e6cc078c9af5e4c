import { DicomError, DimseStatusError } from '../../core/errors.js';
import type { Association } from '../../net/acse/association.js';
import { VerificationSOPClass } from './uids.js';

/** The result of one C-ECHO. */
export interface EchoResult {
  readonly status: number;
  readonly roundTripMs: number;
}

/** Sends a C-ECHO-RQ (PS3.7 §9.1.5) on an association that accepted Verification; resolves on Success. */
export async function echo(association: Association): Promise<EchoResult> {
  const context = association.contextFor(VerificationSOPClass);
  if (!context) throw new DicomError('ERR_NO_CONTEXT', `${association.params.calledAeTitle} did not accept the Verification SOP Class`);
  const started = performance.now();
  const response = await association.requestOne(context.id, { commandField: 0x0030, affectedSopClassUid: VerificationSOPClass, hasDataset: false });
  const status = response.command.status ?? 0xffff;
  if (status !== 0) throw new DimseStatusError(status, 'failure', `C-ECHO failed with status 0x${status.toString(16).padStart(4, '0')}`);
  return { status, roundTripMs: performance.now() - started };
}
