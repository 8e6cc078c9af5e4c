import { describe, expect, it } from 'vitest';
import { lookupUid, storageSopClasses, uidForKeyword, uidName, uidsOfType } from './uids.js';

describe('lookupUid', () => {
  it('finds storage SOP classes with their keyword and IOD', () => {
    expect(lookupUid('1.2.840.10008.5.1.4.1.1.2')).toEqual({
      uid: '1.2.840.10008.5.1.4.1.1.2',
      keyword: 'CTImageStorage',
      name: 'CT Image Storage',
      type: 'SOP Class',
      retired: false,
      storage: true,
      ciod: 'CT Image',
    });
    expect(lookupUid('1.2.840.10008.5.1.4.1.1.4.1')?.keyword).toBe('EnhancedMRImageStorage');
  });

  it('derives keywords the way PS3.6 writes them', () => {
    const keywords: Record<string, string> = {
      '1.2.840.10008.5.1.4.1.1.1.1': 'DigitalXRayImageStorageForPresentation',
      '1.2.840.10008.5.1.4.1.1.7.1': 'MultiFrameSingleBitSecondaryCaptureImageStorage',
      '1.2.840.10008.5.1.4.1.1.9.1.1': 'TwelveLeadECGWaveformStorage',
      '1.2.840.10008.5.1.4.1.1.9.1.4': 'General32bitECGWaveformStorage',
      '1.2.840.10008.5.1.4.1.1.9.6.2': 'MultichannelRespiratoryWaveformStorage',
      '1.2.840.10008.5.1.4.1.1.11.3': 'PseudoColorSoftcopyPresentationStateStorage',
      '1.2.840.10008.5.1.4.1.1.11.5': 'XAXRFGrayscaleSoftcopyPresentationStateStorage',
      '1.2.840.10008.5.1.4.1.1.77.1.3': 'VLSlideCoordinatesMicroscopicImageStorage',
      '1.2.840.10008.5.1.4.1.1.77.1.5.8': 'OphthalmicOpticalCoherenceTomographyBscanVolumeAnalysisStorage',
      '1.2.840.10008.5.1.4.1.1.79.1': 'MacularGridThicknessAndVolumeReportStorage',
      '1.2.840.10008.5.1.4.1.1.481.13': 'CArmPhotonElectronRadiationStorage',
      '1.2.840.10008.5.1.4.1.1.104.1': 'EncapsulatedPDFStorage',
      '1.2.840.10008.1.3.10': 'MediaStorageDirectoryStorage',
    };
    for (const [uid, keyword] of Object.entries(keywords)) expect(lookupUid(uid)?.keyword).toBe(keyword);
  });

  it('has the well-known UIDs that sops.json lacks', () => {
    const wellKnown: [string, string, string][] = [
      ['1.2.840.10008.1.1', 'Verification', 'SOP Class'],
      ['1.2.840.10008.3.1.1.1', 'DICOMApplicationContext', 'Application Context Name'],
      ['1.2.840.10008.5.1.4.1.2.1.1', 'PatientRootQueryRetrieveInformationModelFind', 'SOP Class'],
      ['1.2.840.10008.5.1.4.1.2.2.1', 'StudyRootQueryRetrieveInformationModelFind', 'SOP Class'],
      ['1.2.840.10008.5.1.4.1.2.2.2', 'StudyRootQueryRetrieveInformationModelMove', 'SOP Class'],
      ['1.2.840.10008.5.1.4.1.2.2.3', 'StudyRootQueryRetrieveInformationModelGet', 'SOP Class'],
      ['1.2.840.10008.5.1.4.31', 'ModalityWorklistInformationModelFind', 'SOP Class'],
      ['1.2.840.10008.3.1.2.3.3', 'ModalityPerformedProcedureStep', 'SOP Class'],
      ['1.2.840.10008.1.20.1', 'StorageCommitmentPushModel', 'SOP Class'],
      ['1.2.840.10008.5.1.1.9', 'BasicGrayscalePrintManagementMeta', 'Meta SOP Class'],
      ['1.2.840.10008.5.1.1.18', 'BasicColorPrintManagementMeta', 'Meta SOP Class'],
      ['1.2.840.10008.5.1.1.1', 'BasicFilmSession', 'SOP Class'],
      ['1.2.840.10008.5.1.1.2', 'BasicFilmBox', 'SOP Class'],
      ['1.2.840.10008.5.1.1.4', 'BasicGrayscaleImageBox', 'SOP Class'],
      ['1.2.840.10008.5.1.1.4.1', 'BasicColorImageBox', 'SOP Class'],
      ['1.2.840.10008.5.1.1.14', 'PrintJob', 'SOP Class'],
      ['1.2.840.10008.5.1.1.16', 'Printer', 'SOP Class'],
      ['1.2.840.10008.5.1.1.17', 'PrinterInstance', 'Well-known SOP Instance'],
      ['1.2.840.10008.5.1.1.23', 'PresentationLUT', 'SOP Class'],
      ['1.2.840.10008.1.2', 'ImplicitVRLittleEndian', 'Transfer Syntax'],
    ];
    for (const [uid, keyword, type] of wellKnown) {
      expect(lookupUid(uid), uid).toMatchObject({ keyword, type, retired: false, storage: false });
      expect(uidForKeyword(keyword)).toBe(uid);
    }
    expect(lookupUid('1.2.840.10008.1.2.2')?.retired).toBe(true);
  });

  it('returns undefined for UIDs that are not registered', () => {
    expect(lookupUid('1.2.3.4')).toBeUndefined();
    expect(uidForKeyword('ctimagestorage')).toBeUndefined();
  });
});

describe('uidName', () => {
  it('gives the registered name, or the UID itself', () => {
    expect(uidName('1.2.840.10008.1.2.1')).toBe('Explicit VR Little Endian');
    expect(uidName('1.2.840.10008.5.1.4.1.1.7')).toBe('Secondary Capture Image Storage');
    expect(uidName('1.2.3.4.5')).toBe('1.2.3.4.5');
  });
});

describe('storageSopClasses', () => {
  it('lists current and retired storage classes but no other SOP class', () => {
    const storage = storageSopClasses();
    const uids = new Set(storage.map((e) => e.uid));
    expect(storage.length).toBeGreaterThan(190);
    for (const uid of [
      '1.2.840.10008.5.1.4.1.1.2', // CT
      '1.2.840.10008.5.1.4.1.1.77.1.4.1', // Video Photographic
      '1.2.840.10008.5.1.4.1.1.9.4.1', // Basic Voice Audio
      '1.2.840.10008.5.1.4.1.1.6', // Ultrasound Image Storage (Retired)
      '1.2.840.10008.5.1.4.1.1.3', // Ultrasound Multi-frame Image Storage (Retired)
      '1.2.840.10008.5.1.4.1.1.129', // Standalone PET Curve
      '1.2.840.10008.5.1.1.27', // Stored Print
    ]) {
      expect(uids.has(uid), uid).toBe(true);
    }
    expect(uids.has('1.2.840.10008.1.3.10')).toBe(false); // DICOMDIR
    expect(uids.has('1.2.840.10008.1.1')).toBe(false);
    expect(uids.has('1.2.840.10008.1.20.1')).toBe(false); // Storage Commitment
    expect(storage.every((e) => e.type === 'SOP Class' && /Storage/.test(e.name))).toBe(true);
  });

  it('covers every storage SOP class the seed archive accepts', () => {
    // 002 echoes server, §3.1 (its retired ones included).
    const seed = [
      '1.2.840.10008.5.1.1.29', '1.2.840.10008.5.1.1.30', '1.2.840.10008.5.1.4.1.1.10', '1.2.840.10008.5.1.4.1.1.11',
      '1.2.840.10008.5.1.4.1.1.12.3', '1.2.840.10008.5.1.4.1.1.5', '1.2.840.10008.5.1.4.1.1.77.1',
      '1.2.840.10008.5.1.4.1.1.77.2', '1.2.840.10008.5.1.4.1.1.8', '1.2.840.10008.5.1.4.1.1.88.1',
      '1.2.840.10008.5.1.4.1.1.88.2', '1.2.840.10008.5.1.4.1.1.88.3', '1.2.840.10008.5.1.4.1.1.88.4',
      '1.2.840.10008.5.1.4.1.1.9', '1.2.840.10008.5.1.4.1.1.9.1', '1.2.840.10008.5.1.4.1.1.128',
      '1.2.840.10008.5.1.4.1.1.88.67', '1.2.840.10008.5.1.4.1.1.66.2',
    ];
    const uids = new Set(storageSopClasses().map((e) => e.uid));
    for (const uid of seed) expect(uids.has(uid), uid).toBe(true);
  });

  it('is sorted by UID, component by component, with unique keywords', () => {
    const all = uidsOfType('SOP Class');
    const parts = (uid: string) => uid.split('.').map(Number);
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [parts(all[i - 1]!.uid), parts(all[i]!.uid)];
      const k = a.findIndex((n, j) => n !== b[j]);
      expect(k === -1 ? a.length < b.length : a[k]! < (b[k] ?? -1), `${all[i - 1]!.uid} < ${all[i]!.uid}`).toBe(true);
    }
    expect(new Set(all.map((e) => e.keyword)).size).toBe(all.length);
  });
});
