/** The comparator the interop tests rely on must see real differences and ignore only notation. */
import { describe, expect, it } from 'vitest';
import type { DicomJson } from '../../src/encoding/dicom-json.js';
import { applyTolerances, compareDicomJson, littleEndianBinaries } from './json-compare.js';

const b64 = (...bytes: number[]): string => Buffer.from(bytes).toString('base64');

describe('compareDicomJson', () => {
  it('finds missing elements, other VRs, other values, other value counts and other bytes', () => {
    const ours: DicomJson = {
      '00080060': { vr: 'CS', Value: ['MR'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'A^B' }] },
      '00180050': { vr: 'DS', Value: [1.5] },
      '00200032': { vr: 'DS', Value: [1, 2, 3] },
      '00091002': { vr: 'OB', InlineBinary: b64(1, 2) },
      '00280010': { vr: 'US', Value: [4] },
    };
    const theirs: DicomJson = {
      '00080060': { vr: 'CS', Value: ['CT'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'A^C' }] },
      '00180050': { vr: 'FD', Value: [1.5] },
      '00200032': { vr: 'DS', Value: [1, 2] },
      '00091002': { vr: 'OB', InlineBinary: b64(1, 3) },
      '00280011': { vr: 'US', Value: [4] },
    };
    const paths = compareDicomJson(ours, theirs).map((d) => d.path);
    expect(paths).toEqual(['00080060', '00091002', '00100010', '00180050', '00200032', '00280010', '00280011']);
  });

  it('looks into sequence items and reports the item path', () => {
    const ours: DicomJson = { '00081140': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['1.2'] } }] } };
    const theirs: DicomJson = { '00081140': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['1.3'] } }] } };
    expect(compareDicomJson(ours, theirs).map((d) => d.path)).toEqual(['00081140/0/00081155']);
    expect(compareDicomJson(ours, { '00081140': { vr: 'SQ', Value: [] } })[0]!.message).toContain('1 items in Portico, 0 in the peer');
  });

  it('ignores notation only: group lengths, empty values, empty PN groups, DS/IS text, AT case, SV/UV as strings', () => {
    const ours: DicomJson = {
      '00080000': { vr: 'UL', Value: [100] },
      '00080050': { vr: 'SH' },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'A^B' }] },
      '00200013': { vr: 'IS', Value: [12] },
      '00209165': { vr: 'AT', Value: ['0020900A'] },
      '00720082': { vr: 'SV', Value: ['9007199254740993'] },
    };
    const theirs: DicomJson = {
      '00080050': { vr: 'SH', Value: [null] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'A^B', Ideographic: '' }] },
      '00200013': { vr: 'IS', Value: [' 12'] },
      '00209165': { vr: 'AT', Value: ['0020900a'] },
      '00720082': { vr: 'SV', Value: ['9007199254740993'] },
    };
    expect(compareDicomJson(ours, theirs)).toEqual([]);
  });

  it('swaps a big-endian peer\'s OW bytes, and nothing else', () => {
    const peer: DicomJson = {
      '7FE00010': { vr: 'OW', InlineBinary: b64(0x12, 0x34) },
      '00091002': { vr: 'OB', InlineBinary: b64(0x12, 0x34) },
    };
    expect(littleEndianBinaries(peer)).toEqual({
      '7FE00010': { vr: 'OW', InlineBinary: b64(0x34, 0x12) },
      '00091002': { vr: 'OB', InlineBinary: b64(0x12, 0x34) },
    });
    expect(compareDicomJson({ '7FE00010': { vr: 'OW', InlineBinary: b64(0x34, 0x12) } }, { '7FE00010': peer['7FE00010']! }, { peerBigEndian: true })).toEqual([]);
  });

  it('explains differences only with a matching tolerance, and reports tolerances nothing matched', () => {
    const diffs = compareDicomJson({ '00080008': { vr: 'CS', Value: ['A'] } }, { '00080008': { vr: 'CS', Value: ['A '] } });
    const used = { path: '00080008', contains: '"A" (Portico) vs "A " (peer)', reason: 'padding' };
    const other = { path: '*/0/00100010', reason: 'not here' };
    const wrongText = { path: '00080008', contains: 'something else', reason: 'no' };
    expect(applyTolerances(diffs, [used, other])).toEqual({ unexplained: [], unused: [other] });
    expect(applyTolerances(diffs, [wrongText]).unexplained).toEqual(diffs);
  });
});
