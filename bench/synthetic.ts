/**
 * Synthetic benchmark files, built with Portico's own writer: a CT slice, a 100-frame multi-frame, an RT Structure
 * Set with thousands of contour items (many small elements), and a multi-frame of about 1 GiB whose Pixel Data is
 * streamed to disk chunk by chunk so that the generator never holds it.
 */
import { open } from 'node:fs/promises';
import { Dataset } from '../src/data/dataset.js';
import { writeDicom } from '../src/encoding/write.js';

const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const MF_GRAYSCALE_WORD_SC = '1.2.840.10008.5.1.4.1.1.7.3';
const RT_STRUCTURE_SET = '1.2.840.10008.5.1.4.1.1.481.3';

/** Deterministic UIDs under the UUID-derived root (PS3.5 B.2): the corpus is the same on every run. */
const uid = (...parts: number[]): string => `2.25.${[31_415_926, ...parts].join('')}`;

/** Patient, study and series attributes shared by every synthetic file (about 40 elements, typical of a real header). */
function baseDataset(sopClass: string, sopInstance: string, modality: string, series: number): Dataset {
  const ds = new Dataset();
  ds.set('SpecificCharacterSet', 'ISO_IR 100');
  ds.set('ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']);
  ds.set('SOPClassUID', sopClass);
  ds.set('SOPInstanceUID', sopInstance);
  ds.set('StudyDate', '20240108');
  ds.set('SeriesDate', '20240108');
  ds.set('ContentDate', '20240108');
  ds.set('StudyTime', '101500');
  ds.set('SeriesTime', '101502.250000');
  ds.set('ContentTime', '101503');
  ds.set('AccessionNumber', 'ACC0001234');
  ds.set('Modality', modality);
  ds.set('Manufacturer', 'PORTICO BENCH');
  ds.set('InstitutionName', 'Städtisches Klinikum Süd');
  ds.set('ReferringPhysicianName', 'GARCÍA^MARÍA');
  ds.set('StationName', 'BENCH01');
  ds.set('StudyDescription', 'CT CHEST W CONTRAST');
  ds.set('SeriesDescription', 'AXIAL 1.0 B30f');
  ds.set('ManufacturerModelName', 'SYNTHETIC');
  ds.set('PatientName', 'MÜLLER^HANS');
  ds.set('PatientID', 'PID0003');
  ds.set('PatientBirthDate', '19480923');
  ds.set('PatientSex', 'M');
  ds.set('PatientAge', '075Y');
  ds.set('PatientWeight', '81.5');
  ds.set('BodyPartExamined', 'CHEST');
  ds.set('SoftwareVersions', ['1.0', 'bench']);
  ds.set('StudyInstanceUID', uid(1));
  ds.set('SeriesInstanceUID', uid(2, series));
  ds.set('StudyID', '1234');
  ds.set('SeriesNumber', series);
  ds.set('InstanceNumber', 1);
  ds.set('FrameOfReferenceUID', uid(3));
  ds.set('PositionReferenceIndicator', '');
  return ds;
}

function imagePixelModule(ds: Dataset, rows: number, columns: number): void {
  ds.set('SamplesPerPixel', 1);
  ds.set('PhotometricInterpretation', 'MONOCHROME2');
  ds.set('Rows', rows);
  ds.set('Columns', columns);
  ds.set('PixelSpacing', [0.703125, 0.703125]);
  ds.set('BitsAllocated', 16);
  ds.set('BitsStored', 12);
  ds.set('HighBit', 11);
  ds.set('PixelRepresentation', 0);
  ds.set('WindowCenter', [40, 400]);
  ds.set('WindowWidth', [400, 1500]);
  ds.set('RescaleIntercept', -1024);
  ds.set('RescaleSlope', 1);
}

/** 16-bit little-endian pixels with a cheap, non-constant pattern (12 bits used). */
function pixels(byteLength: number, seed: number): Uint8Array {
  const words = new Uint16Array(byteLength / 2);
  for (let i = 0; i < words.length; i++) words[i] = ((i * 7 + seed * 13) ^ (i >>> 9)) & 0x0fff;
  return new Uint8Array(words.buffer);
}

/** A 512×512×16-bit CT slice, about 0.5 MB. */
export function ctSlice(): Uint8Array {
  const ds = baseDataset(CT_IMAGE, uid(4, 1), 'CT', 1);
  ds.set('SliceThickness', '1.0');
  ds.set('KVP', '120');
  ds.set('DataCollectionDiameter', '500');
  ds.set('ReconstructionDiameter', '360');
  ds.set('GantryDetectorTilt', '0');
  ds.set('TableHeight', '145.5');
  ds.set('RotationDirection', 'CW');
  ds.set('ExposureTime', 500);
  ds.set('XRayTubeCurrent', 250);
  ds.set('ConvolutionKernel', 'B30f');
  ds.set('PatientPosition', 'HFS');
  ds.set('ImagePositionPatient', [-180, -180, -112.5]);
  ds.set('ImageOrientationPatient', [1, 0, 0, 0, 1, 0]);
  ds.set('SliceLocation', '-112.5');
  imagePixelModule(ds, 512, 512);
  ds.set(0x7fe00010, pixels(512 * 512 * 2, 1), 'OW');
  return writeDicom(ds);
}

function multiFrameDataset(frames: number, rows: number, columns: number): Dataset {
  const ds = baseDataset(MF_GRAYSCALE_WORD_SC, uid(5, frames), 'OT', 2);
  ds.set('ConversionType', 'WSD');
  ds.set('NumberOfFrames', frames);
  ds.set('FrameIncrementPointer', [0x00181063], 'AT');
  ds.set('FrameTime', '33.3');
  imagePixelModule(ds, rows, columns);
  return ds;
}

/** 100 frames of 512×512×16 bits, about 52 MB. */
export function multiFrame(frames = 100): Uint8Array {
  const ds = multiFrameDataset(frames, 512, 512);
  ds.set(0x7fe00010, pixels(frames * 512 * 512 * 2, 2), 'OW');
  return writeDicom(ds);
}

/**
 * An RT Structure Set with `rois` ROIs of `contours` planar contours each (`points` points per contour):
 * tens of thousands of small elements in nested sequences, most of them DS.
 */
export function rtStructureSet(rois = 40, contours = 100, points = 40): Uint8Array {
  const ds = baseDataset(RT_STRUCTURE_SET, uid(6, 1), 'RTSTRUCT', 3);
  ds.set('StructureSetLabel', 'BENCH');
  ds.set('StructureSetDate', '20240108');
  ds.set('StructureSetTime', '120000');
  const roiDefs: Dataset[] = [];
  const roiContours: Dataset[] = [];
  const observations: Dataset[] = [];
  for (let r = 1; r <= rois; r++) {
    const def = new Dataset();
    def.set('ROINumber', r);
    def.set('ReferencedFrameOfReferenceUID', uid(3));
    def.set('ROIName', `ROI ${r} ORGAN AT RISK`);
    def.set('ROIGenerationAlgorithm', 'MANUAL');
    roiDefs.push(def);

    const contourItems: Dataset[] = [];
    for (let c = 0; c < contours; c++) {
      const z = (-112.5 + c * 1.25).toFixed(2);
      const image = new Dataset();
      image.set('ReferencedSOPClassUID', CT_IMAGE);
      image.set('ReferencedSOPInstanceUID', uid(4, c + 1));
      const contour = new Dataset();
      contour.set('ContourImageSequence', [image]);
      contour.set('ContourGeometricType', 'CLOSED_PLANAR');
      contour.set('NumberOfContourPoints', points);
      contour.set('ContourNumber', c + 1);
      const data: string[] = [];
      for (let p = 0; p < points; p++) {
        const a = (2 * Math.PI * p) / points;
        data.push((r * 3 + 60 * Math.cos(a)).toFixed(3), (40 * Math.sin(a) - r).toFixed(3), z);
      }
      contour.set('ContourData', data);
      contourItems.push(contour);
    }
    const roiContour = new Dataset();
    roiContour.set('ROIDisplayColor', [r % 256, (r * 7) % 256, (r * 13) % 256]);
    roiContour.set('ContourSequence', contourItems);
    roiContour.set('ReferencedROINumber', r);
    roiContours.push(roiContour);

    const obs = new Dataset();
    obs.set('ObservationNumber', r);
    obs.set('ReferencedROINumber', r);
    obs.set('RTROIInterpretedType', 'ORGAN');
    obs.set('ROIInterpreter', '');
    observations.push(obs);
  }
  ds.set('StructureSetROISequence', roiDefs);
  ds.set('ROIContourSequence', roiContours);
  ds.set('RTROIObservationsSequence', observations);
  return writeDicom(ds);
}

/**
 * Writes a native multi-frame of `frames` 512×512×16-bit frames (2048 frames = 1 GiB of Pixel Data) to `path`.
 * The header comes from the writer; the Pixel Data element header (explicit VR LE, OW, 32-bit length) is appended
 * by hand and the value is streamed in 8 MiB chunks, so memory stays flat.
 */
export async function writeHugeMultiFrame(path: string, frames = 2048): Promise<number> {
  const frameBytes = 512 * 512 * 2;
  const valueLength = frames * frameBytes;
  if (valueLength >= 0xffffffff) throw new RangeError('Pixel Data longer than a 32-bit length');
  const header = writeDicom(multiFrameDataset(frames, 512, 512));
  const pixelHeader = new Uint8Array(12);
  const view = new DataView(pixelHeader.buffer);
  view.setUint16(0, 0x7fe0, true);
  view.setUint16(2, 0x0010, true);
  pixelHeader[4] = 0x4f; // 'O'
  pixelHeader[5] = 0x57; // 'W'
  view.setUint32(8, valueLength, true);
  const chunk = pixels(16 * frameBytes, 3);
  const handle = await open(path, 'w');
  try {
    await handle.write(header);
    await handle.write(pixelHeader);
    let left = valueLength;
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      await handle.write(chunk, 0, n);
      left -= n;
    }
  } finally {
    await handle.close();
  }
  return header.length + pixelHeader.length + valueLength;
}
