import { afterEach, describe, expect, it } from 'vitest';
import { DicomValueError } from '../core/errors.js';
import { assertValidUid, generateUid, isValidUid, setUidRoot, UUID_UID_ROOT, uidRoot } from './uid.js';

describe('isValidUid', () => {
  it.each(['1.2.840.10008.1.2.1', '0', '1.0.2', '2.25.329800735698586629295641978511506172918', `1.${'2'.repeat(62)}`])(
    'accepts %j',
    (text) => {
      expect(isValidUid(text)).toBe(true);
    },
  );
  it.each([
    ['empty', ''],
    ['a leading zero', '1.02.3'],
    ['a leading zero in the first component', '01.2'],
    ['an empty component', '1..2'],
    ['a leading dot', '.1.2'],
    ['a trailing dot', '1.2.'],
    ['a letter', '1.2.a'],
    ['a space', '1.2.3 '],
    ['a trailing NUL pad', '1.2.3\0'],
    ['65 characters', `1.${'2'.repeat(63)}`],
  ])('rejects %s', (_why, text) => {
    expect(isValidUid(text)).toBe(false);
  });
});

describe('assertValidUid', () => {
  it('throws a DicomValueError for UI naming the attribute and the problem', () => {
    expect(() => assertValidUid('1.2.3')).not.toThrow();
    try {
      assertValidUid('1.02', 'Study Instance UID');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DicomValueError);
      expect((e as DicomValueError).vr).toBe('UI');
      expect((e as Error).message).toMatch(/Study Instance UID.*leading zero/);
    }
    expect(() => assertValidUid('../../etc/passwd')).toThrow(/only digits/);
  });
});

describe('generateUid', () => {
  afterEach(() => setUidRoot(UUID_UID_ROOT));

  it('makes 2.25 UIDs from a random UUID by default', () => {
    const uid = generateUid();
    expect(uid).toMatch(/^2\.25\.[1-9]\d*$/);
    expect(isValidUid(uid)).toBe(true);
    expect(BigInt(uid.slice(5)) < 2n ** 128n).toBe(true);
    // A version 4 UUID has the version nibble 4.
    expect((BigInt(uid.slice(5)) >> 76n) & 0xfn).toBe(4n);
  });
  it('never repeats itself', () => {
    const uids = new Set(Array.from({ length: 1000 }, () => generateUid()));
    expect(uids.size).toBe(1000);
    const custom = new Set(Array.from({ length: 1000 }, () => generateUid('1.2.3')));
    expect(custom.size).toBe(1000);
  });
  it('appends a suffix to another root, within 64 characters', () => {
    for (const root of ['1.2.826.0.1.3680043.9.7433', '1.2.3.', `1.${'2'.repeat(41)}`]) {
      const uid = generateUid(root);
      expect(uid.startsWith(`${root.replace(/\.$/, '')}.`)).toBe(true);
      expect(uid.length).toBeLessThanOrEqual(64);
      expect(isValidUid(uid)).toBe(true);
    }
  });
  it('refuses invalid roots and roots that leave no room', () => {
    expect(() => generateUid('1.02')).toThrow(DicomValueError);
    expect(() => generateUid(`1.${'2'.repeat(42)}`)).toThrow(DicomValueError);
  });
  it('changes the process default root', () => {
    expect(uidRoot()).toBe('2.25');
    setUidRoot('1.2.826.0.1.3680043.9.7433.');
    expect(uidRoot()).toBe('1.2.826.0.1.3680043.9.7433');
    expect(generateUid()).toMatch(/^1\.2\.826\.0\.1\.3680043\.9\.7433\.[1-9]\d+$/);
    expect(() => setUidRoot('1.2.x')).toThrow(DicomValueError);
    expect(uidRoot()).toBe('1.2.826.0.1.3680043.9.7433');
  });
});
