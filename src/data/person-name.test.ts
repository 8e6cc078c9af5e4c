import { describe, expect, it } from 'vitest';
import { DicomValueError } from '../core/errors.js';
import { PersonName, validatePersonName } from './person-name.js';

describe('PersonName.parse', () => {
  it('splits groups and components', () => {
    const pn = PersonName.parse('Yamada^Tarou=山田^太郎=やまだ^たろう');
    expect(pn.alphabetic).toBe('Yamada^Tarou');
    expect(pn.ideographic).toBe('山田^太郎');
    expect(pn.phonetic).toBe('やまだ^たろう');
    expect(pn.components('ideographic')).toEqual({
      familyName: '山田', givenName: '太郎', middleName: '', namePrefix: '', nameSuffix: '',
    });
  });
  it('reads all five components', () => {
    expect(PersonName.parse('Adams^John Robert Quincy^^Rev.^B.A. M.Div.').components()).toEqual({
      familyName: 'Adams', givenName: 'John Robert Quincy', middleName: '', namePrefix: 'Rev.', nameSuffix: 'B.A. M.Div.',
    });
  });
  it('removes trailing empty components, groups and padding', () => {
    expect(PersonName.parse('Doe^John^^^').toString()).toBe('Doe^John');
    expect(PersonName.parse('Doe^John==').toString()).toBe('Doe^John');
    expect(PersonName.parse('Doe^John ').toString()).toBe('Doe^John');
    expect(PersonName.parse('^^^^=^^^^=^^^^').toString()).toBe('');
    expect(PersonName.parse('').isEmpty).toBe(true);
  });
  it('keeps leading empty groups', () => {
    const pn = PersonName.parse('=山田^太郎');
    expect(pn.alphabetic).toBe('');
    expect(pn.toString()).toBe('=山田^太郎');
    expect(PersonName.parse('==やまだ').toString()).toBe('==やまだ');
  });
  it('is lenient with too many components or groups', () => {
    expect(PersonName.parse('A^B^C^D^E^F').components().nameSuffix).toBe('E^F');
    expect(PersonName.parse('A^B^C^D^E^F').toString()).toBe('A^B^C^D^E^F');
    expect(PersonName.parse('a=b=c=d').toString()).toBe('a=b=c');
  });
});

describe('PersonName.from', () => {
  it('builds from components', () => {
    const pn = PersonName.from({ alphabetic: { familyName: 'Doe', givenName: 'John', namePrefix: 'Dr' } });
    expect(pn.toString()).toBe('Doe^John^^Dr');
  });
  it('builds from group strings', () => {
    expect(PersonName.from({ ideographic: '山田^太郎' }).toString()).toBe('=山田^太郎');
    expect(PersonName.from({ alphabetic: 'Doe^^^', phonetic: 'do' }).toString()).toBe('Doe==do');
    expect(PersonName.from({}).toString()).toBe('');
  });
  it('refuses delimiters inside parts', () => {
    expect(() => PersonName.from({ alphabetic: { familyName: 'Do^e' } })).toThrow(DicomValueError);
    expect(() => PersonName.from({ alphabetic: { givenName: 'a=b' } })).toThrow(DicomValueError);
    expect(() => PersonName.from({ alphabetic: 'Doe=John' })).toThrow(DicomValueError);
    expect(() => PersonName.from({ phonetic: 'a\\b' })).toThrow(DicomValueError);
  });
});

describe('DICOM JSON (PS3.18 F.2.2)', () => {
  it('writes only the groups that are present', () => {
    expect(PersonName.parse('Doe^John').toJSON()).toEqual({ Alphabetic: 'Doe^John' });
    expect(PersonName.parse('Yamada^Tarou=山田^太郎=やまだ^たろう').toJSON()).toEqual({
      Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう',
    });
    expect(PersonName.parse('=山田').toJSON()).toEqual({ Ideographic: '山田' });
    expect(PersonName.parse('').toJSON()).toEqual({});
    expect(JSON.stringify({ Value: [PersonName.parse('Doe^^^')] })).toBe('{"Value":[{"Alphabetic":"Doe"}]}');
  });
  it('round-trips through JSON', () => {
    const text = 'Wang^XiaoDong=王^小東=';
    const pn = PersonName.fromJSON(PersonName.parse(text).toJSON());
    expect(pn.toString()).toBe('Wang^XiaoDong=王^小東');
    expect(pn.equals(PersonName.parse(text))).toBe(true);
    expect(PersonName.fromJSON({ Phonetic: 'p' }).toString()).toBe('==p');
  });
});

describe('validatePersonName', () => {
  it('finds nothing wrong with valid names', () => {
    expect(validatePersonName('Yamada^Tarou=山田^太郎=やまだ^たろう')).toEqual([]);
    expect(validatePersonName('A^B^C^D^E')).toEqual([]);
    expect(validatePersonName(`${'x'.repeat(64)}=${'山'.repeat(64)} `)).toEqual([]);
    expect(validatePersonName('')).toEqual([]);
  });
  it('reports each problem without throwing', () => {
    expect(validatePersonName('A^B^C^D^E^F')).toEqual(['alphabetic group has 6 components (at most 5)']);
    expect(validatePersonName('a=b=c=d')).toEqual(['4 component groups (at most 3)']);
    expect(validatePersonName('x'.repeat(65))).toEqual(['alphabetic group is 65 characters (at most 64)']);
    expect(validatePersonName('=^^^^^')).toEqual(['ideographic group has 6 components (at most 5)']);
    expect(validatePersonName('Doe\\Roe')).toHaveLength(1);
    expect(validatePersonName('Doe\nJohn')).toHaveLength(1);
    expect(validatePersonName('\x1b$BF|K\\\x1b(B'.replace('\\', ''))).toEqual([]);
  });
});
