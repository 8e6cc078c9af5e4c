import { describe, expect, it } from 'vitest';
import { DictionaryError } from '../core/errors.js';
import { makeTag } from '../data/tag.js';
import { defaultVr, keywordOf, lookupTag, parseTagKey, tagForKeyword } from './attributes.js';
import { ATTRIBUTES, REPEATING_ATTRIBUTES } from './generated/attributes.js';

describe('lookupTag', () => {
  it('finds an exact entry with its name, VR, VM and retired flag', () => {
    expect(lookupTag(0x00100010)).toEqual({
      tag: 0x00100010,
      keyword: 'PatientName',
      name: "Patient's Name",
      vrs: ['PN'],
      vm: '1',
      retired: false,
    });
    expect(lookupTag(0x00080005)?.vm).toBe('1-n');
    expect(lookupTag(0x00080001)?.retired).toBe(true); // Length to End
  });

  it('keeps every VR of a multi-VR element, the first as default', () => {
    expect(lookupTag(0x00280106)?.keyword).toBe('SmallestImagePixelValue');
    expect(lookupTag(0x00280106)?.vrs).toEqual(['US', 'SS']);
    expect(lookupTag(0x7fe00010)?.vrs).toEqual(['OB', 'OW']);
    expect(lookupTag(0x00281200)?.vrs).toEqual(['US', 'SS', 'OW']);
    expect(defaultVr(0x00280106)).toBe('US');
  });

  it('matches repeating groups (60xx,3000) in every even overlay group', () => {
    for (const group of [0x6000, 0x6002, 0x601e]) {
      const entry = lookupTag(makeTag(group, 0x3000));
      expect(entry?.keyword).toBe('OverlayData');
      expect(entry?.vrs).toEqual(['OB', 'OW']);
      expect(entry?.tag).toBe(0x60003000);
      expect(entry?.mask).toBe(0xff01ffff);
    }
    expect(keywordOf(0x60020010)).toBe('OverlayRows');
    expect(keywordOf(0x50040010)).toBe('NumberOfPoints');
  });

  it('matches element-level repeats: (0020,31xx), (0028,04x2), (1000,xxx3), (1010,xxxx)', () => {
    expect(keywordOf(0x002031ab)).toBe('SourceImageIDs');
    expect(keywordOf(0x00280412)).toBe('CoefficientCoding');
    expect(keywordOf(0x10001233)).toBe('HuffmanTableTriplet');
    expect(keywordOf(0x10101234)).toBe('ZonalMap');
  });

  it('does not match a repeating group in an odd (private) group', () => {
    expect(lookupTag(0x60013000)).toBeUndefined();
    expect(defaultVr(0x60013000)).toBe('UN');
  });

  it('gives any (gggg,0000) a generic UL group length, keeping the exact one of group 0002', () => {
    expect(lookupTag(0x00080000)).toMatchObject({ tag: 0x00080000, keyword: 'GenericGroupLength', vrs: ['UL'], retired: true });
    expect(lookupTag(0x00000000)).toMatchObject({ keyword: 'GenericGroupLength', retired: false });
    expect(lookupTag(0x00090000)?.vrs).toEqual(['UL']);
    expect(keywordOf(0x00020000)).toBe('FileMetaInformationGroupLength');
    expect(defaultVr(0x00280000)).toBe('UL');
  });

  it('recognizes private creators (gggg,0010-00FF) in private groups only', () => {
    expect(lookupTag(0x00090010)).toEqual({
      tag: 0x00090010, keyword: 'PrivateCreator', name: 'Private Creator', vrs: ['LO'], vm: '1', retired: false,
    });
    expect(keywordOf(0x001100ff)).toBe('PrivateCreator');
    expect(defaultVr(0x00290010)).toBe('LO');
    expect(lookupTag(0x00090100)).toBeUndefined(); // (0009,0100) is reserved, not a creator
    expect(lookupTag(0x00091010)).toBeUndefined(); // a private data element
    expect(defaultVr(0x00091010)).toBe('UN');
  });

  it('marks Item and the delimitation items as having no VR', () => {
    expect(lookupTag(0xfffee000)).toMatchObject({ keyword: 'Item', vrs: [] });
    expect(lookupTag(0xfffee00d)?.keyword).toBe('ItemDelimitationItem');
    expect(lookupTag(0xfffee0dd)?.keyword).toBe('SequenceDelimitationItem');
    expect(defaultVr(0xfffee000)).toBe('UN');
  });

  it('returns undefined for unknown tags', () => {
    expect(lookupTag(0x00080003)).toBeUndefined();
    expect(keywordOf(0x00080003)).toBe('');
    expect(defaultVr(0x00080003)).toBe('UN');
  });
});

describe('keywords', () => {
  it('round-trips every keyword of the dictionary', () => {
    for (const [tag, keyword] of ATTRIBUTES) {
      if (keyword === '') continue;
      expect(tagForKeyword(keyword)).toBe(tag);
      expect(keywordOf(tag)).toBe(keyword);
    }
    for (const [value, , keyword] of REPEATING_ATTRIBUTES) expect(tagForKeyword(keyword)).toBe(value);
  });

  it('knows the elements Portico relies on', () => {
    expect(tagForKeyword('SOPClassUID')).toBe(0x00080016);
    expect(tagForKeyword('TransferSyntaxUID')).toBe(0x00020010);
    expect(tagForKeyword('ScheduledProcedureStepSequence')).toBe(0x00400100);
    expect(tagForKeyword('PixelData')).toBe(0x7fe00010);
    expect(tagForKeyword('OverlayData')).toBe(0x60003000);
    expect(tagForKeyword('patientname')).toBeUndefined();
    expect(tagForKeyword('')).toBeUndefined();
  });

  it('gives the DICOMDIR (0004) and file meta (0002) groups', () => {
    expect(defaultVr(tagForKeyword('DirectoryRecordSequence')!)).toBe('SQ');
    expect(defaultVr(tagForKeyword('MediaStorageSOPClassUID')!)).toBe('UI');
  });

  it('keeps non-ASCII names verbatim', () => {
    expect(lookupTag(tagForKeyword('ExposureInuAs')!)?.name).toBe('Exposure in µAs');
  });
});

describe('parseTagKey', () => {
  it('accepts keywords and every hex form', () => {
    expect(parseTagKey('PatientName')).toBe(0x00100010);
    expect(parseTagKey(' PatientID ')).toBe(0x00100020);
    expect(parseTagKey('00100010')).toBe(0x00100010);
    expect(parseTagKey('0010,0010')).toBe(0x00100010);
    expect(parseTagKey('(0010,0010)')).toBe(0x00100010);
    expect(parseTagKey('0x7FE00010')).toBe(0x7fe00010);
    expect(parseTagKey('0009,1001')).toBe(0x00091001); // unknown tags are fine in hex
  });

  it('throws a DictionaryError naming the bad key, with a suggestion for a wrong case', () => {
    expect(() => parseTagKey('NoSuchKeyword')).toThrow(DictionaryError);
    expect(() => parseTagKey('NoSuchKeyword')).toThrow(/NoSuchKeyword/);
    expect(() => parseTagKey('patientname')).toThrow(/Did you mean PatientName \(0010,0010\)/);
    expect(() => parseTagKey('0010,001')).toThrow(DictionaryError);
    expect(() => parseTagKey('')).toThrow(DictionaryError);
  });
});
