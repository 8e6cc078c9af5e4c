/**
 * What can go wrong with a C-FIND as SCU (PS3.4 C.4.1.1.4, K.4.1.1.4), as typed errors: the SCP answered with a
 * failure status (`FindFailedError`), the SCP sent a response we cannot use (`FindResponseError`), the query itself
 * is not valid (`FindQueryError`), or the peer did not accept the information model (`FindNotAcceptedError`).
 */
import { DicomError, DimseStatusError } from '../../core/errors.js';
import { formatStatus, GENERAL_STATUS, statusCategory, statusName, type StatusTable } from '../../core/status.js';

/** Text from the wire, safe for one terminal line: control characters (escape sequences too) become '?', capped. */
export function printable(text: string, max = 200): string {
   
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

const isDefined = (status: number, table: StatusTable): boolean =>
  table.codes.has(status) || GENERAL_STATUS.has(status) || table.ranges.some((r) => status >= r.from && status <= r.to);

/** '0xA900 Identifier does not match SOP Class'; codes the service does not define say so. */
export function describeFindStatus(status: number, table: StatusTable): string {
  if (!isDefined(status, table)) return `${formatStatus(status)} (a status ${table.service} does not define)`;
  return `${formatStatus(status)} ${statusName(status, table)}`;
}

/**
 * The SCP ended the C-FIND with a status other than Success (or Cancel, after our C-CANCEL): A700 out of
 * resources, A900 identifier does not match SOP class, Cxxx unable to process, or anything else (a warning or
 * unknown code is a failure too: C-FIND defines none). `status` and `errorComment` are the final response's.
 */
export class FindFailedError extends DimseStatusError {
  /** The final response's Error Comment (0000,0902), made printable. */
  readonly errorComment: string | undefined;
  /** The final response's Offending Element (0000,0901) tags. */
  readonly offendingElements: readonly number[];
  /** The SOP class of the C-FIND (the information model). */
  readonly sopClassUid: string;
  /** The matches received before the failure. */
  readonly matches: number;

  constructor(
    status: number,
    table: StatusTable,
    details: {
      readonly operation: string;
      readonly sopClassUid: string;
      readonly errorComment?: string;
      readonly offendingElements?: readonly number[];
      readonly matches: number;
    },
  ) {
    const comment = details.errorComment === undefined ? '' : printable(details.errorComment);
    const category = statusCategory(status, table);
    super(status, category, `${details.operation} failed: ${describeFindStatus(status, table)}${comment ? ` (comment: ${comment})` : ''}`);
    this.errorComment = comment || undefined;
    this.offendingElements = details.offendingElements ?? [];
    this.sopClassUid = details.sopClassUid;
    this.matches = details.matches;
  }
}

/**
 * A response the SCU cannot use: a pending response without an Identifier, an Identifier that does not parse, the
 * association ending before the final response. The association has been aborted (its state is unknown).
 */
export class FindResponseError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_FIND_RESPONSE', message, options);
  }
}

/** A query that cannot be sent as asked: a level the root does not have, a bad limit, a key that is not valid. */
export class FindQueryError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_FIND_QUERY', message, options);
  }
}

/** The peer accepted no presentation context for the information model's FIND SOP class. */
export class FindNotAcceptedError extends DicomError {
  constructor(
    readonly sopClassUid: string,
    message: string,
  ) {
    super('ERR_NO_CONTEXT', message);
  }
}
