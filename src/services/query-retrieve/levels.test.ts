import { describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import {
  checkFindIdentifier,
  checkRetrieveIdentifier,
  levelOfKey,
  modelOfSopClass,
  QUERY_RETRIEVE_LEVEL,
  QueryIdentifierError,
  sopClassOf,
  UNIQUE_KEY,
} from './levels.js';
import { thrownBy } from '../../../test/support/thrown.js';

const ds = (values: Record<string, string>): Dataset => {
  const d = new Dataset();
  for (const [k, v] of Object.entries(values)) d.set(k, v);
  return d;
};

const refusal = (run: () => unknown): QueryIdentifierError => thrownBy(QueryIdentifierError, run);

describe('information models', () => {
  it('knows the FIND, MOVE and GET SOP classes of Patient Root and Study Root', () => {
    expect(sopClassOf('PATIENT_ROOT', 'FIND')).toBe('1.2.840.10008.5.1.4.1.2.1.1');
    expect(sopClassOf('STUDY_ROOT', 'MOVE')).toBe('1.2.840.10008.5.1.4.1.2.2.2');
    expect(modelOfSopClass('1.2.840.10008.5.1.4.1.2.2.3')).toEqual({ model: 'STUDY_ROOT', operation: 'GET' });
    expect(modelOfSopClass('1.2.840.10008.5.1.4.31')).toBeUndefined();
  });

  it('puts patient keys at the STUDY level of Study Root and at the PATIENT level of Patient Root', () => {
    const patientName = 0x00100010;
    expect(levelOfKey('STUDY_ROOT', patientName)).toBe('STUDY');
    expect(levelOfKey('PATIENT_ROOT', patientName)).toBe('PATIENT');
    expect(levelOfKey('STUDY_ROOT', 0x00080060)).toBe('SERIES');
    expect(levelOfKey('STUDY_ROOT', 0x00180015)).toBeUndefined(); // Body Part Examined: no table lists it
  });
});

describe('checkFindIdentifier', () => {
  it('accepts a Study Root STUDY query with the seeds\' keys and drops Query/Retrieve Level from the keys', () => {
    const q = checkFindIdentifier(ds({ QueryRetrieveLevel: 'STUDY', PatientName: 'Doe*', StudyDate: '20240101-20241231', ModalitiesInStudy: '', BodyPartExamined: '' }), 'STUDY_ROOT');
    expect(q.level).toBe('STUDY');
    expect(q.identifier.has(QUERY_RETRIEVE_LEVEL)).toBe(false);
    expect(q.identifier.has('PatientName')).toBe(true);
    expect(q.unsupportedKeys).toEqual([]);
  });

  it('refuses a missing or foreign Query/Retrieve Level with A900 naming (0008,0052)', () => {
    const missing = refusal(() => checkFindIdentifier(ds({ PatientName: '*' }), 'STUDY_ROOT'));
    expect(missing.status).toBe(0xa900);
    expect(missing.offendingElements).toEqual([QUERY_RETRIEVE_LEVEL]);
    const patientInStudyRoot = refusal(() => checkFindIdentifier(ds({ QueryRetrieveLevel: 'PATIENT' }), 'STUDY_ROOT'));
    expect(patientInStudyRoot.message).toMatch(/not STUDY, SERIES, IMAGE/);
    const hostile = refusal(() => checkFindIdentifier(ds({ QueryRetrieveLevel: `'; DROP TABLE studies; --${'x'.repeat(65536)}` }), 'STUDY_ROOT'));
    expect(hostile.status).toBe(0xa900);
    expect(hostile.message.length).toBeLessThan(100);
  });

  it('accepts a lower-case level', () => {
    expect(checkFindIdentifier(ds({ QueryRetrieveLevel: 'series', StudyInstanceUID: '1.2.3' }), 'STUDY_ROOT').level).toBe('SERIES');
  });

  it('hierarchical: needs one value in the unique key of each level above', () => {
    const noStudy = refusal(() => checkFindIdentifier(ds({ QueryRetrieveLevel: 'SERIES' }), 'STUDY_ROOT'));
    expect(noStudy.status).toBe(0xa900);
    expect(noStudy.offendingElements).toEqual([UNIQUE_KEY.STUDY]);
    expect(noStudy.message).toMatch(/Study Instance UID \(0020,000D\) missing/);
    const list = refusal(() => checkFindIdentifier(ds({ QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: '1.2\\1.3', SeriesInstanceUID: '1.2.4' }), 'STUDY_ROOT'));
    expect(list.offendingElements).toEqual([UNIQUE_KEY.STUDY]);
    const wildcard = refusal(() => checkFindIdentifier(ds({ QueryRetrieveLevel: 'STUDY', PatientID: 'P*' }), 'PATIENT_ROOT'));
    expect(wildcard.offendingElements).toEqual([UNIQUE_KEY.PATIENT]);
    expect(checkFindIdentifier(ds({ QueryRetrieveLevel: 'STUDY', PatientID: 'P1' }), 'PATIENT_ROOT').level).toBe('STUDY');
  });

  it('relational: the unique keys above may be absent or lists', () => {
    expect(checkFindIdentifier(ds({ QueryRetrieveLevel: 'IMAGE', Modality: 'CT' }), 'STUDY_ROOT', { relational: true }).level).toBe('IMAGE');
    expect(checkFindIdentifier(ds({ QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2\\1.3' }), 'PATIENT_ROOT', { relational: true }).level).toBe('SERIES');
  });

  it('sets keys of lower levels aside as unsupported (FF01), keeps keys of the level and above', () => {
    const q = checkFindIdentifier(ds({ QueryRetrieveLevel: 'STUDY', Modality: 'CT', SOPInstanceUID: '', PatientName: '' }), 'STUDY_ROOT');
    expect(q.unsupportedKeys).toEqual([0x00080018, 0x00080060]);
    expect(q.identifier.has('Modality')).toBe(false);
    expect(q.identifier.has('PatientName')).toBe(true);
    const patient = checkFindIdentifier(ds({ QueryRetrieveLevel: 'PATIENT', StudyDate: '' }), 'PATIENT_ROOT');
    expect(patient.unsupportedKeys).toEqual([0x00080020]);
  });
});

describe('checkRetrieveIdentifier', () => {
  it('keeps only the unique keys (and Specific Character Set)', () => {
    const r = checkRetrieveIdentifier(ds({ SpecificCharacterSet: 'ISO_IR 100', QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2.3', SeriesInstanceUID: '1.2.3.4\\1.2.3.5', Modality: 'CT' }), 'STUDY_ROOT');
    expect(r.level).toBe('SERIES');
    expect(r.identifier.tags()).toEqual([0x00080005, UNIQUE_KEY.STUDY, UNIQUE_KEY.SERIES]);
  });

  it('needs the unique key of the level, UIDs only (a list is fine), one Patient ID', () => {
    expect(refusal(() => checkRetrieveIdentifier(ds({ QueryRetrieveLevel: 'STUDY' }), 'STUDY_ROOT')).offendingElements).toEqual([UNIQUE_KEY.STUDY]);
    expect(refusal(() => checkRetrieveIdentifier(ds({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '*' }), 'STUDY_ROOT')).status).toBe(0xa900);
    expect(refusal(() => checkRetrieveIdentifier(ds({ QueryRetrieveLevel: 'PATIENT', PatientID: 'A\\B' }), 'PATIENT_ROOT')).offendingElements).toEqual([UNIQUE_KEY.PATIENT]);
    expect(checkRetrieveIdentifier(ds({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2\\1.3' }), 'STUDY_ROOT').identifier.strings(UNIQUE_KEY.STUDY)).toEqual(['1.2', '1.3']);
  });

  it('hierarchical needs the keys above; relational does not', () => {
    expect(refusal(() => checkRetrieveIdentifier(ds({ QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: '1.2.3.4.5' }), 'STUDY_ROOT')).offendingElements).toEqual([UNIQUE_KEY.STUDY]);
    const r = checkRetrieveIdentifier(ds({ QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: '1.2.3.4.5' }), 'STUDY_ROOT', { relational: true });
    expect(r.identifier.tags()).toEqual([UNIQUE_KEY.IMAGE]);
  });
});
