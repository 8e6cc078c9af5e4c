/**
 * Files made by DCMTK at test time (dump2dcm from a dump written here; dcmconv into Implicit VR, Explicit VR Big
 * Endian, Deflated and bare datasets; img2dcm from BMP and JPEG; dcmcjpeg, dcmcrle and dcmcjpls) are read by
 * Portico and compared with pydicom's reading element by element, and with what the dump says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncapsulatedPixelData } from '../../src/data/bulk-data.js';
import { Dataset } from '../../src/data/dataset.js';
import { toDicomJson } from '../../src/encoding/dicom-json.js';
import { type DicomFile, readFile } from '../../src/encoding/read.js';
import { DCMTK_TOOLS, makeDcmtkFiles, PLANNED, type PlannedFile } from './dcmtk-fixtures.js';
import { applyTolerances, compareDicomJson, formatDifferences, type Tolerance } from './json-compare.js';
import { ensurePeers, tempDir } from './peers.js';
import { isFailure, type PydicomRead, type PydicomResult, pydicomRead } from './pydicom.js';

const UV_UNKNOWN_TO_PYDICOM: Tolerance = {
  path: '0008040C',
  contains: 'VR UV (Portico) vs UN (peer)',
  reason: 'File Offset in Container (0008,040C) is newer than the dictionaries of pydicom 2.3.1 and DCMTK 3.6.7: in ' +
    'Implicit VR pydicom falls back to UN (and warns), Portico (DICOM 2024e dictionary) knows it is UV',
};

/** Documented differences per made file; every other file must give exactly pydicom's JSON. */
const TOLERANCES: Readonly<Record<string, readonly Tolerance[]>> = {
  'main-ile.dcm': [UV_UNKNOWN_TO_PYDICOM],
  'main-ile-undefined-lengths.dcm': [UV_UNKNOWN_TO_PYDICOM],
  'main-ile-bare-dataset.dcm': [UV_UNKNOWN_TO_PYDICOM],
};

const isMain = (name: string): boolean => name.startsWith('main-');
/** The dataset went through Implicit VR (DCMTK keeps UN for private elements when converting back to explicit). */
const wasImplicit = (name: string): boolean => name.startsWith('main-ile');

/** What the dump says, checked on Portico's dataset directly (not only through a comparison with pydicom). */
function checkMainValues(ds: Dataset, name: string): void {
  expect(ds.string('SpecificCharacterSet')).toBe('ISO_IR 100');
  expect(ds.strings('ImageType')).toEqual(['ORIGINAL', 'PRIMARY', 'AXIAL']);
  expect(ds.string('PatientName')).toBe('Müller^Jürgen');
  expect(ds.strings('OtherPatientNames')).toEqual(['Other^Name', 'Zweiter^Ünal']);
  expect(ds.string('Manufacturer')).toBe('Odd');
  expect(ds.string('InstitutionAddress')).toBe('  Leading spaces kept in ST');
  expect(ds.string('TextValue')).toBe('Text value with \\ a backslash');
  expect(ds.get('RecommendedDisplayFrameRateInFloat')!.numbers).toEqual([Math.fround(29.97)]);
  expect(ds.get('TimeRange')!.numbers).toEqual([0.1, 2.5e10, -0.5]);
  expect(ds.get('TagAngleSecondAxis')!.numbers).toEqual([-32768, 32767]);
  expect(ds.get('SmallestImagePixelValue')!.vr).toBe('SS');
  expect(ds.get('SmallestImagePixelValue')!.numbers).toEqual([-5]);
  expect(ds.get('FrameIncrementPointer')!.value).toEqual([0x00181063, 0x00181065]);
  expect(ds.get('SelectorSVValue')!.value).toEqual([-5n, 9007199254740993n]);
  // DCMTK 3.6.7 does not know this tag: once the dataset went through Implicit VR it stays UN.
  if (!wasImplicit(name)) expect(ds.get('FileOffsetInContainer')!.value).toEqual([18446744073709551615n]);
  expect(Buffer.from(ds.get('LongPrimitivePointIndexList')!.value as Uint8Array).toString('hex')).toBe('0100000002000000ffffffff');
  expect([...new Float64Array(new Uint8Array(ds.get('VolumetricCurvePoints')!.value as Uint8Array).buffer)]).toEqual([1.25, -3.5]);
  const [region] = ds.items('SequenceOfUltrasoundRegions');
  expect(region!.get('RegionFlags')!.numbers).toEqual([4294967295]);
  expect(region!.get('ReferencePixelX0')!.numbers).toEqual([-42, 7]);
  expect(ds.items('ReferencedImageSequence').map((item) => item.string('ReferencedSOPInstanceUID'))).toEqual(['1.2.3.4.5.6.7', '1.2.3.4.5.6.8']);
  const [request] = ds.items('RequestAttributesSequence');
  expect(request!.items('ScheduledProtocolCodeSequence')[0]!.string('CodeMeaning')).toBe('Nested code');
  expect(ds.items('DimensionIndexSequence')[0]!.get('DimensionIndexPointer')!.value).toEqual([0x00209056]);
  expect(ds.privateCreatorOf(0x00091001)).toBe('PORTICO INTEROP');
  // In Implicit VR the private elements have no VR to read: UN, as pydicom and DCMTK see them.
  expect(ds.get(0x00091001)!.vr).toBe(wasImplicit(name) ? 'UN' : 'LO');
  const pixels = ds.get('PixelData')!.value as Uint8Array;
  expect(pixels.length).toBe(64);
  expect(new DataView(pixels.buffer, pixels.byteOffset).getInt16(0, true)).toBe(-200);
}

/** Encapsulated Pixel Data: the same Basic Offset Table and fragments as pydicom, and a table that fits them. */
function checkFragments(file: DicomFile, peer: PydicomRead, planned: PlannedFile): void {
  const pixels = file.dataset.get('PixelData')!.value;
  expect(pixels).toBeInstanceOf(EncapsulatedPixelData);
  const encapsulated = pixels as EncapsulatedPixelData;
  const b64 = (x: unknown): string => Buffer.from(x as Uint8Array).toString('base64');
  expect(peer.fragments).not.toBeNull();
  expect(b64(encapsulated.basicOffsetTable.bytes)).toBe(peer.fragments!.basicOffsetTable);
  expect(encapsulated.fragments.map((f) => b64(f.bytes))).toEqual(peer.fragments!.fragments);
  const frames = Number(file.dataset.string('NumberOfFrames') ?? '1');
  if (planned.name.includes('fragments')) expect(encapsulated.fragments.length).toBeGreaterThan(frames);
  if (planned.name.includes('empty-offset-table')) {
    expect(encapsulated.offsets()).toEqual([]);
  } else {
    // Each offset points at the item header of a frame's first fragment, counted from the first fragment (PS3.5 A.4).
    const starts: number[] = [];
    let at = 0;
    for (const f of encapsulated.fragments) {
      starts.push(at);
      at += 8 + f.length;
    }
    const offsets = encapsulated.offsets();
    expect(offsets.length).toBe(frames);
    for (const o of offsets) expect(starts).toContain(o);
  }
}

describe('files made by DCMTK: Portico reads them as pydicom does', () => {
  let files: Map<string, string>;
  let peer: Map<string, PydicomResult>;
  let remove: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    ensurePeers(...DCMTK_TOOLS, 'pydicom');
    const tmp = await tempDir('dcmtk-made');
    remove = tmp.remove;
    files = await makeDcmtkFiles(tmp.dir);
    peer = await pydicomRead([...files.values()]);
  });

  afterAll(() => remove());

  for (const planned of PLANNED) {
    const tolerances = TOLERANCES[planned.name] ?? [];
    const note = tolerances.length ? ` (${tolerances.length} documented difference${tolerances.length > 1 ? 's' : ''})` : '';
    it(`${planned.name} | ${planned.how} | same DICOM JSON as pydicom${note}`, async () => {
      const path = files.get(planned.name)!;
      const result = peer.get(path)!;
      if (isFailure(result)) throw new Error(`pydicom cannot read ${planned.name}: ${result.error}`);
      expect(result.partialError).toBeNull();
      const file = await readFile(path);

      expect(file.transferSyntax.littleEndian).toBe(!planned.bigEndian);
      expect(file.transferSyntax.littleEndian).toBe(result.isLittleEndian);
      expect(file.transferSyntax.explicitVR).toBe(!result.isImplicitVR);
      expect(file.part10).toBe(!planned.name.includes('bare-dataset'));
      if (result.transferSyntax !== '') expect(file.transferSyntax.uid).toBe(result.transferSyntax);

      const diffs = [
        ...compareDicomJson(toDicomJson(new Dataset(), { fileMeta: file.meta }), result.meta).map((d) => ({ ...d, path: `meta:${d.path}` })),
        ...compareDicomJson(toDicomJson(file.dataset), result.dataset, { peerBigEndian: planned.bigEndian }),
      ];
      const { unexplained, unused } = applyTolerances(diffs, tolerances);
      expect(unexplained, `Portico and pydicom differ on ${planned.name}:\n${formatDifferences(unexplained)}`).toEqual([]);
      expect(unused.map((t) => t.path), 'documented differences that no longer occur').toEqual([]);

      if (isMain(planned.name)) checkMainValues(file.dataset, planned.name);
      expect(file.transferSyntax.encapsulated).toBe(planned.encapsulated);
      if (planned.encapsulated) checkFragments(file, result, planned);
    });
  }

  it('image-ebe.dcm (Explicit VR Big Endian) has the same pixel bytes as image-ele.dcm once read', async () => {
    const little = await readFile(files.get('image-ele.dcm')!);
    const big = await readFile(files.get('image-ebe.dcm')!);
    const a = little.dataset.get('PixelData')!.value as Uint8Array;
    const b = big.dataset.get('PixelData')!.value as Uint8Array;
    expect(b.length).toBe(2 * 32 * 32 * 2);
    expect(Buffer.compare(a, b)).toBe(0);
  });
});
