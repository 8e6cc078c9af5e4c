/** Datasets built with Portico's API for the interop tests: every VR, nested and private sequences, three character sets. */
import { Dataset } from '../../src/data/dataset.js';
import type { Tolerance } from './json-compare.js';

export const PRIVATE_CREATOR = 'PORTICO TEST';

const bytesOf = (array: Float32Array | Float64Array | Uint32Array | BigUint64Array | Uint16Array): Uint8Array =>
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

function item(entries: Record<string, string | readonly string[]>): Dataset {
  const ds = new Dataset();
  for (const [key, value] of Object.entries(entries)) ds.set(key, value);
  return ds;
}

/**
 * Every VR of PS3.5 Table 6.2-1 (OV SV UV UC UR UT included), multi-valued strings, a PN with three component
 * groups, UTF-8 text (ISO_IR 192), odd-length values, empty values, sequences nested two deep, an empty sequence,
 * an empty item, and a private block with LO, OB, UN and a private sequence.
 */
export function allVrsDataset(): Dataset {
  const ds = new Dataset();
  ds.set('SpecificCharacterSet', 'ISO_IR 192'); // CS
  ds.set('ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']); // CS, multi-valued
  ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7'); // UI, odd length (25)
  ds.set('SOPInstanceUID', '2.25.123456789012'); // UI, odd length
  ds.set('StudyDate', '20240131'); // DA
  ds.set('AcquisitionDateTime', '20240131101530.123456+0100'); // DT
  ds.set('StudyTime', '101530.123'); // TM
  ds.set('AccessionNumber', 'ACC-1'); // SH, odd length
  ds.set('Modality', 'OT');
  ds.set('Manufacturer', 'Portico – ünïcödé'); // LO, UTF-8, odd number of bytes
  ds.set('InstitutionAddress', '  Leading spaces are kept in ST'); // ST
  ds.set('ReferringPhysicianName', null); // PN, empty
  ds.set('LongCodeValue', 'A long code value that is longer than the sixty-four characters of LO, which UC allows'); // UC
  ds.set('URNCodeValue', 'http://example.com/codes?x=1&y=2'); // UR
  ds.set('ReferencedImageSequence', [
    item({ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID: '1.2.3.4.5.6.7' }),
    item({ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.4', ReferencedSOPInstanceUID: '1.2.3.4.5.6.8' }),
  ]);
  ds.set('ReferencedSeriesSequence', []); // an empty sequence
  ds.set('TimeRange', [0.1, 2.5e10]); // FD
  ds.set('RecommendedDisplayFrameRateInFloat', [29.5]); // FL (exact in float32)

  const creator = ds.privateTag(0x0009, PRIVATE_CREATOR, 0x01, true)!;
  ds.set(creator, 'private text', 'LO');
  ds.set(ds.privateTag(0x0009, PRIVATE_CREATOR, 0x02)!, new Uint8Array([1, 2, 3]), 'OB'); // odd length
  ds.set(ds.privateTag(0x0009, PRIVATE_CREATOR, 0x03)!, new Uint8Array([0x0a, 0x0b, 0x0c]), 'UN'); // odd length
  const privateItem = new Dataset();
  privateItem.set(ds.privateTag(0x0009, PRIVATE_CREATOR, 0x11)!, 'in item', 'SH');
  ds.set(ds.privateTag(0x0009, PRIVATE_CREATOR, 0x10)!, [privateItem], 'SQ');

  ds.set('PatientName', 'Yamada^Tarou=山田^太郎=やまだ^たろう'); // PN, three component groups
  ds.set('PatientID', 'ID-0001');
  ds.set('PatientBirthDate', null); // DA, empty
  ds.set('OtherPatientNames', ['Other^Name', 'Zweiter^Ünal']); // PN, multi-valued
  ds.set('PatientAge', '042Y'); // AS
  ds.set('PatientComments', 'Line 1\r\nLine 2 with a \\ backslash'); // LT
  ds.set('AcquisitionMatrix', [0, 32, 32, 0]); // US, multi-valued
  ds.set('VerticesOfThePolygonalOutline', bytesOf(new Float32Array([1.5, -2.25])), 'OF');
  const region = new Dataset();
  region.set('RegionFlags', [4294967295]); // UL
  region.set('ReferencePixelX0', [-42, 7]); // SL
  region.set('ReferencePixelPhysicalValueX', [1.5e-300]); // FD
  ds.set('SequenceOfUltrasoundRegions', [region]);
  ds.set('TagAngleSecondAxis', [-32768, 32767]); // SS
  ds.set('InstanceNumber', '12'); // IS
  ds.set('ImagePositionPatient', ['-125.5', '0', '1.5e2']); // DS, multi-valued
  const dimension = new Dataset();
  dimension.set('DimensionIndexPointer', [0x00209056]); // AT
  ds.set('DimensionIndexSequence', [dimension]);
  ds.set('SamplesPerPixel', 1);
  ds.set('PhotometricInterpretation', 'MONOCHROME2');
  ds.set('FrameIncrementPointer', [0x00181063, 0x00181065]); // AT, multi-valued
  ds.set('Rows', 2);
  ds.set('Columns', 2);
  ds.set('BitsAllocated', 16);
  ds.set('BitsStored', 16);
  ds.set('HighBit', 15);
  ds.set('PixelRepresentation', 0);
  const code = item({ CodeValue: 'T-1234', CodingSchemeDesignator: '99PORTICO', CodeMeaning: 'Nested code' });
  const request = new Dataset();
  request.set('ScheduledProcedureStepDescription', 'Requested procedure');
  request.set('ScheduledProtocolCodeSequence', [code]); // nested two deep
  ds.set('RequestAttributesSequence', [request]);
  ds.set('PerformedProtocolCodeSequence', [new Dataset()]); // an empty item
  ds.set('TextValue', 'Text value with a \\ backslash and ünïcödé'); // UT
  ds.set('LongPrimitivePointIndexList', bytesOf(new Uint32Array([1, 2, 0xffffffff])), 'OL');
  ds.set('VolumetricCurvePoints', bytesOf(new Float64Array([1.25, -3.5])), 'OD');
  ds.set('SelectorOVValue', bytesOf(new BigUint64Array([1n, 2n ** 64n - 1n])), 'OV');
  ds.set('SelectorSVValue', [-5n, 9007199254740993n, -(2n ** 63n)], 'SV');
  ds.set('SelectorUVValue', [0n, 2n ** 64n - 1n], 'UV');
  ds.set('PixelData', bytesOf(new Uint16Array([1, 0x1234, 0xfffe, 0x8000])), 'OW');
  return ds;
}

/** ISO 8859-1 text, with a sequence item that declares its own character set (UTF-8), as chrSQEncoding.dcm does. */
export function latin1Dataset(): Dataset {
  const ds = new Dataset();
  ds.set('SpecificCharacterSet', 'ISO_IR 100');
  ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
  ds.set('SOPInstanceUID', '2.25.987654321');
  ds.set('Manufacturer', 'Ærøskøbing Medical');
  ds.set('InstitutionAddress', 'Straße 1, Köln');
  ds.set('PatientName', 'Müller^Jürgen');
  ds.set('OtherPatientNames', ['Öst^Åsa', 'Ñúñez^José']);
  ds.set('PatientID', 'ÄÖÜ-1');
  const utf8 = new Dataset();
  utf8.set('SpecificCharacterSet', 'ISO_IR 192');
  utf8.set('ScheduledProcedureStepDescription', '日本語の説明');
  ds.set('RequestAttributesSequence', [utf8]);
  return ds;
}

/** Japanese in ISO 2022: JIS X 0201 romaji and JIS X 0208 kanji/kana, switched by escape sequences (PS3.5 §6.1.2.5). */
export function iso2022Dataset(): Dataset {
  const ds = new Dataset();
  ds.set('SpecificCharacterSet', ['', 'ISO 2022 IR 87']);
  ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
  ds.set('SOPInstanceUID', '2.25.55555');
  ds.set('PatientName', 'Yamada^Tarou=山田^太郎=やまだ^たろう');
  ds.set('StudyDescription', '頭部 MRI');
  return ds;
}

export interface BuiltDataset {
  readonly name: string;
  readonly build: () => Dataset;
  /**
   * What `dcmdump +U8 +P PatientName` must print, or undefined where DCMTK 3.6.7 cannot convert the character set
   * (it has no ISO 2022 IR 87 with glibc iconv).
   */
  readonly patientName: string | undefined;
  /** Differences between the dataset as built and pydicom's reading of the file, in Explicit VR. */
  readonly explicitTolerances: readonly Tolerance[];
  /** The same in Implicit VR, where private elements have no VR on the wire. */
  readonly implicitTolerances: readonly Tolerance[];
  /** dcmdump warnings that are expected in Implicit VR (the text, and why). */
  readonly implicitDcmdumpWarnings: readonly { readonly text: string; readonly reason: string }[];
}

const IMPLICIT_PRIVATE = (path: string, vr: string): Tolerance => ({
  path,
  contains: `VR ${vr} (Portico) vs UN (peer)`,
  reason: `Implicit VR carries no VR: a private ${vr} whose creator ("${PRIVATE_CREATOR}") is in no private dictionary ` +
    'can only be read as UN (PS3.5 §6.2.2), by pydicom and by Portico (checked on its own re-read)',
});

const ODD_PADDED = (path: string, vr: string): Tolerance => ({
  path,
  contains: `${vr} bytes differ: 3 bytes (Portico) vs 4 (peer)`,
  reason: `the built ${vr} value has 3 bytes; values are padded to an even length with 00 when written (PS3.5 §7.1.1), ` +
    'so the value read back has 4',
});

export const BUILT: readonly BuiltDataset[] = [
  {
    name: 'all VRs (ISO_IR 192)',
    build: allVrsDataset,
    patientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう',
    explicitTolerances: [ODD_PADDED('00091002', 'OB'), ODD_PADDED('00091003', 'UN')],
    implicitTolerances: [
      IMPLICIT_PRIVATE('00091001', 'LO'),
      IMPLICIT_PRIVATE('00091002', 'OB'),
      ODD_PADDED('00091003', 'UN'),
      IMPLICIT_PRIVATE('00091010/0/00091011', 'SH'),
    ],
    implicitDcmdumpWarnings: [
      {
        text: 'W: Found element (0009,1010) with VR UN and undefined length, reading a sequence with transfer syntax LittleEndianImplicit (CP-246)',
        reason: 'the private sequence has undefined length, the only encoding that lets a reader without the private ' +
          'dictionary parse it in Implicit VR; DCMTK notes every such element',
      },
    ],
  },
  {
    name: 'ISO_IR 100 with a UTF-8 item',
    build: latin1Dataset,
    patientName: 'Müller^Jürgen',
    explicitTolerances: [],
    implicitTolerances: [],
    implicitDcmdumpWarnings: [],
  },
  {
    name: 'ISO 2022 IR 87',
    build: iso2022Dataset,
    patientName: undefined,
    explicitTolerances: [],
    implicitTolerances: [],
    implicitDcmdumpWarnings: [],
  },
];
