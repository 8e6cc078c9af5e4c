import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { readDicom } from '../../encoding/read.js';
import { writeDicom } from '../../encoding/write.js';
import { dicomdirReferences, fileIdProblem, MEDIA_STORAGE_DIRECTORY_SOP_CLASS } from './file-source-dicomdir.js';

/** A directory record: its type and, for file records, the Referenced File ID components. */
function record(type: string, fileId?: readonly string[], inUse?: number): Dataset {
  const r = new Dataset();
  r.set('OffsetOfTheNextDirectoryRecord', 0);
  if (inUse !== undefined) r.set(0x00041410, inUse, 'US');
  r.set('OffsetOfReferencedLowerLevelDirectoryEntity', 0);
  r.set('DirectoryRecordType', type);
  if (fileId) r.set('ReferencedFileID', [...fileId]);
  return r;
}

/** A DICOMDIR written with Portico and read back, as a media reader would see it. */
function dicomdir(records: readonly Dataset[]): Dataset {
  const ds = new Dataset();
  ds.set('FileSetID', 'PORTICO');
  ds.set('OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity', 0);
  ds.set('OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity', 0);
  ds.set('FileSetConsistencyFlag', 0);
  ds.set('DirectoryRecordSequence', [...records]);
  ds.set('SOPClassUID', MEDIA_STORAGE_DIRECTORY_SOP_CLASS);
  ds.set('SOPInstanceUID', '1.2.3.4');
  const bytes = writeDicom(ds, { transferSyntax: '1.2.840.10008.1.2.1' });
  return readDicom(bytes).dataset;
}

describe('dicomdirReferences: the files a DICOMDIR\'s records reference', () => {
  const folder = '/media/cd';

  it('IMAGE records\' Referenced File IDs, relative to the DICOMDIR\'s folder, in record order', () => {
    const dir = dicomdir([
      record('PATIENT'),
      record('STUDY'),
      record('SERIES'),
      record('IMAGE', ['DICOM', 'ST000001', 'IM000001']),
      record('IMAGE', ['DICOM', 'ST000001', 'IM000002']),
      record('SR DOCUMENT', ['DICOM', 'SR000001']),
    ]);
    expect(dicomdirReferences(dir, folder)).toEqual([
      { ok: true, path: join(folder, 'DICOM', 'ST000001', 'IM000001'), fileId: 'DICOM\\ST000001\\IM000001', recordType: 'IMAGE' },
      { ok: true, path: join(folder, 'DICOM', 'ST000001', 'IM000002'), fileId: 'DICOM\\ST000001\\IM000002', recordType: 'IMAGE' },
      { ok: true, path: join(folder, 'DICOM', 'SR000001'), fileId: 'DICOM\\SR000001', recordType: 'SR DOCUMENT' },
    ]);
  });

  it('a file referenced twice is listed once; inactive records (in-use flag 0) are left out', () => {
    const dir = dicomdir([record('IMAGE', ['A', 'IM1']), record('IMAGE', ['A', 'IM1']), record('IMAGE', ['A', 'IM2'], 0x0000), record('IMAGE', ['A', 'IM3'], 0xffff)]);
    expect(dicomdirReferences(dir, folder).map((r) => r.fileId)).toEqual(['A\\IM1', 'A\\IM3']);
  });

  it('File IDs that could leave the folder are refused, naming why', () => {
    const dir = dicomdir([
      record('IMAGE', ['..', '..', 'etc', 'passwd']),
      record('IMAGE', ['/etc/passwd']),
      record('IMAGE', ['C:', 'WINDOWS']),
      record('IMAGE', ['A', '.', 'IM1']),
      record('IMAGE', ['OK', 'IM1']),
    ]);
    const refs = dicomdirReferences(dir, folder);
    expect(refs.map((r) => r.ok)).toEqual([false, false, false, false, true]);
    expect(refs[0]).toMatchObject({ ok: false, reason: "it has a '..' component" });
    expect(refs[1]).toMatchObject({ ok: false, reason: expect.stringContaining('path separator') });
    expect(refs[2]).toMatchObject({ ok: false, reason: expect.stringContaining('drive letter') });
    expect(refs[3]).toMatchObject({ ok: false, reason: "it has a '.' component" });
  });

  it('fileIdProblem accepts plain components and refuses empty ones and control characters', () => {
    expect(fileIdProblem(['DICOM', 'IM_0001'])).toBeUndefined();
    expect(fileIdProblem([])).toBe('it is empty');
    expect(fileIdProblem(['A', ''])).toBe('it has an empty component');
    expect(fileIdProblem(['A\x00B'])).toContain('\\x00');
  });
});
