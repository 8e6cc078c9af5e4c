/**
 * Instances for the network interop tests — CT and Secondary Capture with a few hundred KB of pixel data — and
 * the comparison of a dataset that went over the wire with the one that was sent.
 */
import { randomBytes } from 'node:crypto';
import { Dataset } from '../../src/data/dataset.js';
import { uidForKeyword } from '../../src/dictionary/uids.js';
import { type DicomJsonAttribute, toDicomJson } from '../../src/encoding/dicom-json.js';

export const CT_IMAGE_STORAGE: string = uidForKeyword('CTImageStorage')!;
export const SECONDARY_CAPTURE_IMAGE_STORAGE: string = uidForKeyword('SecondaryCaptureImageStorage')!;

// -- Test instances ----------------------------------------------------------------------------------------------------

/** A fresh UID under 2.25 (PS3.5 B.2: a UUID as a decimal integer). */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString(10)}`;
}

/** Deterministic 16-bit noise, little-endian (xorshift32 from `seed`). */
function pixels16(count: number, seed: number): Uint8Array {
  const out = new Uint8Array(count * 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const v = x & 0x0fff;
    out[2 * i] = v & 0xff;
    out[2 * i + 1] = v >> 8;
  }
  return out;
}

function patientStudySeries(ds: Dataset, modality: string, study: string, series: string): void {
  ds.set('SpecificCharacterSet', 'ISO_IR 100');
  ds.set('StudyDate', '20240131');
  ds.set('StudyTime', '101530');
  ds.set('AccessionNumber', 'ACC-NET-1');
  ds.set('Modality', modality);
  ds.set('ReferringPhysicianName', 'Doe^Jane');
  ds.set('PatientName', 'Interop^Network^Test');
  ds.set('PatientID', 'PORTICO-NET-1');
  ds.set('PatientBirthDate', '19700101');
  ds.set('PatientSex', 'O');
  ds.set('StudyInstanceUID', study);
  ds.set('SeriesInstanceUID', series);
  ds.set('StudyID', '1');
  ds.set('SeriesNumber', '1');
}

/** A CT Image Storage instance, `rows × columns` 16-bit pixels (384 × 384 = 288 KiB by default). */
export function ctDataset(seed: number, rows = 384, columns = 384): Dataset {
  const ds = new Dataset();
  ds.set('ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']);
  ds.set('SOPClassUID', CT_IMAGE_STORAGE);
  ds.set('SOPInstanceUID', newUid());
  patientStudySeries(ds, 'CT', newUid(), newUid());
  ds.set('Manufacturer', 'Portico');
  ds.set('SliceThickness', '1.25');
  ds.set('KVP', '120');
  ds.set('InstanceNumber', String(seed));
  ds.set('ImagePositionPatient', ['-125.5', '-125.5', String(seed * 1.25)]);
  ds.set('ImageOrientationPatient', ['1', '0', '0', '0', '1', '0']);
  ds.set('FrameOfReferenceUID', newUid());
  ds.set('SamplesPerPixel', 1);
  ds.set('PhotometricInterpretation', 'MONOCHROME2');
  ds.set('Rows', rows);
  ds.set('Columns', columns);
  ds.set('PixelSpacing', ['0.6510416', '0.6510416']);
  ds.set('BitsAllocated', 16);
  ds.set('BitsStored', 12);
  ds.set('HighBit', 11);
  ds.set('PixelRepresentation', 0);
  ds.set('WindowCenter', '40');
  ds.set('WindowWidth', '400');
  ds.set('RescaleIntercept', '-1024');
  ds.set('RescaleSlope', '1');
  ds.set('PixelData', pixels16(rows * columns, seed), 'OW');
  return ds;
}

/** A Secondary Capture Image Storage instance, 8-bit RGB, `rows × columns` (320 × 320 = 300 KiB by default). */
export function secondaryCaptureDataset(seed: number, rows = 320, columns = 320): Dataset {
  const ds = new Dataset();
  ds.set('ImageType', ['DERIVED', 'SECONDARY']);
  ds.set('SOPClassUID', SECONDARY_CAPTURE_IMAGE_STORAGE);
  ds.set('SOPInstanceUID', newUid());
  patientStudySeries(ds, 'OT', newUid(), newUid());
  ds.set('ConversionType', 'WSD');
  ds.set('InstanceNumber', String(seed));
  ds.set('SamplesPerPixel', 3);
  ds.set('PhotometricInterpretation', 'RGB');
  ds.set('PlanarConfiguration', 0);
  ds.set('Rows', rows);
  ds.set('Columns', columns);
  ds.set('BitsAllocated', 8);
  ds.set('BitsStored', 8);
  ds.set('HighBit', 7);
  ds.set('PixelRepresentation', 0);
  ds.set('PixelData', pixels16((rows * columns * 3) / 2, seed), 'OB');
  return ds;
}

// -- Comparing datasets ------------------------------------------------------------------------------------------------

/** Data Set Trailing Padding (FFFC,FFFC): DCMTK drops it when it sends or writes a dataset (PS3.10 §7.2 allows). */
export const TRAILING_PADDING = 'FFFCFFFC';

export interface CompareOptions {
  /** Tags (8-digit uppercase hex) left out. */
  readonly ignore?: readonly string[];
  /**
   * Tags whose VR is not compared, only their value: Pixel Data read from Implicit VR Little Endian is OW whatever
   * it was written as (PS3.5 §A.1), so an OB Pixel Data sent implicit comes back OW with the same bytes.
   */
  readonly anyVr?: readonly string[];
  /**
   * Leave out private attributes (odd groups): sent in Implicit VR they carry no VR, and without the vendor's
   * private dictionary a reader can only call them UN (PS3.5 §6.2.2), so their JSON differs from the explicit file's.
   */
  readonly ignorePrivate?: boolean;
}

/**
 * The attributes whose DICOM JSON differs between two datasets (top level tags, one short line each). Empty when
 * the datasets hold the same attributes with the same values.
 */
export function datasetDifferences(ours: Dataset, theirs: Dataset, options: CompareOptions = {}): string[] {
  const a = toDicomJson(ours);
  const b = toDicomJson(theirs);
  const out: string[] = [];
  const text = (tag: string, attribute: DicomJsonAttribute | undefined): string | undefined => {
    if (attribute === undefined) return undefined;
    return JSON.stringify(options.anyVr?.includes(tag) ? { ...attribute, vr: '(any)' } : attribute);
  };
  for (const tag of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (options.ignore?.includes(tag)) continue;
    if (options.ignorePrivate && Number.parseInt(tag.slice(0, 4), 16) % 2 === 1) continue;
    const x = text(tag, a[tag]);
    const y = text(tag, b[tag]);
    if (x === y) continue;
    const short = (s: string | undefined): string => (s === undefined ? 'absent' : s.length > 120 ? `${s.slice(0, 120)}… (${s.length} chars)` : s);
    out.push(`${tag}: ${short(x)} ≠ ${short(y)}`);
  }
  return out;
}

/** Pixel Data (7FE0,0010) as a DICOM JSON key. */
export const PIXEL_DATA_KEY = '7FE00010';

/** Where two byte arrays first differ, or undefined when they are equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): string | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `first difference at byte ${i} of ${a.length} / ${b.length}`;
  return a.length === b.length ? undefined : `lengths ${a.length} / ${b.length} (equal for the first ${n} bytes)`;
}
