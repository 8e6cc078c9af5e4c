/**
 * The DicomError tree. Every error that crosses a module boundary is one of these, with a stable `code`
 * that scripts and tests can rely on (the messages may change; the codes do not).
 */
export class DicomError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Why a byte stream could not be parsed as DICOM. */
export type ParseErrorReason =
  | 'NOT_DICOM'
  | 'TRUNCATED'
  | 'LENGTH_PAST_END'
  | 'INVALID_LENGTH'
  | 'UNDEFINED_LENGTH_NOT_ALLOWED'
  | 'INVALID_VR'
  | 'DEPTH_LIMIT'
  | 'UNEXPECTED_DELIMITER'
  | 'INVALID_ITEM'
  | 'INVALID_META'
  | 'UNSUPPORTED_TRANSFER_SYNTAX'
  | 'INFLATE_LIMIT'
  | 'INFLATE_FAILED'
  | 'VALUE_TOO_LARGE'
  | 'INVALID_PIXEL_DATA';

/** A byte stream that is not valid DICOM. `offset` is the byte offset in the file or stream where it went wrong. */
export class DicomParseError extends DicomError {
  constructor(
    readonly reason: ParseErrorReason,
    message: string,
    readonly offset: number,
    options?: ErrorOptions,
  ) {
    super(`ERR_PARSE_${reason}`, message, options);
  }
}

/** A value that cannot be encoded (wrong type for its VR, too long, not representable in the character set). */
export class DicomEncodeError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_ENCODE', message, options);
  }
}

/** A value that is not valid for its VR (an IS that is not an integer, a DA that is not a date, a UID with a letter). */
export class DicomValueError extends DicomError {
  constructor(
    readonly vr: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super('ERR_VALUE', message, options);
  }
}

/** A Specific Character Set term Portico does not know, or text that cannot be encoded in the chosen character sets. */
export class CharacterSetError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_CHARACTER_SET', message, options);
  }
}

/** A name (tag keyword, transfer syntax, UID) that is not in the dictionary. */
export class DictionaryError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_DICTIONARY', message, options);
  }
}

/**
 * A PDU that cannot be decoded (PS3.8 §9.3). `abortReason` is the A-ABORT reason to send (PS3.8 Table 9-26):
 * 0 not specified, 1 unrecognized PDU, 2 unexpected PDU, 4 unrecognized PDU parameter, 5 unexpected PDU parameter,
 * 6 invalid PDU parameter value.
 */
export class PduDecodeError extends DicomError {
  constructor(
    readonly abortReason: 0 | 1 | 2 | 4 | 5 | 6,
    message: string,
    readonly offset = 0,
  ) {
    super('ERR_PDU_DECODE', message);
  }
}

/** A DIMSE message that cannot be decoded or is not allowed here (PS3.7). */
export class DimseDecodeError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_DIMSE_DECODE', message, options);
  }
}

/** The peer rejected the association (PS3.8 §9.3.4): result 1 permanent / 2 transient; source 1 user, 2 ACSE, 3 presentation. */
export class AssociationRejectedError extends DicomError {
  constructor(
    readonly result: number,
    readonly source: number,
    readonly reason: number,
    message: string,
  ) {
    super('ERR_ASSOCIATION_REJECTED', message);
  }
}

/** The association was aborted, by the peer (A-ABORT / A-P-ABORT) or locally. */
export class AssociationAbortedError extends DicomError {
  constructor(
    readonly source: number,
    readonly reason: number,
    message: string,
  ) {
    super('ERR_ASSOCIATION_ABORTED', message);
  }
}

/** A DIMSE response with a failure (or unexpected) status. */
export class DimseStatusError extends DicomError {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
  ) {
    super('ERR_DIMSE_STATUS', message);
  }
}

/** An event the PS3.8 state table has no entry for in the current state. */
export class StateMachineError extends DicomError {
  constructor(
    readonly state: string,
    readonly event: string,
  ) {
    super('ERR_STATE_MACHINE', `no transition for ${event} in ${state}`);
  }
}

/** A network operation that did not finish in time (connect, ARTIM, DIMSE, idle). */
export class NetworkTimeoutError extends DicomError {
  constructor(message: string) {
    super('ERR_TIMEOUT', message);
  }
}

/** The transport failed: connection refused, reset, closed early. */
export class NetworkError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_NETWORK', message, options);
  }
}
