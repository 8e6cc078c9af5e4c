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
