/**
 * Hand-built Upper Layer bytes for the hostile tests (PS3.8 §9.3). Nothing here goes through the project's PDU
 * encoder: every length is written as given, so a test can make one lie (declared length ≠ bytes sent).
 */
import { cEchoRq } from '../../src/net/dimse/c-echo.js';
import { encodeCommand } from '../../src/net/dimse/command-set.js';

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';
export const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';
export const SERVER_TRANSFER_SYNTAXES = [EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_BIG_ENDIAN] as const;

/** PDU types (PS3.8 Table 9-11 ff.). */
export const T = { RQ: 0x01, AC: 0x02, RJ: 0x03, DATA: 0x04, RELEASE_RQ: 0x05, RELEASE_RP: 0x06, ABORT: 0x07 } as const;

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

export function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

export function u16(v: number): Uint8Array {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}

export function u32(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** A PDU: type, reserved, PDU-length (`declared`, default the body length), body. */
export function pdu(type: number, body: Uint8Array, declared = body.length): Uint8Array {
  return concat([Uint8Array.of(type, 0), u32(declared), body]);
}

/** Only the 6-byte PDU header. */
export function pduHeader(type: number, declared: number): Uint8Array {
  return concat([Uint8Array.of(type, 0), u32(declared)]);
}

/** An item of the A-ASSOCIATE variable field: type, reserved, 2-byte item-length (`declared`), value. */
export function item(type: number, value: Uint8Array, declared = value.length): Uint8Array {
  return concat([Uint8Array.of(type, 0), u16(declared), value]);
}

function aeField(title: string): Uint8Array {
  return ascii(title.padEnd(16, ' '));
}

export const applicationContextItem = (name = APPLICATION_CONTEXT): Uint8Array => item(0x10, ascii(name));

export function presentationContextItem(id: number, abstractSyntax: string, transferSyntaxes: readonly string[]): Uint8Array {
  return item(0x20, concat([Uint8Array.of(id, 0, 0, 0), item(0x30, ascii(abstractSyntax)), ...transferSyntaxes.map((ts) => item(0x40, ascii(ts)))]));
}

/** User Information with Maximum Length (0x51) and Implementation Class UID (0x52), then any extra sub-items. */
export function userInformationItem(maxPduLength = 16384, extra: readonly Uint8Array[] = []): Uint8Array {
  return item(0x50, concat([item(0x51, u32(maxPduLength)), item(0x52, ascii('1.2.3.4.5.6')), ...extra]));
}

export interface RqFields {
  readonly called?: string;
  readonly calling?: string;
  readonly protocolVersion?: number;
}

/** The body of an A-ASSOCIATE-RQ (fixed fields then `items`, as given). */
export function associateRqBody(items: readonly Uint8Array[], fields: RqFields = {}): Uint8Array {
  return concat([u16(fields.protocolVersion ?? 1), u16(0), aeField(fields.called ?? 'PORTICO'), aeField(fields.calling ?? 'HOSTILE'), new Uint8Array(32), ...items]);
}

export function associateRq(items: readonly Uint8Array[], fields: RqFields = {}): Uint8Array {
  return pdu(T.RQ, associateRqBody(items, fields));
}

/** A well-formed A-ASSOCIATE-RQ proposing Verification on context 1 (Implicit VR Little Endian). */
export function verificationRq(contextId = 1, fields: RqFields = {}): Uint8Array {
  return associateRq([applicationContextItem(), presentationContextItem(contextId, VERIFICATION_SOP_CLASS, [IMPLICIT_VR_LITTLE_ENDIAN]), userInformationItem()], fields);
}

export interface RawPdv {
  readonly contextId: number;
  /** Message control header: bit 0 command, bit 1 last fragment (PS3.8 Annex E.2). */
  readonly control: number;
  readonly data: Uint8Array;
  /** The PDV item-length to write (default data length + 2). */
  readonly declared?: number;
}

export const COMMAND_LAST = 0x03;
export const COMMAND_MORE = 0x01;

export function pdvItem(p: RawPdv): Uint8Array {
  return concat([u32(p.declared ?? p.data.length + 2), Uint8Array.of(p.contextId, p.control), p.data]);
}

export function pDataTf(pdvs: readonly RawPdv[], declared?: number): Uint8Array {
  const body = concat(pdvs.map(pdvItem));
  return pdu(T.DATA, body, declared ?? body.length);
}

/** The command set of a C-ECHO-RQ (Implicit VR Little Endian, as every command set). */
export function echoCommand(messageId = 1): Uint8Array {
  return encodeCommand(cEchoRq({ messageId, affectedSopClassUid: VERIFICATION_SOP_CLASS }));
}

/** A P-DATA-TF carrying a whole C-ECHO-RQ on `contextId`. */
export function echoRequestPdu(contextId = 1, messageId = 1): Uint8Array {
  return pDataTf([{ contextId, control: COMMAND_LAST, data: echoCommand(messageId) }]);
}

export const releaseRq = (): Uint8Array => pdu(T.RELEASE_RQ, new Uint8Array(4));
export const releaseRp = (): Uint8Array => pdu(T.RELEASE_RP, new Uint8Array(4));
export const abortPdu = (source = 0, reason = 0): Uint8Array => pdu(T.ABORT, Uint8Array.of(0, 0, source, reason));

/** A-ASSOCIATE-AC answering a verificationRq: context `contextId` with `result` (0 acceptance, 3 abstract syntax not supported). */
export function associateAc(contextId = 1, result = 0, maxPduLength = 16384): Uint8Array {
  const pc = item(0x21, concat([Uint8Array.of(contextId, 0, result, 0), item(0x40, ascii(IMPLICIT_VR_LITTLE_ENDIAN))]));
  return pdu(T.AC, associateRqBody([applicationContextItem(), pc, userInformationItem(maxPduLength)], { called: 'ANY', calling: 'PORTICO' }));
}

/** The first bytes of a TLS 1.2 ClientHello record (content type 0x16, version 03 01). */
export function tlsClientHello(): Uint8Array {
  const random = new Uint8Array(32).fill(0xab);
  const hello = concat([Uint8Array.of(0x03, 0x03), random, Uint8Array.of(0), u16(2), Uint8Array.of(0x13, 0x01), Uint8Array.of(1, 0), u16(0)]);
  const handshake = concat([Uint8Array.of(0x01, 0, (hello.length >>> 8) & 0xff, hello.length & 0xff), hello]);
  return concat([Uint8Array.of(0x16, 0x03, 0x01), u16(handshake.length), handshake]);
}

export const HTTP_GET = ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
