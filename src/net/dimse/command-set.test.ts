import { describe, expect, it } from 'vitest';
import { DicomEncodeError, DimseDecodeError } from '../../core/errors.js';
import { CommandField, DataSetType, Priority } from './command-elements.js';
import { type CommandFields, decodeCommand, encodeCommand } from './command-set.js';

const VERIFICATION = '1.2.840.10008.1.1';

/**
 * C-ECHO-RQ, Message ID 1, Verification SOP Class, no data set — Implicit VR Little Endian:
 *   (0000,0000) UL 4   56                      group length: the 56 bytes that follow
 *   (0000,0002) UI 18  "1.2.840.10008.1.1\0"   17 characters + NUL pad
 *   (0000,0100) US 2   0x0030                  C-ECHO-RQ
 *   (0000,0110) US 2   1                       Message ID
 *   (0000,0800) US 2   0x0101                  no data set
 */
const C_ECHO_RQ_GOLDEN = Buffer.from(
  '00000000' + '04000000' + '38000000' +
  '00000200' + '12000000' + Buffer.from('1.2.840.10008.1.1\0', 'latin1').toString('hex') +
  '00000001' + '02000000' + '3000' +
  '00001001' + '02000000' + '0100' +
  '00000008' + '02000000' + '0101',
  'hex',
);

/** One element of an Implicit VR LE command set. */
const el = (element: number, value: Uint8Array | string): Buffer => {
  const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value);
  const h = Buffer.alloc(8);
  h.writeUInt16LE(0x0000, 0);
  h.writeUInt16LE(element, 2);
  h.writeUInt32LE(v.length, 4);
  return Buffer.concat([h, v]);
};
const us = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
/** A command set from elements, with a correct group length prepended. */
const withGroupLength = (...elements: Buffer[]): Buffer => {
  const body = Buffer.concat(elements);
  const gl = Buffer.alloc(4);
  gl.writeUInt32LE(body.length);
  return Buffer.concat([el(0x0000, gl), body]);
};

describe('encodeCommand', () => {
  it('writes the golden C-ECHO-RQ command set', () => {
    const bytes = encodeCommand({ commandField: CommandField.C_ECHO_RQ, messageId: 1, affectedSopClassUid: VERIFICATION, hasDataset: false });
    expect(Buffer.from(bytes).toString('hex')).toBe(C_ECHO_RQ_GOLDEN.toString('hex'));
  });

  it('puts the group length first and the elements in tag order whatever the object order', () => {
    const bytes = Buffer.from(
      encodeCommand({ moveOriginatorMessageId: 7, status: 0, messageIdBeingRespondedTo: 3, commandField: CommandField.C_STORE_RSP, hasDataset: false }),
    );
    const tags: number[] = [];
    for (let p = 0; p < bytes.length; p += 8 + bytes.readUInt32LE(p + 4)) tags.push(bytes.readUInt16LE(p + 2));
    expect(tags).toEqual([0x0000, 0x0100, 0x0120, 0x0800, 0x0900, 0x1031]);
    expect(bytes.readUInt32LE(8)).toBe(bytes.length - 12);
  });

  it('writes 0001H as Command Data Set Type when a data set follows', () => {
    const bytes = Buffer.from(
      encodeCommand({ commandField: CommandField.C_FIND_RQ, messageId: 2, affectedSopClassUid: '1.2', priority: Priority.LOW, hasDataset: true }),
    );
    const at = bytes.indexOf(Buffer.from('00000008', 'hex'));
    expect(bytes.readUInt16LE(at + 8)).toBe(DataSetType.PRESENT);
  });

  it('pads an odd UID with NUL and an odd AE title with a space', () => {
    const bytes = Buffer.from(
      encodeCommand({ commandField: CommandField.C_MOVE_RQ, messageId: 1, affectedSopClassUid: '1.2.3', priority: 0, moveDestination: 'ABC', hasDataset: true }),
    );
    expect(bytes.includes(Buffer.from('1.2.3\0', 'latin1'))).toBe(true);
    expect(bytes.includes(Buffer.concat([el(0x0600, 'ABC ')]))).toBe(true);
  });

  it('makes an error comment safe: no backslash or non-ASCII, at most 64 characters', () => {
    const long = `bad\\path é ${'x'.repeat(100)}`;
    const fields = decodeCommand(encodeCommand({ commandField: CommandField.C_STORE_RSP, messageIdBeingRespondedTo: 1, status: 0xc000, errorComment: long, hasDataset: false }));
    expect(fields.errorComment).toHaveLength(64);
    expect(fields.errorComment!.startsWith('bad?path ? x')).toBe(true);
  });

  it('rejects values that cannot be sent', () => {
    const base: CommandFields = { commandField: CommandField.C_ECHO_RQ, messageId: 1, affectedSopClassUid: VERIFICATION, hasDataset: false };
    expect(() => encodeCommand({ ...base, commandField: 0x4242 })).toThrow(DicomEncodeError);
    expect(() => encodeCommand({ ...base, messageId: 0x10000 })).toThrow(DicomEncodeError);
    expect(() => encodeCommand({ ...base, messageId: 1.5 })).toThrow(DicomEncodeError);
    expect(() => encodeCommand({ ...base, affectedSopClassUid: '1.2.abc' })).toThrow(DicomEncodeError);
    expect(() => encodeCommand({ ...base, affectedSopClassUid: `1.${'2'.repeat(64)}` })).toThrow(DicomEncodeError);
    expect(() => encodeCommand({ ...base, moveDestination: 'THIS_AE_TITLE_IS_TOO_LONG' })).toThrow(DicomEncodeError);
    expect(() => encodeCommand({ ...base, moveDestination: '   ' })).toThrow(DicomEncodeError);
    expect(() => encodeCommand({ ...base, offendingElements: [-1] })).toThrow(DicomEncodeError);
  });
});

describe('decodeCommand', () => {
  it('reads the golden C-ECHO-RQ', () => {
    expect(decodeCommand(C_ECHO_RQ_GOLDEN)).toEqual({
      commandField: CommandField.C_ECHO_RQ,
      messageId: 1,
      affectedSopClassUid: VERIFICATION,
      hasDataset: false,
    });
  });

  it('round-trips every field', () => {
    const fields: CommandFields = {
      commandField: CommandField.C_MOVE_RSP,
      messageIdBeingRespondedTo: 9,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.2',
      requestedSopClassUid: '1.2.3',
      affectedSopInstanceUid: '1.2.3.4.5',
      requestedSopInstanceUid: '1.2.3.4.6',
      messageId: 10,
      moveDestination: 'DEST',
      priority: Priority.HIGH,
      hasDataset: true,
      status: 0xb000,
      offendingElements: [0x00100010, 0x7fe00010],
      errorComment: 'partly failed',
      errorId: 0xa710,
      eventTypeId: 2,
      attributeIdentifierList: [0x00081150],
      actionTypeId: 1,
      remainingSuboperations: 0,
      completedSuboperations: 5,
      failedSuboperations: 1,
      warningSuboperations: 2,
      moveOriginatorAeTitle: 'ORIGIN',
      moveOriginatorMessageId: 77,
    };
    expect(decodeCommand(encodeCommand(fields))).toEqual(fields);
  });

  it('accepts a Uint8Array that is a view into a larger buffer', () => {
    const big = new Uint8Array(C_ECHO_RQ_GOLDEN.length + 10);
    big.set(C_ECHO_RQ_GOLDEN, 5);
    expect(decodeCommand(big.subarray(5, 5 + C_ECHO_RQ_GOLDEN.length)).messageId).toBe(1);
  });

  it('tolerates a missing group length and skips retired group 0000 elements', () => {
    const bytes = Buffer.concat([
      el(0x0001, Buffer.alloc(4)), // (0000,0001) Command Length to End, retired
      el(0x0100, us(0x0030)),
      el(0x0110, us(5)),
      el(0x0800, us(0x0101)),
      el(0x4000, 'retired'), // (0000,4000) Comment Field, retired
    ]);
    expect(decodeCommand(bytes)).toEqual({ commandField: 0x0030, messageId: 5, hasDataset: false });
  });

  it('takes any Command Data Set Type other than 0101H as "data set present"', () => {
    for (const value of [0x0000, 0x0001, 0x0102, 0xfefe]) {
      const bytes = withGroupLength(el(0x0002, '1.2\0'), el(0x0100, us(0x0020)), el(0x0110, us(1)), el(0x0700, us(0)), el(0x0800, us(value)));
      expect(decodeCommand(bytes).hasDataset).toBe(true);
    }
  });

  it('trims padding and treats empty strings as absent', () => {
    const bytes = withGroupLength(el(0x0002, ''), el(0x0100, us(0x0030)), el(0x0110, us(1)), el(0x0800, us(0x0101)), el(0x1000, ' 1.2.3 '));
    const fields = decodeCommand(bytes);
    expect(fields.affectedSopClassUid).toBeUndefined();
    expect(fields.affectedSopInstanceUid).toBe('1.2.3');
  });

  const bad: [string, Buffer][] = [
    ['an element outside group 0000', Buffer.concat([C_ECHO_RQ_GOLDEN.subarray(12), Buffer.from('0800180004000000312e3200', 'hex')])],
    ['no Command Field', withGroupLength(el(0x0002, '1.2\0'), el(0x0110, us(1)), el(0x0800, us(0x0101)))],
    ['an unknown Command Field', withGroupLength(el(0x0100, us(0x0031)), el(0x0110, us(1)), el(0x0800, us(0x0101)))],
    ['no Command Data Set Type', withGroupLength(el(0x0100, us(0x0030)), el(0x0110, us(1)))],
    ['a request without Message ID', withGroupLength(el(0x0100, us(0x0030)), el(0x0800, us(0x0101)))],
    ['a response without Status', withGroupLength(el(0x0100, us(0x8030)), el(0x0120, us(1)), el(0x0800, us(0x0101)))],
    ['a response without Message ID Being Responded To', withGroupLength(el(0x0100, us(0x8030)), el(0x0800, us(0x0101)), el(0x0900, us(0)))],
    ['a C-CANCEL-RQ without Message ID Being Responded To', withGroupLength(el(0x0100, us(0x0fff)), el(0x0800, us(0x0101)))],
    ['a group length that disagrees with the bytes', Buffer.concat([el(0x0000, Buffer.from([0x99, 0, 0, 0])), C_ECHO_RQ_GOLDEN.subarray(12)])],
    ['a group length of the wrong size', Buffer.concat([el(0x0000, Buffer.from([0x38, 0])), C_ECHO_RQ_GOLDEN.subarray(12)])],
    ['elements out of order', Buffer.concat([el(0x0110, us(1)), el(0x0100, us(0x0030)), el(0x0800, us(0x0101))])],
    ['a repeated element', Buffer.concat([el(0x0100, us(0x0030)), el(0x0100, us(0x0030)), el(0x0110, us(1)), el(0x0800, us(0x0101))])],
    ['a US value of 4 bytes', withGroupLength(el(0x0100, Buffer.from([0x30, 0, 0, 0])), el(0x0110, us(1)), el(0x0800, us(0x0101)))],
    ['an AT value of 3 bytes', withGroupLength(el(0x0100, us(0x8001)), el(0x0120, us(1)), el(0x0800, us(0x0101)), el(0x0900, us(0xc000)), el(0x0901, Buffer.from([1, 2, 3])))],
    ['a UID with letters', withGroupLength(el(0x0002, '1.2.x\0'), el(0x0100, us(0x0030)), el(0x0110, us(1)), el(0x0800, us(0x0101)))],
    ['a UID over 64 characters', withGroupLength(el(0x0002, '1.'.padEnd(66, '1')), el(0x0100, us(0x0030)), el(0x0110, us(1)), el(0x0800, us(0x0101)))],
    ['an AE title over 16 characters', withGroupLength(el(0x0100, us(0x0021)), el(0x0110, us(1)), el(0x0600, 'A_VERY_LONG_AE_TITLE'), el(0x0800, us(0x0001)))],
    ['an AE title with a control character', withGroupLength(el(0x0100, us(0x0021)), el(0x0110, us(1)), el(0x0600, 'AE\nX'), el(0x0800, us(0x0001)))],
    ['a length past the end', Buffer.concat([Buffer.from('0000000164000000', 'hex'), us(0x30)])],
    ['an undefined length', Buffer.concat([Buffer.from('00000001ffffffff', 'hex'), us(0x30)])],
    ['a truncated element header', C_ECHO_RQ_GOLDEN.subarray(0, C_ECHO_RQ_GOLDEN.length - 5)],
    ['garbage', Buffer.from('the quick brown fox jumps over the lazy dog', 'latin1')],
  ];
  it.each(bad)('rejects %s', (_what, bytes) => {
    expect(() => decodeCommand(bytes)).toThrow(DimseDecodeError);
  });

  it('rejects an empty command set', () => {
    expect(() => decodeCommand(new Uint8Array(0))).toThrow(/no Command Field/);
  });

  it('never throws anything but DimseDecodeError on random bytes', () => {
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(C_ECHO_RQ_GOLDEN);
      const flips = 1 + Math.floor(rnd() * 4);
      for (let f = 0; f < flips; f++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      const cut = bytes.subarray(0, Math.floor(rnd() * (bytes.length + 1)));
      try {
        decodeCommand(cut);
      } catch (error) {
        expect(error).toBeInstanceOf(DimseDecodeError);
      }
    }
  });
});
