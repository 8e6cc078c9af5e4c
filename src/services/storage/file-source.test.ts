import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { readDicom } from '../../encoding/read.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian, RLELossless } from '../../encoding/transfer-syntax.js';
import { writeDicom } from '../../encoding/write.js';
import { MEDIA_STORAGE_DIRECTORY_SOP_CLASS } from './file-source-dicomdir.js';
import { collectInstances } from './file-source.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
let dir = '';

function ct(uid: string): Dataset {
  const ds = new Dataset();
  ds.set('SOPClassUID', CT);
  ds.set('SOPInstanceUID', uid);
  ds.set('PatientName', 'Files^Test');
  ds.set('PixelData', new Uint8Array(64), 'OW');
  return ds;
}

function dicomdirBytes(fileIds: readonly (readonly string[])[]): Uint8Array {
  const ds = new Dataset();
  ds.set('FileSetID', 'TEST');
  ds.set(
    'DirectoryRecordSequence',
    fileIds.map((id) => {
      const r = new Dataset();
      r.set('DirectoryRecordType', 'IMAGE');
      r.set('ReferencedFileID', [...id]);
      return r;
    }),
  );
  const meta = new Dataset();
  meta.set('MediaStorageSOPClassUID', MEDIA_STORAGE_DIRECTORY_SOP_CLASS);
  meta.set('MediaStorageSOPInstanceUID', '1.2.3.99');
  return writeDicom(ds, { transferSyntax: ExplicitVRLittleEndian, meta });
}

const write = async (path: string, bytes: Uint8Array | string): Promise<string> => {
  await writeFile(join(dir, path), bytes);
  return join(dir, path);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-file-source-'));
  await mkdir(join(dir, 'study', 'series2'), { recursive: true });
  await mkdir(join(dir, 'media', 'DICOM'), { recursive: true });
  await write('study/b.dcm', writeDicom(ct('1.2.3.2'), { transferSyntax: ImplicitVRLittleEndian }));
  await write('study/a.dcm', writeDicom(ct('1.2.3.1'), { transferSyntax: ExplicitVRLittleEndian }));
  await write('study/notes.txt', 'not a DICOM file at all, just some words\n');
  await write('study/series2/c', writeDicom(ct('1.2.3.3'), { part10: false, transferSyntax: ImplicitVRLittleEndian }));
  await write('study/DICOMDIR', dicomdirBytes([['a.dcm']]));
  await write('media/DICOM/IM1', writeDicom(ct('1.2.3.11'), { transferSyntax: ExplicitVRLittleEndian }));
  await write('media/DICOM/IM2', writeDicom(ct('1.2.3.12'), { transferSyntax: ExplicitVRLittleEndian }));
  await write('media/DICOMDIR', dicomdirBytes([['DICOM', 'IM2'], ['DICOM', 'IM1'], ['DICOM', 'GONE'], ['..', 'study', 'a.dcm']]));
  await write('media/dirfile.dat', dicomdirBytes([['DICOM', 'IM1']]));
  const noSop = new Dataset();
  noSop.set('PatientName', 'No^Sop');
  await write('nosop.dcm', writeDicom(noSop, { transferSyntax: ExplicitVRLittleEndian, part10: false }));
  // A Part 10 header whose meta names no SOP class, and a dataset without one.
  const metaOnly = new Dataset();
  metaOnly.set('TransferSyntaxUID', ExplicitVRLittleEndian);
  const header = Buffer.concat([new Uint8Array(128), Buffer.from('DICM'), writeDicom(metaOnly, { part10: false, transferSyntax: ExplicitVRLittleEndian })]);
  await write('header-nosop.dcm', Buffer.concat([header, writeDicom(noSop, { part10: false, transferSyntax: ExplicitVRLittleEndian })]));
  // A Part 10 file whose first element claims more bytes than there are.
  await write('lying.dcm', Buffer.concat([header, Buffer.from([0x08, 0x00, 0x16, 0x00, 0x55, 0x49, 0xff, 0x7f, 0x31, 0x2e])]));
  await write('rle-header.dcm', writeDicom(ct('1.2.3.20'), { transferSyntax: RLELossless }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('collectInstances: files, folders and DICOMDIRs, reading only headers', () => {
  it('a folder: every DICOM file below it in name order, non-DICOM files and the DICOMDIR skipped with their reason', async () => {
    const { instances, skipped } = await collectInstances([join(dir, 'study')]);
    expect(instances.map((i) => i.sopInstanceUid)).toEqual(['1.2.3.1', '1.2.3.2', '1.2.3.3']);
    expect(instances.map((i) => i.transferSyntax)).toEqual([ExplicitVRLittleEndian, ImplicitVRLittleEndian, ImplicitVRLittleEndian]);
    expect(skipped.map((s) => [s.path, s.reason])).toEqual([
      [join(dir, 'study', 'DICOMDIR'), 'dicomdir'],
      [join(dir, 'study', 'notes.txt'), 'not-dicom'],
    ]);
  });

  it('each instance knows where its dataset starts and how long it is (file size minus the meta)', async () => {
    const { instances } = await collectInstances([join(dir, 'study', 'a.dcm'), join(dir, 'study', 'series2', 'c')]);
    const [a, c] = instances;
    const bytes = writeDicom(ct('1.2.3.1'), { transferSyntax: ExplicitVRLittleEndian });
    expect(a!.source).toEqual({ kind: 'file', path: join(dir, 'study', 'a.dcm'), datasetOffset: readDicom(bytes).datasetOffset });
    expect(a!.size).toBe(bytes.length - readDicom(bytes).datasetOffset);
    expect(a!.label).toBe(join(dir, 'study', 'a.dcm'));
    // A bare dataset (no Part 10 header): it starts at byte 0, its syntax detected.
    expect(c!.source).toMatchObject({ datasetOffset: 0 });
    expect(c!.sopClassUid).toBe(CT);
  });

  it('a header longer than the first 16 KiB read (a long value before the SOP UIDs) is read whole', async () => {
    const long = ct('1.2.3.30');
    long.set('ImageType', Array.from({ length: 5000 }, (_, i) => `T${i}`));
    const bytes = writeDicom(long, { transferSyntax: ExplicitVRLittleEndian });
    expect(bytes.length).toBeGreaterThan(20_000);
    const path = await write('long-header.dcm', bytes);
    const { instances, skipped } = await collectInstances([path]);
    expect(skipped).toEqual([]);
    expect(instances.map((i) => [i.sopClassUid, i.sopInstanceUid, i.transferSyntax, i.size])).toEqual([
      [CT, '1.2.3.30', ExplicitVRLittleEndian, bytes.length - readDicom(bytes).datasetOffset],
    ]);
  });

  it('a DICOMDIR named: the files its records reference, in record order; missing files and unsafe IDs skipped', async () => {
    const { instances, skipped } = await collectInstances([join(dir, 'media', 'DICOMDIR')]);
    expect(instances.map((i) => i.sopInstanceUid)).toEqual(['1.2.3.12', '1.2.3.11']);
    expect(skipped.map((s) => s.reason)).toEqual(['missing', 'invalid-reference']);
    expect(skipped[0]!.path).toBe(join(dir, 'media', 'DICOM', 'GONE'));
    expect(skipped[1]!.message).toContain("'..'");
  });

  it('a file of another name whose meta says Media Storage Directory is read as a DICOMDIR', async () => {
    const { instances, skipped } = await collectInstances([join(dir, 'media', 'dirfile.dat')]);
    expect(instances.map((i) => i.sopInstanceUid)).toEqual(['1.2.3.11']);
    expect(skipped).toEqual([]);
  });

  it('a file reached twice (named, in a folder, through a DICOMDIR) is taken once', async () => {
    const { instances } = await collectInstances([join(dir, 'media', 'DICOM', 'IM1'), join(dir, 'media', 'DICOMDIR'), join(dir, 'media', 'DICOM')]);
    expect(instances.map((i) => i.sopInstanceUid)).toEqual(['1.2.3.11', '1.2.3.12']);
  });

  it('a Part 10 file without SOP Class UID or with a lying length is unreadable; a bare one without SOP Class UID is not DICOM', async () => {
    const names = ['header-nosop.dcm', 'lying.dcm', 'nosop.dcm', 'rle-header.dcm'];
    const { instances, skipped } = await collectInstances(names.map((n) => join(dir, n)));
    expect(skipped.map((s) => [s.reason, s.message.replace(`${dir}/`, '')])).toEqual([
      ['unreadable', 'header-nosop.dcm: no SOP Class UID: not a composite instance'],
      ['unreadable', expect.stringMatching(/^lying\.dcm: .*(past|remain|end)/)],
      ['not-dicom', 'nosop.dcm: not DICOM (no File Meta Information and no SOP Class UID)'],
    ]);
    // A compressed file is planned in its own syntax (whether the peer takes it is decided when sending).
    expect(instances.map((i) => i.transferSyntax)).toEqual([RLELossless]);
  });

  it('a path that does not exist is an error', async () => {
    await expect(collectInstances([join(dir, 'nowhere')])).rejects.toThrow(/nowhere: no such file or folder/);
  });
});
