import { readFile as fsReadFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concat, DicomBytes, part10Header } from '../../test/support/dicom-bytes.js';
import { DicomEncodeError } from '../core/errors.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../core/implementation.js';
import type { EncapsulatedPixelData } from '../data/bulk-data.js';
import { Dataset } from '../data/dataset.js';
import { Element } from '../data/element.js';
import { readDicom, readFile } from './read.js';
import { writeDicom, writeFile } from './write.js';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';

function sample(): Dataset {
  const ds = new Dataset();
  ds.set('SpecificCharacterSet', 'ISO_IR 100');
  ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
  ds.set('SOPInstanceUID', '1.2.3.4.5');
  ds.set('PatientName', 'MÜLLER^HANS');
  ds.set('PatientID', 'ODD'); // odd length: padded with a space
  ds.set('ImageType', ['ORIGINAL', 'PRIMARY']);
  ds.set('Rows', 2);
  ds.set('Columns', 3);
  ds.set('PixelSpacing', ['0.5', '0.25']);
  ds.set(0x00189087, [-1.5], 'FD'); // DiffusionBValue
  ds.set('PixelRepresentation', 1);
  ds.set(0x00280106, [-5], 'SS');
  ds.set(0x00209165, [0x00100020], 'AT');
  const item = new Dataset();
  item.set('ReferencedSOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
  item.set('ReferencedSOPInstanceUID', '1.2.3');
  ds.set('ReferencedImageSequence', [item]);
  ds.set(0x00291010, new Uint8Array([1, 2, 3]), 'OB');
  ds.set(0x00290010, 'PORTICO TEST', 'LO');
  ds.set('PixelData', new Uint8Array([1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0]), 'OW');
  return ds;
}

describe('writeDicom', () => {
  for (const ts of [EXPLICIT_LE, IMPLICIT_LE, EXPLICIT_BE, DEFLATED]) {
    it(`round-trips every value through ${ts}`, () => {
      const bytes = writeDicom(sample(), { transferSyntax: ts });
      const file = readDicom(bytes);
      expect(file.transferSyntax.uid).toBe(ts);
      const ds = file.dataset;
      expect(ds.string('PatientName')).toBe('MÜLLER^HANS');
      expect(ds.string('PatientID')).toBe('ODD');
      expect(ds.strings('ImageType')).toEqual(['ORIGINAL', 'PRIMARY']);
      expect(ds.number('Columns')).toBe(3);
      expect(ds.get(0x00189087)!.numbers).toEqual([-1.5]);
      expect(ds.get(0x00280106)!.vr).toBe('SS');
      expect(ds.get(0x00280106)!.numbers).toEqual([-5]);
      expect(ds.get(0x00209165)!.numbers).toEqual([0x00100020]);
      expect(ds.items('ReferencedImageSequence')[0]!.string('ReferencedSOPInstanceUID')).toBe('1.2.3');
      expect(ds.privateCreatorOf(0x00291010)).toBe('PORTICO TEST');
      expect(Array.from(ds.get('PixelData')!.value as Uint8Array)).toEqual([1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0]);
    });
  }

  it('writes a correct meta group: group length, media storage UIDs, transfer syntax, our implementation', () => {
    const bytes = writeDicom(sample());
    expect(Buffer.from(bytes.subarray(128, 132)).toString('latin1')).toBe('DICM');
    const { meta, datasetOffset } = readDicom(bytes);
    expect(meta.number(0x00020000)).toBe(datasetOffset - 132 - 12);
    expect(meta.string(0x00020002)).toBe('1.2.840.10008.5.1.4.1.1.7');
    expect(meta.string(0x00020003)).toBe('1.2.3.4.5');
    expect(meta.string(0x00020010)).toBe(EXPLICIT_LE);
    expect(meta.string(0x00020012)).toBe(IMPLEMENTATION_CLASS_UID);
    expect(meta.string(0x00020013)).toBe(IMPLEMENTATION_VERSION_NAME);
    expect(Array.from(meta.get(0x00020001)!.value as Uint8Array)).toEqual([0, 1]);
  });

  it('pads odd values: UI with NUL, text with space, binary with NUL', () => {
    const ds = new Dataset();
    ds.set('SOPInstanceUID', '1.2.3');
    ds.set('PatientID', 'ABC');
    ds.set(0x00291010, new Uint8Array([7]), 'OB');
    const bytes = writeDicom(ds, { part10: false });
    expect(Array.from(bytes)).toEqual([
      ...[0x08, 0x00, 0x18, 0x00, 0x55, 0x49, 6, 0], ...Buffer.from('1.2.3\0'),
      ...[0x10, 0x00, 0x20, 0x00, 0x4c, 0x4f, 4, 0], ...Buffer.from('ABC '),
      ...[0x29, 0x00, 0x10, 0x10, 0x4f, 0x42, 0, 0, 2, 0, 0, 0], 7, 0,
    ]);
  });

  it('writes empty binary values as zero-length elements', () => {
    const ds = new Dataset();
    ds.set(0x00640009, null, 'OF');
    ds.set(0x00291010, [], 'UN');
    const back = readDicom(writeDicom(ds, { part10: false })).dataset;
    expect((back.get(0x00640009)!.value as Uint8Array).length).toBe(0);
    expect(back.get(0x00291010)!.rawLength).toBe(0);
  });

  it('recalculates group lengths that are present', () => {
    const ds = new Dataset();
    ds.set(0x00100000, [999], 'UL');
    ds.set('PatientID', 'AB');
    ds.set('PatientName', 'X^Y');
    const read = readDicom(writeDicom(ds, { part10: false })).dataset;
    expect(read.number(0x00100000)).toBe(8 + 4 + 8 + 2);
  });

  it('writes a value too long for a 2-byte length as UN in explicit VR (PS3.5 6.2.2)', () => {
    const ds = new Dataset();
    ds.set(0x00283006, new Array(40_000).fill(1), 'US'); // LUT Data
    const bytes = writeDicom(ds, { part10: false });
    expect(Buffer.from(bytes.subarray(4, 6)).toString('latin1')).toBe('UN');
    const back = readDicom(bytes).dataset.get(0x00283006)!;
    expect(back.vr).toBe('UN');
    expect((back.value as Uint8Array).length).toBe(80_000);
  });

  it('refuses values of the wrong type or range with a typed error', () => {
    const ds = new Dataset();
    ds.set('Rows', [70_000]);
    expect(() => writeDicom(ds, { part10: false })).toThrow(DicomEncodeError);
    const ae = new Dataset();
    ae.set('StationAETitle', 'STÄTION');
    expect(() => writeDicom(ae, { part10: false })).toThrow(DicomEncodeError);
    expect(() => writeDicom(new Dataset())).toThrow(/SOP Class UID/);
  });

  it('writes encapsulated Pixel Data back fragment for fragment', () => {
    const body = new DicomBytes()
      .explicit(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7\0')
      .explicit(0x00080018, 'UI', '1.2.3.4\0')
      .explicit(0x7fe00010, 'OB', [], 0xffffffff)
      .item(0)
      .item(4)
      .raw([0xff, 0xd8, 0xff, 0xd9])
      .item(2)
      .raw([9, 9])
      .sequenceEnd()
      .bytes();
    const original = concat(part10Header('1.2.840.10008.1.2.4.50', '1.2.840.10008.5.1.4.1.1.7', '1.2.3.4'), body);
    const file = readDicom(original);
    const written = writeDicom(file.dataset, { meta: file.meta, keepMeta: true });
    const again = readDicom(written).dataset.get('PixelData')!.value as EncapsulatedPixelData;
    expect(again.fragments.map((f) => Array.from(f.bytes as Uint8Array))).toEqual([[0xff, 0xd8, 0xff, 0xd9], [9, 9]]);
    expect(Buffer.compare(Buffer.from(written.subarray(written.length - body.length)), Buffer.from(body))).toBe(0);
    expect(() => writeDicom(file.dataset, { transferSyntax: IMPLICIT_LE })).toThrow(DicomEncodeError);
  });

  it('writes the same bytes back for a file in canonical form (lossless round trip)', () => {
    const original = writeDicom(sample(), { transferSyntax: EXPLICIT_LE });
    const file = readDicom(original);
    const again = writeDicom(file.dataset, { meta: file.meta, keepMeta: true, preamble: file.preamble });
    expect(Buffer.compare(Buffer.from(again), Buffer.from(original))).toBe(0);
  });

  it('keeps private and unknown elements unchanged, also across byte orders', () => {
    const ds = sample();
    ds.add(new Element(0x00291011, 'UN', new Uint8Array([1, 2, 3, 4])));
    ds.set(0x00291012, [0x01020304], 'UL');
    const be = readDicom(writeDicom(ds, { transferSyntax: EXPLICIT_BE })).dataset;
    const le = readDicom(writeDicom(be, { transferSyntax: EXPLICIT_LE })).dataset;
    expect(Array.from(le.get(0x00291011)!.value as Uint8Array)).toEqual([1, 2, 3, 4]);
    expect(le.get(0x00291012)!.numbers).toEqual([0x01020304]);
    expect(le.string('PatientName')).toBe('MÜLLER^HANS');
  });
});

describe('writeFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-write-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes atomically and copies values that were left in the source file', async () => {
    const big = new Uint8Array(2 << 20).map((_, i) => (i * 7) & 0xff);
    const ds = sample();
    ds.set('PixelData', big, 'OB');
    const first = join(dir, 'first.dcm');
    await writeFile(first, ds);
    const read = await readFile(first);
    const second = join(dir, 'second.dcm');
    await writeFile(second, read.dataset, { meta: read.meta, keepMeta: true });
    expect(Buffer.compare(await fsReadFile(first), await fsReadFile(second))).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['first.dcm', 'second.dcm']);
  });
});
