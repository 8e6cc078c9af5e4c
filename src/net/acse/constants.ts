/** DICOM Application Context Name (PS3.7 A.2.1). */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/** Our default Maximum Length for received P-DATA-TF PDUs (the seeds use 16 KiB and 48 KiB; DCMTK 16 KiB). */
export const DEFAULT_MAX_PDU_LENGTH = 64 * 1024;

/** A-ASSOCIATE-RJ reasons (PS3.8 Table 9-21) as [result, source, reason]. */
export const Reject = {
  NO_REASON: [1, 1, 1],
  APPLICATION_CONTEXT_NOT_SUPPORTED: [1, 1, 2],
  CALLING_AE_NOT_RECOGNIZED: [1, 1, 3],
  CALLED_AE_NOT_RECOGNIZED: [1, 1, 7],
  PROTOCOL_VERSION_NOT_SUPPORTED: [1, 2, 2],
  TEMPORARY_CONGESTION: [2, 3, 1],
  LOCAL_LIMIT_EXCEEDED: [2, 3, 2],
} as const satisfies Record<string, readonly [number, number, number]>;

/** A human-readable reason for an A-ASSOCIATE-RJ. */
export function describeReject(result: number, source: number, reason: number): string {
  const kind = result === 2 ? 'rejected (transient)' : 'rejected (permanent)';
  const why =
    source === 1
      ? ({ 1: 'no reason given', 2: 'application context name not supported', 3: 'calling AE title not recognized', 7: 'called AE title not recognized' } as Record<number, string>)[reason]
      : source === 2
        ? ({ 1: 'no reason given', 2: 'protocol version not supported' } as Record<number, string>)[reason]
        : ({ 1: 'temporary congestion', 2: 'local limit exceeded' } as Record<number, string>)[reason];
  const by = ({ 1: 'service user', 2: 'service provider (ACSE)', 3: 'service provider (presentation)' } as Record<number, string>)[source] ?? `source ${source}`;
  return `association ${kind} by the ${by}: ${why ?? `reason ${reason}`}`;
}
