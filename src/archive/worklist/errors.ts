import { DicomError } from '../../core/errors.js';

/** Why a worklist entry was refused. */
export type WorklistErrorReason =
  /** A file or entry that cannot be read or is not a valid worklist item (a missing Patient ID, a bad date). */
  | 'INPUT'
  /** An entry with the same Study Instance UID and Scheduled Procedure Step ID is already in the worklist. */
  | 'CONFLICT'
  /** A stored entry that cannot be read back (its DICOM JSON was damaged outside Portico). */
  | 'CORRUPT';

/**
 * A worklist entry refused, with the stable code `ERR_WORKLIST_<reason>`. `where` names the entry in its file
 * (`row 3`, `entry 2`) and `field` the attribute keyword (`ScheduledProcedureStepSequence/Modality`), when known;
 * the message already contains both.
 */
export class WorklistError extends DicomError {
  constructor(
    readonly reason: WorklistErrorReason,
    message: string,
    readonly where?: string,
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(`ERR_WORKLIST_${reason}`, message, options);
  }

  /** The same error placed in its file: `row 3, PatientBirthDate: …`. */
  at(where: string): WorklistError {
    const prefix = this.where === undefined ? `${where}, ` : '';
    return new WorklistError(this.reason, `${prefix}${this.message}`, this.where ?? where, this.field, { cause: this.cause });
  }
}
