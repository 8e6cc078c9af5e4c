import { describe, expect, it } from 'vitest';
import { Dataset } from '../../data/dataset.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../encoding/transfer-syntax.js';
import { writeDicom } from '../../encoding/write.js';
import { datasetInstance } from './scu-instance.js';

const SC = '1.2.840.10008.5.1.4.1.1.7';

describe('datasetInstance: an in-memory dataset as an instance', () => {
  const dataset = (): Dataset => {
    const ds = new Dataset();
    ds.set('SOPClassUID', SC);
    ds.set('SOPInstanceUID', '1.2.3.4.5');
    ds.set('PatientName', 'Test^Memory');
    return ds;
  };

  it('takes its UIDs and its encoded size in the given syntax', () => {
    const ds = dataset();
    const i = datasetInstance(ds, { label: 'photo 1', transferSyntax: ImplicitVRLittleEndian });
    expect(i).toMatchObject({ sopClassUid: SC, sopInstanceUid: '1.2.3.4.5', transferSyntax: ImplicitVRLittleEndian, label: 'photo 1', source: { kind: 'dataset' } });
    expect(i.size).toBe(writeDicom(ds, { part10: false, transferSyntax: ImplicitVRLittleEndian }).length);
    expect(datasetInstance(ds).transferSyntax).toBe(ExplicitVRLittleEndian);
  });

  it('refuses a dataset without SOP Instance UID', () => {
    const ds = dataset();
    ds.delete('SOPInstanceUID');
    expect(() => datasetInstance(ds)).toThrow(/no SOP Class UID or SOP Instance UID/);
  });
});
