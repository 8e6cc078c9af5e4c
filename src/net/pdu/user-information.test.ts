import { describe, expect, it } from 'vitest';
import { PduDecodeError } from '../../core/errors.js';
import { ByteWriter } from './bytes.js';
import { DEFAULT_PDU_LIMITS } from './limits.js';
import type { UserInformation } from './types.js';
import { decodeUserInformation, writeUserInformationItem } from './user-information.js';
import { thrownBy } from '../../../test/support/thrown.js';

/** Hex bytes ('01 00 ff') and ASCII text ("'1.2'") joined. */
function bytes(...parts: string[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (p.startsWith("'")) for (const c of p.slice(1, -1)) out.push(c.charCodeAt(0));
    else for (const h of p.split(/\s+/).filter(Boolean)) out.push(parseInt(h, 16));
  }
  return Uint8Array.from(out);
}

function encode(ui: UserInformation): Uint8Array {
  const w = new ByteWriter();
  writeUserInformationItem(w, ui);
  return w.finish();
}

/** Decodes a whole user information item (type, reserved, length, sub-items). */
const decode = (item: Uint8Array, limits = DEFAULT_PDU_LIMITS): UserInformation => decodeUserInformation(item, 4, item.length, limits);

/** A user information item around the given sub-item bytes. */
function userInfo(...subItems: Uint8Array[]): Uint8Array {
  const n = subItems.reduce((s, i) => s + i.length, 0);
  const out = new Uint8Array(4 + n);
  out.set([0x50, 0, n >> 8, n & 0xff]);
  let at = 4;
  for (const s of subItems) {
    out.set(s, at);
    at += s.length;
  }
  return out;
}

const reasonOf = (run: () => unknown): number => thrownBy(PduDecodeError, run).abortReason;

// Golden sub-items (PS3.7 Annex D.3.3).
const MAX_LENGTH = bytes('51 00 00 04 00 01 00 00'); // maximum length 65536 (D.3.3.1, PS3.8 Table D.1-1)
const IMPL_CLASS = bytes('52 00 00 07', "'1.2.3.4'"); // implementation class UID (D.3.3.2, Table D.3-1)
const ASYNC = bytes('53 00 00 04', '00 05 00 01'); // 5 invoked, 1 performed (D.3.3.3, Table D.3-7)
const ROLE = bytes('54 00 00 1d', '00 19', "'1.2.840.10008.5.1.4.1.1.7'", '00 01'); // SC: SCU-role 0, SCP-role 1 (Table D.3-9)
const VERSION = bytes('55 00 00 0b', "'PORTICO_010'"); // implementation version name (Table D.3-3)
const EXT_NEG = bytes('56 00 00 20', '00 1b', "'1.2.840.10008.5.1.4.1.2.2.1'", '01 01 00'); // Study Root FIND: relational, date-time matching (Table D.3-11)
const COMMON_EXT = bytes(
  '57 00 00 53', // sub-item version 0, item length 83 (Table D.3-12)
  '00 1d', "'1.2.840.10008.5.1.4.1.1.88.40'", // SOP class: Procedure Log
  '00 11', "'1.2.840.10008.4.2'", // service class: Storage
  '00 1f', '00 1d', "'1.2.840.10008.5.1.4.1.1.88.22'", // related general SOP classes (31 bytes): Enhanced SR (Table D.3-13)
);
const IDENTITY_RQ = bytes('58 00 00 11', '02 01', '00 05', "'alice'", '00 06', "'s3cret'"); // username+passcode, response requested (Table D.3-14)
const IDENTITY_AC = bytes('59 00 00 06', '00 04', 'de ad be ef'); // server response (Table D.3-15)

const EVERYTHING: UserInformation = {
  maxPduLength: 65536,
  implementationClassUid: '1.2.3.4',
  asyncOperationsWindow: { maxOperationsInvoked: 5, maxOperationsPerformed: 1 },
  roleSelections: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', scuRole: false, scpRole: true }],
  implementationVersionName: 'PORTICO_010',
  extendedNegotiations: [{ sopClassUid: '1.2.840.10008.5.1.4.1.2.2.1', info: bytes('01 01 00') }],
  commonExtendedNegotiations: [
    { sopClassUid: '1.2.840.10008.5.1.4.1.1.88.40', serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClassUids: ['1.2.840.10008.5.1.4.1.1.88.22'] },
  ],
  userIdentityRq: { type: 2, positiveResponseRequested: true, primaryField: bytes("'alice'"), secondaryField: bytes("'s3cret'") },
  userIdentityAc: { serverResponse: bytes('de ad be ef') },
};

describe('User Information item', () => {
  it('encodes every sub-item to the golden bytes, in increasing type order', () => {
    expect(encode(EVERYTHING)).toEqual(userInfo(MAX_LENGTH, IMPL_CLASS, ASYNC, ROLE, VERSION, EXT_NEG, COMMON_EXT, IDENTITY_RQ, IDENTITY_AC));
  });

  it('decodes the golden bytes', () => {
    expect(decode(userInfo(MAX_LENGTH, IMPL_CLASS, ASYNC, ROLE, VERSION, EXT_NEG, COMMON_EXT, IDENTITY_RQ, IDENTITY_AC))).toEqual(EVERYTHING);
  });

  it('accepts sub-items in any order', () => {
    expect(decode(userInfo(IDENTITY_AC, VERSION, ROLE, MAX_LENGTH, COMMON_EXT, IMPL_CLASS, EXT_NEG, ASYNC, IDENTITY_RQ))).toEqual(EVERYTHING);
  });

  const cases: [string, UserInformation][] = [
    ['empty', {}],
    ['maximum length 0 (no limit)', { maxPduLength: 0 }],
    ['maximum length 2^32-1', { maxPduLength: 0xffffffff }],
    ['implementation class UID', { implementationClassUid: '2.25.286522376408141025419524068343856778810' }],
    ['implementation version name', { implementationVersionName: 'A' }],
    ['asynchronous operations window', { asyncOperationsWindow: { maxOperationsInvoked: 0, maxOperationsPerformed: 0 } }],
    [
      'several role selections',
      {
        roleSelections: [
          { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scuRole: true, scpRole: true },
          { sopClassUid: '1.2.840.10008.5.1.4.1.1.4', scuRole: false, scpRole: false },
        ],
      },
    ],
    ['extended negotiation without info', { extendedNegotiations: [{ sopClassUid: '1.2', info: new Uint8Array(0) }] }],
    ['common extended negotiation without related classes', { commonExtendedNegotiations: [{ sopClassUid: '1.2', serviceClassUid: '1.3', relatedGeneralSopClassUids: [] }] }],
    ['common extended negotiation with several related classes', { commonExtendedNegotiations: [{ sopClassUid: '1.2', serviceClassUid: '1.3', relatedGeneralSopClassUids: ['1.4', '1.5.6', '1.7'] }] }],
    ['user identity: username only', { userIdentityRq: { type: 1, positiveResponseRequested: false, primaryField: bytes("'bob'"), secondaryField: new Uint8Array(0) } }],
    ['user identity: JWT', { userIdentityRq: { type: 5, positiveResponseRequested: true, primaryField: new Uint8Array(5000).fill(0x41), secondaryField: new Uint8Array(0) } }],
    ['user identity response, empty', { userIdentityAc: { serverResponse: new Uint8Array(0) } }],
    ['unknown sub-items', { unknown: [{ type: 0x5a, data: bytes('01') }, { type: 0xff, data: new Uint8Array(0) }] }],
  ];
  for (const [name, ui] of cases) {
    it(`round-trips: ${name}`, () => {
      expect(decode(encode(ui))).toEqual(ui);
    });
  }

  it('copies byte fields out of the PDU buffer, also when it is a Node Buffer', () => {
    const item = Buffer.from(userInfo(EXT_NEG, IDENTITY_RQ));
    const ui = decode(item);
    item.fill(0);
    expect(ui.extendedNegotiations![0]!.info).toEqual(bytes('01 01 00'));
    expect(ui.userIdentityRq!.primaryField).toEqual(bytes("'alice'"));
    expect(Buffer.isBuffer(ui.userIdentityRq!.primaryField)).toBe(false);
  });

  it('drops a trailing NUL or space of the version name and UIDs', () => {
    expect(decode(userInfo(bytes('55 00 00 04', "'V1 '", '00'), bytes('52 00 00 04', "'1.2'", '00')))).toEqual({ implementationVersionName: 'V1', implementationClassUid: '1.2' });
  });

  describe('rejects lying lengths (6)', () => {
    const lies: [string, Uint8Array][] = [
      ['maximum length with length 3', bytes('51 00 00 03 00 00 40')],
      ['maximum length with length 5', bytes('51 00 00 05 00 00 40 00 00')],
      ['asynchronous operations window with length 2', bytes('53 00 00 02 00 01')],
      ['role selection UID-length past the sub-item', bytes('54 00 00 06', '00 09', "'1.2'", '00 01')],
      ['role selection UID-length leaving 3 role bytes', bytes('54 00 00 07', '00 02', "'1.2'", '00 01')],
      ['role selection without role bytes', bytes('54 00 00 05', '00 03', "'1.2'")],
      ['role selection with an empty body', bytes('54 00 00 00')],
      ['extended negotiation UID-length past the sub-item', bytes('56 00 00 04', '00 10', "'1.'")],
      ['common extended negotiation service UID-length past the sub-item', bytes('57 00 00 09', '00 03', "'1.2'", '00 09', "'1.'")],
      ['common extended negotiation related length past the sub-item', bytes('57 00 00 0c', '00 03', "'1.2'", '00 01', "'3'", '00 08', '00 01')],
      ['common extended negotiation related UID-length past the related list', bytes('57 00 00 0e', '00 03', "'1.2'", '00 01', "'3'", '00 03', '00 05', "'1'")],
      ['common extended negotiation with bytes after the related list', bytes('57 00 00 0b', '00 03', "'1.2'", '00 01', "'3'", '00 00', 'ff')],
      ['common extended negotiation with an empty related UID', bytes('57 00 00 0c', '00 03', "'1.2'", '00 01', "'3'", '00 02', '00 00')],
      ['user identity primary-field length past the sub-item', bytes('58 00 00 06', '01 00', '00 07', "'ab'")],
      ['user identity without secondary-field length', bytes('58 00 00 05', '01 00', '00 01', "'a'")],
      ['user identity with bytes after the secondary field', bytes('58 00 00 08', '01 00', '00 01', "'a'", '00 00', 'ff')],
      ['user identity with an empty body', bytes('58 00 00 01', '01')],
      ['user identity response length past the sub-item', bytes('59 00 00 03', '00 02', 'ff')],
      ['user identity response with trailing bytes', bytes('59 00 00 04', '00 01', 'ff ff')],
      ['a sub-item running past the user information item', bytes('52 00 00 ff', "'1.2'")],
      ['a truncated sub-item header', bytes('52 00')],
    ];
    for (const [name, sub] of lies) {
      it(name, () => {
        expect(reasonOf(() => decode(userInfo(sub)))).toBe(6);
      });
    }
  });

  it('rejects role values other than 0 and 1, and bad strings (6)', () => {
    expect(reasonOf(() => decode(userInfo(bytes('54 00 00 07', '00 03', "'1.2'", '02 00'))))).toBe(6);
    expect(reasonOf(() => decode(userInfo(bytes('58 00 00 06', '01 07', '00 00', '00 00'))))).toBe(6);
    expect(reasonOf(() => decode(userInfo(bytes('55 00 00 03', "'A'", '0a', "'B'"))))).toBe(6);
    expect(reasonOf(() => decode(userInfo(bytes('55 00 00 41', "'" + 'V'.repeat(65) + "'"))))).toBe(6);
    expect(reasonOf(() => decode(userInfo(bytes('52 00 00 41', "'" + '1'.repeat(65) + "'"))))).toBe(6);
  });

  it('rejects a second copy of a single-valued sub-item (5)', () => {
    for (const sub of [MAX_LENGTH, IMPL_CLASS, ASYNC, VERSION, IDENTITY_RQ, IDENTITY_AC]) {
      expect(reasonOf(() => decode(userInfo(sub, sub)))).toBe(5);
    }
  });

  it('bounds the sub-item count and the related general SOP class count by maxItems (6)', () => {
    const zeros = new Uint8Array(4 * 1025).map((_, i) => (i % 4 === 0 ? 0x60 : 0));
    expect(reasonOf(() => decode(userInfo(zeros)))).toBe(6);
    expect(decode(userInfo(zeros.subarray(0, 4 * 1024))).unknown).toHaveLength(1024);
    const related = Array.from({ length: 20 }, () => [0, 1, 0x31]).flat();
    const common = Uint8Array.from([0x57, 0, 0, 8 + related.length, 0, 1, 0x31, 0, 1, 0x32, 0, related.length, ...related]);
    expect(reasonOf(() => decode(userInfo(common), { ...DEFAULT_PDU_LIMITS, maxItems: 10 }))).toBe(6);
    expect(decode(userInfo(common)).commonExtendedNegotiations![0]!.relatedGeneralSopClassUids).toHaveLength(20);
  });

  it('refuses to encode values that do not fit', () => {
    expect(() => encode({ maxPduLength: -1 })).toThrow(/32-bit/);
    expect(() => encode({ implementationVersionName: 'X'.repeat(17) })).toThrow(/1-16/);
    expect(() => encode({ implementationVersionName: '' })).toThrow(/1-16/);
    expect(() => encode({ asyncOperationsWindow: { maxOperationsInvoked: 70000, maxOperationsPerformed: 0 } })).toThrow(/65535/);
    expect(() => encode({ userIdentityRq: { type: 4, positiveResponseRequested: false, primaryField: new Uint8Array(70000), secondaryField: new Uint8Array(0) } })).toThrow(/65535/);
    expect(() => encode({ extendedNegotiations: [{ sopClassUid: '1.2', info: new Uint8Array(65530) }] })).toThrow(/65535/);
  });
});
