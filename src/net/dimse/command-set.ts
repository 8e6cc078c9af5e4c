/**
 * The Command Set codec (PS3.7 §6.3, Annex E): a DIMSE command as a typed object, and its wire form — group 0000
 * elements in Implicit VR Little Endian, Command Group Length (0000,0000) first, then ascending tag order.
 *
 * A command set is flat (no sequences), has one group and fixed VRs (Table E.1-1), so it gets this small codec
 * rather than the general dataset parser: the parser would see every group 0000 element as UN (the dictionary has
 * no group 0000) and each would have to be re-typed. Every length read here is checked against the bytes at hand
 * before it is used; nothing is allocated from a declared length.
 */
import { DicomEncodeError, DimseDecodeError } from '../../core/errors.js';
import { formatTag } from '../../data/tag.js';
import { CommandField, CommandTag, DataSetType, isKnownCommandField } from './command-elements.js';

/**
 * A DIMSE command (one request or response primitive's Command Set) as data. Field names follow the Table E.1-1
 * keywords; `hasDataset` stands for Command Data Set Type (0000,0800). Which fields an operation needs is
 * defined in its own file (`c-store.ts`, `n-action.ts`, …).
 */
export interface CommandFields {
  /** (0000,0100) Command Field, see `CommandField`. */
  readonly commandField: number;
  /** (0000,0110) Message ID: every request except C-CANCEL. */
  readonly messageId?: number;
  /** (0000,0120) Message ID Being Responded To: every response, and C-CANCEL-RQ. */
  readonly messageIdBeingRespondedTo?: number;
  /** (0000,0002) */
  readonly affectedSopClassUid?: string;
  /** (0000,0003) */
  readonly requestedSopClassUid?: string;
  /** (0000,1000) */
  readonly affectedSopInstanceUid?: string;
  /** (0000,1001) */
  readonly requestedSopInstanceUid?: string;
  /** (0000,0700) see `Priority`. */
  readonly priority?: number;
  /** (0000,0800) Command Data Set Type: whether a data set follows the command. */
  readonly hasDataset: boolean;
  /** (0000,0900) every response. */
  readonly status?: number;
  /** (0000,0901) Offending Element: tags the error was detected in. */
  readonly offendingElements?: readonly number[];
  /** (0000,0902) Error Comment (LO: at most 64 characters of the default repertoire). */
  readonly errorComment?: string;
  /** (0000,0903) Error ID. */
  readonly errorId?: number;
  /** (0000,0600) Move Destination (C-MOVE-RQ). */
  readonly moveDestination?: string;
  /** (0000,1030) Move Originator Application Entity Title (C-STORE-RQ sent for a C-MOVE). */
  readonly moveOriginatorAeTitle?: string;
  /** (0000,1031) Move Originator Message ID. */
  readonly moveOriginatorMessageId?: number;
  /** (0000,1002) Event Type ID (N-EVENT-REPORT). */
  readonly eventTypeId?: number;
  /** (0000,1005) Attribute Identifier List (N-GET-RQ; N-SET/N-CREATE responses with 0107H). */
  readonly attributeIdentifierList?: readonly number[];
  /** (0000,1008) Action Type ID (N-ACTION). */
  readonly actionTypeId?: number;
  /** (0000,1020) Number of Remaining Sub-operations (C-GET/C-MOVE responses). */
  readonly remainingSuboperations?: number;
  /** (0000,1021) */
  readonly completedSuboperations?: number;
  /** (0000,1022) */
  readonly failedSuboperations?: number;
  /** (0000,1023) */
  readonly warningSuboperations?: number;
}

/** How a field is encoded: by VR, and `dst` for Command Data Set Type (written from `hasDataset`). */
type Kind = 'uid' | 'ae' | 'lo' | 'us' | 'at' | 'dst';

interface FieldSpec {
  readonly tag: number;
  readonly key: keyof CommandFields;
  readonly kind: Kind;
}

/** Every Table E.1-1 element except the group length, in tag order, with its field. */
const FIELDS: readonly FieldSpec[] = [
  { tag: CommandTag.AffectedSOPClassUID, key: 'affectedSopClassUid', kind: 'uid' },
  { tag: CommandTag.RequestedSOPClassUID, key: 'requestedSopClassUid', kind: 'uid' },
  { tag: CommandTag.CommandField, key: 'commandField', kind: 'us' },
  { tag: CommandTag.MessageID, key: 'messageId', kind: 'us' },
  { tag: CommandTag.MessageIDBeingRespondedTo, key: 'messageIdBeingRespondedTo', kind: 'us' },
  { tag: CommandTag.MoveDestination, key: 'moveDestination', kind: 'ae' },
  { tag: CommandTag.Priority, key: 'priority', kind: 'us' },
  { tag: CommandTag.CommandDataSetType, key: 'hasDataset', kind: 'dst' },
  { tag: CommandTag.Status, key: 'status', kind: 'us' },
  { tag: CommandTag.OffendingElement, key: 'offendingElements', kind: 'at' },
  { tag: CommandTag.ErrorComment, key: 'errorComment', kind: 'lo' },
  { tag: CommandTag.ErrorID, key: 'errorId', kind: 'us' },
  { tag: CommandTag.AffectedSOPInstanceUID, key: 'affectedSopInstanceUid', kind: 'uid' },
  { tag: CommandTag.RequestedSOPInstanceUID, key: 'requestedSopInstanceUid', kind: 'uid' },
  { tag: CommandTag.EventTypeID, key: 'eventTypeId', kind: 'us' },
  { tag: CommandTag.AttributeIdentifierList, key: 'attributeIdentifierList', kind: 'at' },
  { tag: CommandTag.ActionTypeID, key: 'actionTypeId', kind: 'us' },
  { tag: CommandTag.NumberOfRemainingSuboperations, key: 'remainingSuboperations', kind: 'us' },
  { tag: CommandTag.NumberOfCompletedSuboperations, key: 'completedSuboperations', kind: 'us' },
  { tag: CommandTag.NumberOfFailedSuboperations, key: 'failedSuboperations', kind: 'us' },
  { tag: CommandTag.NumberOfWarningSuboperations, key: 'warningSuboperations', kind: 'us' },
  { tag: CommandTag.MoveOriginatorApplicationEntityTitle, key: 'moveOriginatorAeTitle', kind: 'ae' },
  { tag: CommandTag.MoveOriginatorMessageID, key: 'moveOriginatorMessageId', kind: 'us' },
];
const FIELD_BY_TAG: ReadonlyMap<number, FieldSpec> = new Map(FIELDS.map((f) => [f.tag, f]));

const HEADER = 8;
const UID_MAX = 64;
const AE_MAX = 16;
const LO_MAX = 64;
const UNDEFINED_LENGTH = 0xffffffff;

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/**
 * Encodes a command set: Implicit VR Little Endian, (0000,0000) first, elements in tag order, UIDs padded with a
 * NUL and AE titles / the error comment with a space to even length. Throws `DicomEncodeError` for a value that
 * cannot be sent (unknown command field, a UID that is not digits and dots, an AE title over 16 characters, a US
 * out of range). An error comment is made safe instead (non-ASCII and `\` become `?`, cut at 64 characters),
 * since it often carries an exception message.
 */
export function encodeCommand(fields: CommandFields): Uint8Array {
  if (!isKnownCommandField(fields.commandField)) {
    throw new DicomEncodeError(`unknown Command Field 0x${hex4(fields.commandField)}`);
  }
  const elements: { tag: number; value: Uint8Array }[] = [];
  for (const spec of FIELDS) {
    const v = spec.kind === 'dst' ? (fields.hasDataset ? DataSetType.PRESENT : DataSetType.NULL) : fields[spec.key];
    if (v === undefined) continue;
    elements.push({ tag: spec.tag, value: encodeField(spec, v) });
  }
  let groupLength = 0;
  for (const e of elements) groupLength += HEADER + e.value.length;
  const out = Buffer.alloc(HEADER + 4 + groupLength);
  out.writeUInt32LE(CommandTag.CommandGroupLength, 0);
  out.writeUInt32LE(4, 4);
  out.writeUInt32LE(groupLength, 8);
  let p = 12;
  for (const e of elements) {
    out.writeUInt16LE(0x0000, p);
    out.writeUInt16LE(e.tag & 0xffff, p + 2);
    out.writeUInt32LE(e.value.length, p + 4);
    out.set(e.value, p + HEADER);
    p += HEADER + e.value.length;
  }
  return out;
}

function encodeField(spec: FieldSpec, v: string | number | boolean | readonly number[]): Uint8Array {
  // Named only in error messages: formatting a tag for every field costs more than encoding it.
  const name = { toString: () => `${formatTag(spec.tag)} ${spec.key}` };
  switch (spec.kind) {
    case 'us':
    case 'dst':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff) throw new DicomEncodeError(`${name}: ${String(v)} is not a US value`);
      return us(v);
    case 'at': {
      if (!Array.isArray(v)) throw new DicomEncodeError(`${name}: expected a list of tags`);
      const out = Buffer.alloc(v.length * 4);
      v.forEach((tag: unknown, i) => {
        if (typeof tag !== 'number' || !Number.isInteger(tag) || tag < 0 || tag > 0xffffffff) throw new DicomEncodeError(`${name}: ${String(tag)} is not a tag`);
        out.writeUInt16LE(tag >>> 16, i * 4);
        out.writeUInt16LE(tag & 0xffff, i * 4 + 2);
      });
      return out;
    }
    case 'uid': {
      if (typeof v !== 'string' || !/^[0-9.]+$/.test(v) || v.length > UID_MAX) throw new DicomEncodeError(`${name}: ${JSON.stringify(v)} is not a UID`);
      return padded(v, 0x00);
    }
    case 'ae': {
      const text = typeof v === 'string' ? v.trim() : '';
      if (text === '' || text.length > AE_MAX || !/^[\x20-\x7e]+$/.test(text) || text.includes('\\')) {
        throw new DicomEncodeError(`${name}: ${JSON.stringify(v)} is not an AE title (1-16 printable ASCII characters, no "\\")`);
      }
      return padded(text, 0x20);
    }
    case 'lo': {
      if (typeof v !== 'string') throw new DicomEncodeError(`${name}: expected a string`);
      return padded(v.replace(/[^\x20-\x5b\x5d-\x7e]/g, '?').slice(0, LO_MAX).trimEnd(), 0x20);
    }
  }
}

function us(v: number): Uint8Array {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v, 0);
  return b;
}

function padded(text: string, pad: number): Uint8Array {
  const b = Buffer.alloc(text.length + (text.length & 1), pad);
  b.write(text, 0, 'latin1');
  return b;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes a command set (the joined command fragments of one message). Rejects with `DimseDecodeError`: an element
 * outside group 0000, elements out of order or repeated, a length past the end or undefined, a value of the wrong
 * size for its VR, a UID that is not digits and dots, a Command Group Length that disagrees with the bytes, a
 * missing or unknown Command Field, a missing Command Data Set Type, a request without Message ID, a response
 * without Message ID Being Responded To or Status. A missing Command Group Length is tolerated. Group 0000
 * elements not in Table E.1-1 (the retired ones of Table E.2-1) are skipped. Empty string values count as absent.
 */
export function decodeCommand(bytes: Uint8Array): CommandFields {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { -readonly [K in keyof CommandFields]: CommandFields[K] } = { commandField: -1, hasDataset: false };
  let dataSetType: number | undefined;
  let lastTag = -1;
  let p = 0;
  while (p < buf.length) {
    if (buf.length - p < HEADER) throw new DimseDecodeError(`command set: truncated element header at offset ${p}`);
    const group = buf.readUInt16LE(p);
    const tag = ((group << 16) | buf.readUInt16LE(p + 2)) >>> 0;
    const length = buf.readUInt32LE(p + 4);
    if (group !== 0x0000) throw new DimseDecodeError(`command set: element ${formatTag(tag)} at offset ${p} is not in group 0000`);
    if (tag <= lastTag) throw new DimseDecodeError(`command set: ${formatTag(tag)} at offset ${p} is out of order or repeated`);
    if (length === UNDEFINED_LENGTH) throw new DimseDecodeError(`command set: ${formatTag(tag)} has undefined length`);
    const start = p + HEADER;
    if (length > buf.length - start) {
      throw new DimseDecodeError(`command set: ${formatTag(tag)} length ${length} runs past the end (${buf.length - start} bytes left)`);
    }
    const value = buf.subarray(start, start + length);
    lastTag = tag;
    p = start + length;

    if (tag === CommandTag.CommandGroupLength) {
      if (length !== 4) throw new DimseDecodeError(`command set: Command Group Length has length ${length}, expected 4`);
      const declared = value.readUInt32LE(0);
      if (declared !== buf.length - p) {
        throw new DimseDecodeError(`command set: Command Group Length is ${declared} but ${buf.length - p} bytes follow it`);
      }
      continue;
    }
    const spec = FIELD_BY_TAG.get(tag);
    if (spec === undefined) continue; // retired (Table E.2-1) or unknown group 0000 element: ignored
    if (spec.kind === 'dst') {
      dataSetType = decodeUs(tag, value);
      continue;
    }
    const decoded = decodeField(spec, value);
    if (decoded !== undefined) (out as Record<string, unknown>)[spec.key] = decoded;
  }

  if (out.commandField === -1) throw new DimseDecodeError('command set: no Command Field (0000,0100)');
  if (!isKnownCommandField(out.commandField)) throw new DimseDecodeError(`command set: unknown Command Field 0x${hex4(out.commandField)}`);
  if (dataSetType === undefined) throw new DimseDecodeError('command set: no Command Data Set Type (0000,0800)');
  out.hasDataset = dataSetType !== DataSetType.NULL;
  const name = { toString: () => `Command Field 0x${hex4(out.commandField)}` };
  if (out.commandField === CommandField.C_CANCEL_RQ) {
    if (out.messageIdBeingRespondedTo === undefined) throw new DimseDecodeError(`command set: C-CANCEL-RQ without Message ID Being Responded To`);
  } else if ((out.commandField & 0x8000) === 0) {
    if (out.messageId === undefined) throw new DimseDecodeError(`command set: request (${name}) without Message ID (0000,0110)`);
  } else {
    if (out.messageIdBeingRespondedTo === undefined) throw new DimseDecodeError(`command set: response (${name}) without Message ID Being Responded To (0000,0120)`);
    if (out.status === undefined) throw new DimseDecodeError(`command set: response (${name}) without Status (0000,0900)`);
  }
  return out;
}

function decodeField(spec: FieldSpec, value: Buffer): string | number | number[] | undefined {
  switch (spec.kind) {
    case 'us':
    case 'dst':
      return value.length === 0 ? undefined : decodeUs(spec.tag, value);
    case 'at': {
      if (value.length % 4 !== 0) throw new DimseDecodeError(`command set: ${formatTag(spec.tag)} (AT) has length ${value.length}, not a multiple of 4`);
      const tags: number[] = [];
      for (let i = 0; i < value.length; i += 4) tags.push(((value.readUInt16LE(i) << 16) | value.readUInt16LE(i + 2)) >>> 0);
      return tags;
    }
    case 'uid': {
      const text = trimmed(value);
      if (text === '') return undefined;
      if (text.length > UID_MAX || !/^[0-9.]+$/.test(text)) {
        throw new DimseDecodeError(`command set: ${formatTag(spec.tag)} ${JSON.stringify(text.slice(0, 80))} is not a UID`);
      }
      return text;
    }
    case 'ae': {
      const text = trimmed(value);
      if (text === '') return undefined;
      if (text.length > AE_MAX || !/^[\x20-\x7e]+$/.test(text) || text.includes('\\')) {
        throw new DimseDecodeError(`command set: ${formatTag(spec.tag)} ${JSON.stringify(text.slice(0, 80))} is not an AE title`);
      }
      return text;
    }
    case 'lo': {
      // Peers put anything in an error comment; keep it, printable, but do not judge it.
      const text = trimmed(value).replace(/[\x00-\x1f\x7f]/g, ' ');
      return text === '' ? undefined : text;
    }
  }
}

function decodeUs(tag: number, value: Buffer): number {
  if (value.length !== 2) throw new DimseDecodeError(`command set: ${formatTag(tag)} (US) has length ${value.length}, expected 2`);
  return value.readUInt16LE(0);
}

/** Latin-1 text without leading/trailing spaces and NULs (the padding of UI, AE and LO). */
const trimmed = (value: Buffer): string => value.toString('latin1').replace(/^[\x20\x00]+|[\x20\x00]+$/g, '');

const hex4 = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(4, '0');
