/**
 * The User Information Item (0x50, PS3.8 §9.3.2.3 / Annex D) and its sub-items (PS3.7 Annex D.3.3): Maximum Length
 * (0x51), Implementation Class UID (0x52), Asynchronous Operations Window (0x53), SCP/SCU Role Selection (0x54),
 * Implementation Version Name (0x55), SOP Class Extended Negotiation (0x56), SOP Class Common Extended Negotiation
 * (0x57), User Identity RQ (0x58) and AC (0x59). Sub-items of other types are kept in `unknown` and otherwise ignored
 * (PS3.8 §9.3.1, Annex D.2 note 2).
 */
import { DicomEncodeError } from '../../core/errors.js';
import { type ByteWriter, copyBytes, decodeShortText, decodeUid, hex2, pduError, readU16, readU32, writeUid } from './bytes.js';
import { countItem, ItemType, itemEnd } from './items.js';
import type { ResolvedPduLimits } from './limits.js';
import type {
  AsyncOperationsWindow,
  RoleSelection,
  SopClassCommonExtendedNegotiation,
  SopClassExtendedNegotiation,
  UserIdentityAc,
  UserIdentityRq,
  UserInformation,
} from './types.js';

/** Implementation Version Name: 1–16 characters when we send it; a peer's is read up to this length. */
const VERSION_NAME_MAX = 16;
const VERSION_NAME_READ_MAX = 64;

const WHERE = 'user information';

function checkU16(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new DicomEncodeError(`${what} ${v} is not an integer 0-65535`);
}

function subItem(w: ByteWriter, type: number): number {
  w.u8(type).u8(0);
  return w.mark16();
}

/** A 2-byte length followed by the UID (the form used inside sub-items 0x54, 0x56, 0x57). */
function writeLengthUid(w: ByteWriter, uid: string, what: string): void {
  const at = w.mark16();
  writeUid(w, uid, what);
  w.end16(at, what);
}

function writeLengthBytes(w: ByteWriter, data: Uint8Array, what: string): void {
  if (data.length > 0xffff) throw new DicomEncodeError(`${what} is ${data.length} bytes; at most 65535 fit`);
  w.u16(data.length).bytes(data);
}

export function writeUserInformationItem(w: ByteWriter, ui: UserInformation): void {
  w.u8(ItemType.USER_INFORMATION).u8(0);
  const item = w.mark16();
  if (ui.maxPduLength !== undefined) {
    const v = ui.maxPduLength;
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new DicomEncodeError(`maximum length ${v} is not a 32-bit unsigned integer`);
    w.u8(ItemType.MAXIMUM_LENGTH).u8(0).u16(4).u32(v);
  }
  if (ui.implementationClassUid !== undefined) {
    const at = subItem(w, ItemType.IMPLEMENTATION_CLASS_UID);
    writeUid(w, ui.implementationClassUid, 'implementation class UID');
    w.end16(at, 'implementation class UID');
  }
  if (ui.asyncOperationsWindow !== undefined) {
    const { maxOperationsInvoked, maxOperationsPerformed } = ui.asyncOperationsWindow;
    checkU16(maxOperationsInvoked, 'maximum number of operations invoked');
    checkU16(maxOperationsPerformed, 'maximum number of operations performed');
    w.u8(ItemType.ASYNCHRONOUS_OPERATIONS_WINDOW).u8(0).u16(4).u16(maxOperationsInvoked).u16(maxOperationsPerformed);
  }
  for (const role of ui.roleSelections ?? []) {
    const at = subItem(w, ItemType.SCP_SCU_ROLE_SELECTION);
    writeLengthUid(w, role.sopClassUid, 'role selection SOP class UID');
    w.u8(role.scuRole ? 1 : 0).u8(role.scpRole ? 1 : 0);
    w.end16(at, 'role selection sub-item');
  }
  if (ui.implementationVersionName !== undefined) {
    const name = ui.implementationVersionName;
    if (name.length < 1 || name.length > VERSION_NAME_MAX) {
      throw new DicomEncodeError(`implementation version name ${JSON.stringify(name)} is not 1-${VERSION_NAME_MAX} characters`);
    }
    const at = subItem(w, ItemType.IMPLEMENTATION_VERSION_NAME);
    w.ascii(name, 'implementation version name');
    w.end16(at, 'implementation version name');
  }
  for (const ext of ui.extendedNegotiations ?? []) {
    const at = subItem(w, ItemType.SOP_CLASS_EXTENDED_NEGOTIATION);
    writeLengthUid(w, ext.sopClassUid, 'extended negotiation SOP class UID');
    w.bytes(ext.info);
    w.end16(at, 'SOP class extended negotiation sub-item');
  }
  for (const common of ui.commonExtendedNegotiations ?? []) {
    const at = subItem(w, ItemType.SOP_CLASS_COMMON_EXTENDED_NEGOTIATION); // byte 2 is the sub-item version, 0
    writeLengthUid(w, common.sopClassUid, 'common extended negotiation SOP class UID');
    writeLengthUid(w, common.serviceClassUid, 'common extended negotiation service class UID');
    const related = w.mark16();
    for (const uid of common.relatedGeneralSopClassUids) writeLengthUid(w, uid, 'related general SOP class UID');
    w.end16(related, 'related general SOP class identification');
    w.end16(at, 'SOP class common extended negotiation sub-item');
  }
  if (ui.userIdentityRq !== undefined) {
    const id = ui.userIdentityRq;
    if (!Number.isInteger(id.type) || id.type < 0 || id.type > 255) throw new DicomEncodeError(`user identity type ${id.type} is not a byte`);
    const at = subItem(w, ItemType.USER_IDENTITY_RQ);
    w.u8(id.type).u8(id.positiveResponseRequested ? 1 : 0);
    writeLengthBytes(w, id.primaryField, 'user identity primary field');
    writeLengthBytes(w, id.secondaryField, 'user identity secondary field');
    w.end16(at, 'user identity sub-item');
  }
  if (ui.userIdentityAc !== undefined) {
    const at = subItem(w, ItemType.USER_IDENTITY_AC);
    writeLengthBytes(w, ui.userIdentityAc.serverResponse, 'user identity server response');
    w.end16(at, 'user identity sub-item');
  }
  for (const other of ui.unknown ?? []) {
    if (!Number.isInteger(other.type) || other.type < 0 || other.type > 255) throw new DicomEncodeError(`sub-item type ${other.type} is not a byte`);
    const at = subItem(w, other.type);
    w.bytes(other.data);
    w.end16(at, `user information sub-item ${hex2(other.type)}`);
  }
  w.end16(item, 'user information item');
}

/** A 2-byte length and that many bytes, which must end at or before `end`. Returns the end of the field. */
function lengthField(b: Uint8Array, pos: number, end: number, what: string): number {
  if (end - pos < 2) throw pduError(6, `${what}: the length field runs past the end of its sub-item`, pos);
  const fieldEnd = pos + 2 + readU16(b, pos);
  if (fieldEnd > end) throw pduError(6, `${what}: length ${readU16(b, pos)} runs past the end of its sub-item`, pos);
  return fieldEnd;
}

function flag(b: Uint8Array, at: number, what: string): boolean {
  const v = b[at];
  if (v > 1) throw pduError(6, `${what} is ${v}, not 0 or 1`, at);
  return v === 1;
}

function exactEnd(pos: number, end: number, what: string): void {
  if (pos !== end) throw pduError(6, `${what}: its fields end ${end - pos} bytes before its item length says`, pos);
}

/** SCP/SCU Role Selection (PS3.7 Table D.3-9/D.3-10): UID-length, SOP class UID, SCU-role, SCP-role. */
function decodeRoleSelection(b: Uint8Array, start: number, end: number): RoleSelection {
  const what = 'role selection sub-item';
  const uidEnd = lengthField(b, start, end, what);
  const sopClassUid = decodeUid(b, start + 2, uidEnd, `${what} SOP class UID`);
  if (end - uidEnd !== 2) throw pduError(6, `${what}: ${end - uidEnd} bytes follow the UID, not the 2 role bytes`, uidEnd);
  return { sopClassUid, scuRole: flag(b, uidEnd, `${what} SCU-role`), scpRole: flag(b, uidEnd + 1, `${what} SCP-role`) };
}

/** SOP Class Extended Negotiation (PS3.7 Table D.3-11): UID-length, SOP class UID, service-class-application-information. */
function decodeExtendedNegotiation(b: Uint8Array, start: number, end: number): SopClassExtendedNegotiation {
  const what = 'SOP class extended negotiation sub-item';
  const uidEnd = lengthField(b, start, end, what);
  return { sopClassUid: decodeUid(b, start + 2, uidEnd, `${what} SOP class UID`), info: copyBytes(b, uidEnd, end) };
}

/**
 * SOP Class Common Extended Negotiation (PS3.7 Table D.3-12/D.3-13): SOP class UID, service class UID and a list of
 * related general SOP class UIDs, each with a 2-byte length. The sub-item version (byte 2) is not tested.
 */
function decodeCommonExtendedNegotiation(
  b: Uint8Array,
  start: number,
  end: number,
  limits: ResolvedPduLimits,
): SopClassCommonExtendedNegotiation {
  const what = 'SOP class common extended negotiation sub-item';
  const sopEnd = lengthField(b, start, end, what);
  const sopClassUid = decodeUid(b, start + 2, sopEnd, `${what} SOP class UID`);
  const serviceEnd = lengthField(b, sopEnd, end, what);
  const serviceClassUid = decodeUid(b, sopEnd + 2, serviceEnd, `${what} service class UID`);
  const relatedEnd = lengthField(b, serviceEnd, end, what);
  const relatedGeneralSopClassUids: string[] = [];
  let count = 0;
  for (let pos = serviceEnd + 2; pos < relatedEnd; ) {
    count = countItem(count, limits, `${what} related general SOP classes`, pos);
    const uidEnd = lengthField(b, pos, relatedEnd, `${what} related general SOP class`);
    if (uidEnd === pos + 2) throw pduError(6, `${what} has an empty related general SOP class UID`, pos);
    relatedGeneralSopClassUids.push(decodeUid(b, pos + 2, uidEnd, `${what} related general SOP class UID`));
    pos = uidEnd;
  }
  exactEnd(relatedEnd, end, what);
  return { sopClassUid, serviceClassUid, relatedGeneralSopClassUids };
}

/** User Identity RQ (PS3.7 Table D.3-14): type, positive-response-requested, primary and secondary fields. */
function decodeUserIdentityRq(b: Uint8Array, start: number, end: number): UserIdentityRq {
  const what = 'user identity sub-item';
  if (end - start < 2) throw pduError(6, `${what} is ${end - start} bytes, too short`, start);
  const type = b[start];
  const positiveResponseRequested = flag(b, start + 1, `${what} positive-response-requested`);
  const primaryEnd = lengthField(b, start + 2, end, `${what} primary field`);
  const secondaryEnd = lengthField(b, primaryEnd, end, `${what} secondary field`);
  exactEnd(secondaryEnd, end, what);
  return {
    type,
    positiveResponseRequested,
    primaryField: copyBytes(b, start + 4, primaryEnd),
    secondaryField: copyBytes(b, primaryEnd + 2, secondaryEnd),
  };
}

/** User Identity AC (PS3.7 Table D.3-15): server-response-length and server-response. */
function decodeUserIdentityAc(b: Uint8Array, start: number, end: number): UserIdentityAc {
  const what = 'user identity sub-item';
  const responseEnd = lengthField(b, start, end, `${what} server response`);
  exactEnd(responseEnd, end, what);
  return { serverResponse: copyBytes(b, start + 2, responseEnd) };
}

function once<T>(seen: T | undefined, name: string, pos: number): void {
  if (seen !== undefined) throw pduError(5, `${WHERE} has more than one ${name} sub-item`, pos);
}

/** The value of a User Information Item from `start` to `end`. Byte fields are copied (they outlive the PDU buffer). */
export function decodeUserInformation(b: Uint8Array, start: number, end: number, limits: ResolvedPduLimits): UserInformation {
  let maxPduLength: number | undefined;
  let implementationClassUid: string | undefined;
  let implementationVersionName: string | undefined;
  let asyncOperationsWindow: AsyncOperationsWindow | undefined;
  let userIdentityRq: UserIdentityRq | undefined;
  let userIdentityAc: UserIdentityAc | undefined;
  let roleSelections: RoleSelection[] | undefined;
  let extendedNegotiations: SopClassExtendedNegotiation[] | undefined;
  let commonExtendedNegotiations: SopClassCommonExtendedNegotiation[] | undefined;
  let unknown: { type: number; data: Uint8Array }[] | undefined;
  let count = 0;
  for (let pos = start; pos < end; ) {
    const valueEnd = itemEnd(b, pos, end, WHERE);
    count = countItem(count, limits, WHERE, pos);
    const type = b[pos];
    const v = pos + 4;
    const length = valueEnd - v;
    switch (type) {
      case ItemType.MAXIMUM_LENGTH:
        once(maxPduLength, 'maximum length', pos);
        if (length !== 4) throw pduError(6, `maximum length sub-item has length ${length}, not 4`, pos + 2);
        maxPduLength = readU32(b, v);
        break;
      case ItemType.IMPLEMENTATION_CLASS_UID:
        once(implementationClassUid, 'implementation class UID', pos);
        implementationClassUid = decodeUid(b, v, valueEnd, 'implementation class UID');
        break;
      case ItemType.ASYNCHRONOUS_OPERATIONS_WINDOW:
        once(asyncOperationsWindow, 'asynchronous operations window', pos);
        if (length !== 4) throw pduError(6, `asynchronous operations window sub-item has length ${length}, not 4`, pos + 2);
        asyncOperationsWindow = { maxOperationsInvoked: readU16(b, v), maxOperationsPerformed: readU16(b, v + 2) };
        break;
      case ItemType.SCP_SCU_ROLE_SELECTION:
        (roleSelections ??= []).push(decodeRoleSelection(b, v, valueEnd));
        break;
      case ItemType.IMPLEMENTATION_VERSION_NAME:
        once(implementationVersionName, 'implementation version name', pos);
        implementationVersionName = decodeShortText(b, v, valueEnd, VERSION_NAME_READ_MAX, 'implementation version name');
        break;
      case ItemType.SOP_CLASS_EXTENDED_NEGOTIATION:
        (extendedNegotiations ??= []).push(decodeExtendedNegotiation(b, v, valueEnd));
        break;
      case ItemType.SOP_CLASS_COMMON_EXTENDED_NEGOTIATION:
        (commonExtendedNegotiations ??= []).push(decodeCommonExtendedNegotiation(b, v, valueEnd, limits));
        break;
      case ItemType.USER_IDENTITY_RQ:
        once(userIdentityRq, 'user identity', pos);
        userIdentityRq = decodeUserIdentityRq(b, v, valueEnd);
        break;
      case ItemType.USER_IDENTITY_AC:
        once(userIdentityAc, 'user identity', pos);
        userIdentityAc = decodeUserIdentityAc(b, v, valueEnd);
        break;
      default:
        (unknown ??= []).push({ type, data: copyBytes(b, v, valueEnd) });
    }
    pos = valueEnd;
  }
  return {
    ...(maxPduLength !== undefined && { maxPduLength }),
    ...(implementationClassUid !== undefined && { implementationClassUid }),
    ...(implementationVersionName !== undefined && { implementationVersionName }),
    ...(asyncOperationsWindow !== undefined && { asyncOperationsWindow }),
    ...(roleSelections !== undefined && { roleSelections }),
    ...(extendedNegotiations !== undefined && { extendedNegotiations }),
    ...(commonExtendedNegotiations !== undefined && { commonExtendedNegotiations }),
    ...(userIdentityRq !== undefined && { userIdentityRq }),
    ...(userIdentityAc !== undefined && { userIdentityAc }),
    ...(unknown !== undefined && { unknown }),
  };
}
