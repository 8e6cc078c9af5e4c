/**
 * What A-ASSOCIATE-RQ (PS3.8 Table 9-11) and A-ASSOCIATE-AC (Table 9-17) share: protocol version (2), reserved (2),
 * called and calling AE titles (16 each), reserved (32), then the variable items: one Application Context item,
 * presentation context items and one User Information item. Items of unrecognized types are skipped (§9.3.1).
 */
import { DicomEncodeError } from '../../core/errors.js';
import { ByteWriter, decodeAeTitle, decodeUid, pduError, PDU_HEADER_LENGTH, readU16, writeAeTitle } from './bytes.js';
import { countItem, ItemType, itemEnd } from './items.js';
import type { ResolvedPduLimits } from './limits.js';
import { decodeUserInformation } from './user-information.js';
import type { UserInformation } from './types.js';

/** Bytes 7–74 of the PDU: everything before the variable items. */
export const ASSOCIATE_FIXED_LENGTH = 68;

export interface AssociateFixedFields {
  readonly protocolVersion: number;
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
}

/** Writes the PDU header (length reserved) and the fixed fields; returns the writer and where the length goes. */
export function beginAssociate(type: number, pdu: AssociateFixedFields): { w: ByteWriter; lengthAt: number } {
  const v = pdu.protocolVersion;
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new DicomEncodeError(`protocol version ${v} is not 16 bits`);
  const w = new ByteWriter();
  w.u8(type).u8(0);
  const lengthAt = w.mark32();
  w.u16(v).u16(0);
  writeAeTitle(w, pdu.calledAeTitle, 'called AE title');
  writeAeTitle(w, pdu.callingAeTitle, 'calling AE title');
  w.zeros(32);
  return { w, lengthAt };
}

/** Refuses to encode two presentation contexts with one ID (IDs are checked for range by the item writers). */
export function checkUniqueContextIds(contexts: readonly { readonly id: number }[]): void {
  const seen = new Set<number>();
  for (const { id } of contexts) {
    if (seen.has(id)) throw new DicomEncodeError(`presentation context ID ${id} is used twice`);
    seen.add(id);
  }
}

export function finishAssociate(w: ByteWriter, lengthAt: number): Uint8Array {
  w.end32(lengthAt);
  return w.finish();
}

export interface AssociateKind<C extends { readonly id: number }> {
  readonly name: string;
  /** 0x20 in the RQ, 0x21 in the AC; the other one is skipped as unrecognized here. */
  readonly presentationContextType: number;
  /** RQ AE titles must be ISO 646; the AC copies are not tested (PS3.8 Table 9-17). */
  readonly strictAeTitles: boolean;
  readonly decodePresentationContext: (b: Uint8Array, start: number, end: number, limits: ResolvedPduLimits) => C;
}

export interface DecodedAssociate<C> extends AssociateFixedFields {
  readonly applicationContext: string;
  readonly presentationContexts: C[];
  readonly userInformation: UserInformation;
}

/**
 * Decodes an A-ASSOCIATE-RQ/AC body. A missing Application Context item, a presentation context with an even, zero or
 * repeated ID, or more than `maxPresentationContexts` of them are invalid-PDU-parameter-value (6); a second
 * Application Context or User Information item is unexpected-PDU-parameter (5). A missing User Information item reads
 * as an empty one: the ACSE layer decides what it requires.
 */
export function decodeAssociate<C extends { readonly id: number }>(
  body: Uint8Array,
  limits: ResolvedPduLimits,
  kind: AssociateKind<C>,
): DecodedAssociate<C> {
  if (body.length < ASSOCIATE_FIXED_LENGTH) {
    throw pduError(6, `${kind.name} is ${body.length + PDU_HEADER_LENGTH} bytes, shorter than its fixed fields`, 0);
  }
  const protocolVersion = readU16(body, 0);
  const calledAeTitle = decodeAeTitle(body, 4, kind.strictAeTitles, 'called AE title');
  const callingAeTitle = decodeAeTitle(body, 20, kind.strictAeTitles, 'calling AE title');
  let applicationContext: string | undefined;
  let userInformation: UserInformation | undefined;
  const presentationContexts: C[] = [];
  const seen = new Uint8Array(256);
  let count = 0;
  const end = body.length;
  for (let pos = ASSOCIATE_FIXED_LENGTH; pos < end; ) {
    const valueEnd = itemEnd(body, pos, end, kind.name);
    count = countItem(count, limits, kind.name, pos);
    const type = body[pos];
    if (type === ItemType.APPLICATION_CONTEXT) {
      if (applicationContext !== undefined) throw pduError(5, `${kind.name} has more than one application context item`, pos);
      applicationContext = decodeUid(body, pos + 4, valueEnd, 'application context name');
    } else if (type === kind.presentationContextType) {
      if (presentationContexts.length >= limits.maxPresentationContexts) {
        throw pduError(6, `${kind.name} has more than ${limits.maxPresentationContexts} presentation contexts`, pos);
      }
      const pc = kind.decodePresentationContext(body, pos + 4, valueEnd, limits);
      if (seen[pc.id] !== 0) throw pduError(6, `${kind.name} has presentation context ID ${pc.id} twice`, pos + 4);
      seen[pc.id] = 1;
      presentationContexts.push(pc);
    } else if (type === ItemType.USER_INFORMATION) {
      if (userInformation !== undefined) throw pduError(5, `${kind.name} has more than one user information item`, pos);
      userInformation = decodeUserInformation(body, pos + 4, valueEnd, limits);
    }
    pos = valueEnd;
  }
  if (applicationContext === undefined || applicationContext === '') {
    throw pduError(6, `${kind.name} has no application context item`, ASSOCIATE_FIXED_LENGTH);
  }
  return {
    protocolVersion,
    calledAeTitle,
    callingAeTitle,
    applicationContext,
    presentationContexts,
    userInformation: userInformation ?? {},
  };
}
