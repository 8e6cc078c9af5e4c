/**
 * Portico reads every file of pydicom's test corpus (test_files/*.dcm and charset_files/*.dcm from Debian's
 * python3-pydicom) the way pydicom does: the DICOM JSON of the File Meta Information and of the dataset must
 * match pydicom's element by element. Where they differ for a known, written reason, the difference is listed
 * below for that file and tag (a listed difference that no longer occurs fails too, so the list stays true).
 * Broken files must give a typed DicomParseError.
 *
 * Each file also takes the way back: pydicom's JSON → fromDicomJson → toDicomJson is pydicom's JSON again, and
 * that dataset written with writeDicom and read again still is.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DicomParseError, type ParseErrorReason } from '../../src/core/errors.js';
import { Dataset } from '../../src/data/dataset.js';
import { type DicomJson, fromDicomJson, toDicomJson } from '../../src/encoding/dicom-json.js';
import { type DicomFile, readDicom, readFile } from '../../src/encoding/read.js';
import { writeDicom } from '../../src/encoding/write.js';
import {
  applyTolerances,
  compareDicomJson,
  type Difference,
  formatDifferences,
  littleEndianBinaries,
  type Tolerance,
} from './json-compare.js';
import { ensurePeers, PYDICOM_DATA } from './peers.js';
import { isFailure, type PydicomRead, type PydicomResult, pydicomRead } from './pydicom.js';

type Expectation =
  | {
      readonly kind: 'same';
      readonly tolerances?: readonly Tolerance[];
      /** Differences that only the way back (pydicom JSON → Portico → bytes → Portico) has. */
      readonly wayBack?: readonly Tolerance[];
    }
  | { readonly kind: 'parse-error'; readonly reasons: readonly ParseErrorReason[]; readonly why: string };

/** pydicom 2.3.1 splits multi-valued strings without removing each value's padding (PS3.5 Table 6.2-1: insignificant for CS). */
const CS_PADDING: Tolerance = {
  path: '00080008',
  contains: '"DERIVED" (Portico) vs "DERIVED " (peer)',
  reason: 'the file has "DERIVED \\SECONDARY…"; trailing spaces of a CS value are padding (PS3.5 Table 6.2-1) and ' +
    'Portico removes them from each value, pydicom 2.3.1 only from the end of the whole element (on the way back, ' +
    'fromDicomJson keeps pydicom\'s "DERIVED ", and reading what writeDicom made of it trims it again)',
};

/** pydicom 2.3.1 reports OW for encapsulated Pixel Data when Bits Allocated > 8, whatever the file says. */
const ENCAPSULATED_OW: Tolerance = {
  path: '7FE00010',
  contains: 'VR OB (Portico) vs OW (peer)',
  reason: 'the file encodes encapsulated Pixel Data as OB (dcmdump agrees; PS3.5 A.4 requires OB); pydicom 2.3.1 ' +
    're-derives the "OB or OW" VR from Bits Allocated (16) and reports OW',
};

/** Files whose result is not "same JSON as pydicom, no differences". Keys are paths under pydicom's data folder. */
const EXPECTATIONS: Readonly<Record<string, Expectation>> = {
  'test_files/693_J2KI.dcm': { kind: 'same', tolerances: [CS_PADDING, ENCAPSULATED_OW] },
  'test_files/SC_rgb_gdcm_KY.dcm': { kind: 'same', tolerances: [CS_PADDING] },
  'test_files/SC_rgb_jpeg_lossy_gdcm.dcm': { kind: 'same', tolerances: [CS_PADDING] },
  'test_files/MR_small_jp2klossless.dcm': { kind: 'same', tolerances: [ENCAPSULATED_OW] },
  'test_files/MR_small_jpeg_ls_lossless.dcm': { kind: 'same', tolerances: [ENCAPSULATED_OW] },
  'test_files/SC_rgb_rle_16bit.dcm': { kind: 'same', tolerances: [ENCAPSULATED_OW] },
  'test_files/SC_rgb_rle_16bit_2frame.dcm': { kind: 'same', tolerances: [ENCAPSULATED_OW] },
  'test_files/rtdose_rle.dcm': { kind: 'same', tolerances: [ENCAPSULATED_OW] },
  'test_files/rtdose_rle_1frame.dcm': { kind: 'same', tolerances: [ENCAPSULATED_OW] },
  'test_files/badVR.dcm': {
    kind: 'same',
    tolerances: [
      {
        path: '00280008',
        contains: 'only Portico has it (IS ["1A"])',
        reason: 'Number of Frames is the invalid IS "1A": pydicom cannot convert it and leaves it out (its to_json_dict ' +
          'fails without suppress_invalid_tags); Portico keeps the text, which PS3.18 allows for IS',
      },
    ],
  },
  'test_files/nested_priv_SQ.dcm': {
    kind: 'same',
    wayBack: [
      {
        path: '00010001/0/00010002',
        contains: 'UN bytes differ: 10 bytes (Portico) vs 9 (peer)',
        reason: 'the file has a 9-byte private value ("Nested SQ"); writeDicom pads values to an even length ' +
          '(PS3.5 §7.1.1), and for UN the pad byte becomes part of the value read back',
      },
    ],
  },
  'test_files/MR_truncated.dcm': {
    kind: 'parse-error',
    reasons: ['LENGTH_PAST_END', 'TRUNCATED'],
    why: 'Pixel Data declares 8192 bytes, 62 are missing; pydicom silently keeps the short value, dcmdump fails',
  },
  'test_files/rtplan_truncated.dcm': {
    kind: 'parse-error',
    reasons: ['LENGTH_PAST_END', 'TRUNCATED'],
    why: 'a sequence runs past the end of the file; pydicom silently keeps what is there, dcmdump fails',
  },
  'test_files/no_meta.dcm': {
    kind: 'parse-error',
    reasons: ['LENGTH_PAST_END', 'NOT_DICOM'],
    why: 'despite the README ("CT_small.dcm with no File Meta Information") the file starts with a stray 0x20 byte, ' +
      'so the first element reads as (0820,0500) with a 173 MB length; pydicom (force=True) warns and gives one bogus ' +
      'element, dcmdump fails',
  },
  // The File Meta Information has no Transfer Syntax UID (Type 1, PS3.10 §7.1); like pydicom and dcmdump, Portico
  // detects the dataset's encoding from its first element instead of refusing the file.
  'test_files/meta_missing_tsyntax.dcm': {
    kind: 'same',
    wayBack: [
      {
        path: '00010001/0/00010002',
        contains: 'UN bytes differ: 10 bytes (Portico) vs 9 (peer)',
        reason: 'the same 9-byte private value as nested_priv_SQ.dcm, padded to an even length when written (PS3.5 §7.1.1)',
      },
    ],
  },
};

const CORPUS: readonly string[] = ['test_files', 'charset_files'].flatMap((dir) =>
  readdirSync(join(PYDICOM_DATA, dir))
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => `${dir}/${f}`),
);

/** Values at least this long are left in the file on the second read, so the BulkDataURI path is compared too. */
const SMALL_BULK_THRESHOLD = 256;

const metaJson = (file: DicomFile): DicomJson => toDicomJson(new Dataset(), { fileMeta: file.meta });

/** pydicom's dataset JSON with binary values in little-endian order (see littleEndianBinaries). */
const peerDataset = (peer: PydicomRead): DicomJson => (peer.isLittleEndian ? peer.dataset : littleEndianBinaries(peer.dataset));

function differences(file: DicomFile, peer: PydicomRead): Difference[] {
  return [
    ...compareDicomJson(metaJson(file), peer.meta).map((d) => ({ ...d, path: `meta:${d.path}` })),
    ...compareDicomJson(toDicomJson(file.dataset), peerDataset(peer)),
  ];
}

/** pydicom's JSON → fromDicomJson → toDicomJson, and → writeDicom (as the file was) → readDicom → toDicomJson. */
function wayBack(file: DicomFile, peer: PydicomRead, tolerances: readonly Tolerance[], rel: string): void {
  const json = peerDataset(peer);
  const parsed = fromDicomJson(json);
  const again = applyTolerances(compareDicomJson(toDicomJson(parsed), json), tolerances).unexplained;
  expect(again, `pydicom JSON → fromDicomJson → toDicomJson (${rel}):\n${formatDifferences(again)}`).toEqual([]);
  const bytes = writeDicom(parsed, { transferSyntax: file.transferSyntax.uid, meta: file.meta, keepMeta: true, part10: file.part10 });
  const written = readDicom(bytes, {}, `${rel} (from pydicom JSON)`);
  const diffs = applyTolerances(compareDicomJson(toDicomJson(written.dataset), json), tolerances).unexplained;
  expect(diffs, `pydicom JSON → fromDicomJson → writeDicom → readDicom (${rel}):\n${formatDifferences(diffs)}`).toEqual([]);
}

function label(rel: string): string {
  const e = EXPECTATIONS[rel] ?? { kind: 'same' };
  if (e.kind === 'parse-error') return `${rel} | broken | DicomParseError ${e.reasons.join('/')}`;
  const n = e.tolerances?.length ?? 0;
  return `${rel} | reads | same DICOM JSON as pydicom, and back${n ? ` (${n} documented difference${n > 1 ? 's' : ''})` : ''}`;
}

describe('pydicom test corpus: Portico reads it as pydicom does', () => {
  let peer: Map<string, PydicomResult>;

  beforeAll(async () => {
    ensurePeers('pydicom');
    peer = await pydicomRead(CORPUS.map((rel) => join(PYDICOM_DATA, rel)));
  });

  it('the corpus is there and every listed expectation names a corpus file', () => {
    expect(CORPUS.length).toBeGreaterThan(60);
    for (const rel of Object.keys(EXPECTATIONS)) expect(CORPUS, rel).toContain(rel);
  });

  for (const rel of CORPUS) {
    const expectation = EXPECTATIONS[rel] ?? { kind: 'same' };
    const path = join(PYDICOM_DATA, rel);

    if (expectation.kind === 'parse-error') {
      it(label(rel), async () => {
        const size = statSync(path).size;
        const error = await readFile(path).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, `${rel} should not be read: ${expectation.why}`).toBeInstanceOf(DicomParseError);
        const parseError = error as DicomParseError;
        expect(expectation.reasons, parseError.message).toContain(parseError.reason);
        expect(parseError.code).toBe(`ERR_PARSE_${parseError.reason}`);
        expect(parseError.offset).toBeGreaterThanOrEqual(0);
        expect(parseError.offset).toBeLessThanOrEqual(size);
        expect(parseError.message).toContain(rel.split('/')[1]);
        // Reading from memory fails the same way.
        let again: unknown;
        try {
          readDicom(readFileSync(path), {}, rel);
        } catch (e) {
          again = e;
        }
        expect(again).toBeInstanceOf(DicomParseError);
        expect((again as DicomParseError).reason).toBe(parseError.reason);
      });
      continue;
    }

    it(label(rel), async () => {
      const result = peer.get(path)!;
      if (isFailure(result)) throw new Error(`pydicom cannot read ${rel} (${result.error}); list it in EXPECTATIONS with the reason`);
      const file = await readFile(path);

      // The encoding both saw.
      expect(file.part10).toBe(result.preamble);
      expect(file.transferSyntax.littleEndian).toBe(result.isLittleEndian);
      expect(file.transferSyntax.explicitVR).toBe(!result.isImplicitVR);
      if (result.transferSyntax !== '') expect(file.transferSyntax.uid).toBe(result.transferSyntax);

      const tolerances = expectation.tolerances ?? [];
      const { unexplained, unused } = applyTolerances(differences(file, result), tolerances);
      expect(unexplained, `Portico and pydicom differ on ${rel}:\n${formatDifferences(unexplained)}`).toEqual([]);
      expect(unused.map((t) => t.path), `documented differences that no longer occur in ${rel}`).toEqual([]);

      // The same with binary values left in the file (BulkDataRef → file:// BulkDataURI).
      const lazy = await readFile(path, { bulkDataThreshold: SMALL_BULK_THRESHOLD });
      const lazyDiffs = applyTolerances(differences(lazy, result), tolerances).unexplained;
      expect(lazyDiffs, `with bulkDataThreshold ${SMALL_BULK_THRESHOLD}:\n${formatDifferences(lazyDiffs)}`).toEqual([]);

      // Reading from memory gives the same dataset as reading the file.
      const inMemory = readDicom(readFileSync(path), {}, rel);
      expect(toDicomJson(inMemory.dataset)).toEqual(toDicomJson(file.dataset));
      expect(metaJson(inMemory)).toEqual(metaJson(file));

      wayBack(file, result, [...tolerances, ...(expectation.wayBack ?? [])], rel);
    });
  }
});
