import { describe, expect, it } from 'vitest';
import { DictionaryError } from '../core/errors.js';
import { Dataset } from './dataset.js';
import { LITTLE_ENDIAN_DEFAULT } from './decode-context.js';
import { Element } from './element.js';
import { makeTag } from './tag.js';

describe('Dataset', () => {
  it('iterates in ascending tag order whatever the insertion order', () => {
    const ds = new Dataset();
    ds.set('PatientName', 'B');
    ds.set('Modality', 'CT');
    ds.set('PixelData', new Uint8Array(2), 'OW');
    ds.set('PatientID', 'A');
    expect(ds.tags()).toEqual([0x00080060, 0x00100010, 0x00100020, 0x7fe00010]);
    ds.set('Modality', 'MR');
    expect(ds.size).toBe(4);
    expect(ds.string('Modality')).toBe('MR');
  });

  it('accepts keywords and gggg,eeee keys, and names an unknown keyword', () => {
    const ds = new Dataset();
    ds.set('0010,0020', 'X');
    expect(ds.string('PatientID')).toBe('X');
    expect(ds.has(0x00100020)).toBe(true);
    expect(() => ds.set('PatientNmae', 'Y')).toThrow(DictionaryError);
    expect(ds.delete('PatientID')).toBe(true);
    expect(ds.has('PatientID')).toBe(false);
  });

  it('converts JS values to the VR from the dictionary', () => {
    const ds = new Dataset();
    expect(ds.set('Rows', 512).value).toEqual([512]);
    expect(ds.set('InstanceNumber', 7).value).toEqual(['7']);
    expect(ds.set('ImageType', 'ORIGINAL\\PRIMARY').value).toEqual(['ORIGINAL', 'PRIMARY']);
    expect(ds.set('StudyDescription', null).value).toEqual([]);
    expect(ds.set('InstanceNumber', 7).number).toBe(7);
  });

  it('resolves private elements to their creator, and reserves a block for a new creator', () => {
    const ds = new Dataset();
    ds.set(0x00290010, 'SIEMENS CSA HEADER', 'LO');
    ds.set(0x00290011, 'OTHER VENDOR', 'LO');
    ds.set(0x00291010, new Uint8Array([1, 2]), 'OB');
    ds.set(0x00291108, 'X', 'CS');
    expect(ds.privateCreatorOf(0x00291010)).toBe('SIEMENS CSA HEADER');
    expect(ds.privateCreatorOf(0x00291108)).toBe('OTHER VENDOR');
    expect(ds.privateCreatorOf(0x00100010)).toBeUndefined();
    expect(ds.privateTag(0x0029, 'OTHER VENDOR', 0x08)).toBe(0x00291108);
    expect(ds.privateTag(0x0029, 'NEW', 0x01)).toBeUndefined();
    expect(ds.privateTag(0x0029, 'NEW', 0x01, true)).toBe(0x00291201);
    expect(ds.string(0x00290012)).toBe('NEW');
  });
});

describe('Element', () => {
  it('keeps raw bytes and decodes them only on first read', () => {
    const raw = Buffer.from('ORIGINAL\\PRIMARY ');
    const e = Element.fromRaw(makeTag(0x0008, 0x0008), 'CS', raw, 0, raw.length, LITTLE_ENDIAN_DEFAULT);
    raw.write('D', 0); // still undecoded: the change is seen
    expect(e.strings).toEqual(['DRIGINAL', 'PRIMARY']);
    raw.write('X', 0); // decoded once: the value no longer follows the bytes
    expect(e.strings).toEqual(['DRIGINAL', 'PRIMARY']);
    expect(e.rawLength).toBe(raw.length);
    e.value = ['DERIVED'];
    expect(e.hasRaw).toBe(false);
  });

  it('decodes numbers, tags and 64-bit integers in the source byte order', () => {
    const le = Buffer.from([1, 0, 2, 0]);
    expect(Element.fromRaw(0x00280010, 'US', le, 0, 4, LITTLE_ENDIAN_DEFAULT).numbers).toEqual([1, 2]);
    const at = Buffer.from([0x10, 0x00, 0x20, 0x00]);
    expect(Element.fromRaw(0x00209165, 'AT', at, 0, 4, LITTLE_ENDIAN_DEFAULT).strings).toEqual(['(0010,0020)']);
    const sv = Buffer.alloc(8);
    sv.writeBigInt64LE(-(2n ** 60n));
    expect(Element.fromRaw(0x00000001, 'SV', sv, 0, 8, LITTLE_ENDIAN_DEFAULT).value).toEqual([-(2n ** 60n)]);
  });

  it('trims padding as PS3.5 says: trailing for all, leading too for CS/DS/IS..., NUL for UI', () => {
    const make = (vr: 'LO' | 'CS' | 'UI' | 'LT', text: string) => Element.fromRaw(1, vr, Buffer.from(text, 'latin1'), 0, text.length, LITTLE_ENDIAN_DEFAULT);
    expect(make('LO', ' A B ').strings).toEqual([' A B']);
    expect(make('CS', ' CT ').strings).toEqual(['CT']);
    expect(make('UI', '1.2\0').strings).toEqual(['1.2']);
    expect(make('LT', ' line\\two ').strings).toEqual([' line\\two']);
  });

  it('parses IS and DS as numbers and refuses what is not a number', () => {
    const is = Element.fromRaw(1, 'IS', Buffer.from(' 42\\-7 '), 0, 7, LITTLE_ENDIAN_DEFAULT);
    expect(is.numbers).toEqual([42, -7]);
    const bad = Element.fromRaw(1, 'DS', Buffer.from('1.5\\abc '), 0, 8, LITTLE_ENDIAN_DEFAULT);
    expect(() => bad.numbers).toThrow(/not a number/);
  });
});
