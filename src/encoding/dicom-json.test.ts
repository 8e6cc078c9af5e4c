import { readFileSync } from 'node:fs';
import { writeFile as fsWriteFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomValueError } from '../core/errors.js';
import { BulkDataRef, EncapsulatedPixelData } from '../data/bulk-data.js';
import { Dataset } from '../data/dataset.js';
import { BIG_ENDIAN_DEFAULT } from '../data/decode-context.js';
import { Element } from '../data/element.js';
import { type DicomJson, type DicomJsonAttribute, fromDicomJson, stringifyDicomJson, toDicomJson } from './dicom-json.js';
import { readDicom, readFile } from './read.js';
import { writeDicom } from './write.js';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const fixture = (name: string): Uint8Array => readFileSync(join(PYDICOM_FILES, name));
// Round trips of JSON that Portico itself wrote: its file:// URIs are trusted here.
const roundTrip = (json: DicomJson): DicomJson => toDicomJson(fromDicomJson(json, { fileBulkData: true }));
const isAscending = (keys: string[]): boolean => keys.every((k, i) => i === 0 || keys[i - 1]! < k);

// PS3.18 §F.4 "DICOM JSON Model Example", result 1 (the UR value is on one line here).
const PS3_18_F4: DicomJson = {
  '00080005': { vr: 'CS', Value: ['ISO_IR 192'] },
  '00080020': { vr: 'DT', Value: ['20130409'] },
  '00080030': { vr: 'TM', Value: ['131600.0000'] },
  '00080050': { vr: 'SH', Value: ['11235813'] },
  '00080056': { vr: 'CS', Value: ['ONLINE'] },
  '00080061': { vr: 'CS', Value: ['CT', 'PET'] },
  '00080090': { vr: 'PN', Value: [{ Alphabetic: '^Bob^^Dr.' }] },
  '00081190': { vr: 'UR', Value: ['http://wado.nema.org/studies/1.2.392.200036.9116.2.2.2.1762893313.1029997326.945873'] },
  '00090010': { vr: 'LO', Value: ['Vendor A'] },
  '00091002': { vr: 'UN', InlineBinary: ['z0x9c8v7'] as unknown as string },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小東' }] },
  '00100020': { vr: 'LO', Value: ['12345'] },
  '00100021': { vr: 'LO', Value: ['Hospital A'] },
  '00100030': { vr: 'DT', Value: ['19670701'] },
  '00100040': { vr: 'CS', Value: ['M'] },
  '00101002': {
    vr: 'SQ',
    Value: [
      { '00100020': { vr: 'LO', Value: ['54321'] }, '00100021': { vr: 'LO', Value: ['Hospital B'] } },
      { '00100020': { vr: 'LO', Value: ['24680'] }, '00100021': { vr: 'LO', Value: ['Hospital C'] } },
    ],
  },
  '0020000D': { vr: 'UI', Value: ['1.2.392.200036.9116.2.2.2.1762893313.1029997326.945873'] },
  '00200010': { vr: 'SH', Value: ['11235813'] },
  '00201206': { vr: 'IS', Value: [4] },
  '00201208': { vr: 'IS', Value: [942] },
};

describe('fromDicomJson / toDicomJson: the PS3.18 §F.4 example', () => {
  it('reads every attribute', () => {
    const ds = fromDicomJson(PS3_18_F4);
    expect(ds.strings(0x00080061)).toEqual(['CT', 'PET']);
    expect(ds.string(0x00080090)).toBe('^Bob^^Dr.');
    expect(ds.string(0x00100010)).toBe('Wang^XiaoDong=王^小東');
    expect(ds.get(0x00080020)!.vr).toBe('DT'); // the VR given in the JSON, not the dictionary's DA
    expect([...(ds.get(0x00091002)!.value as Uint8Array)]).toEqual([0xcf, 0x4c, 0x7d, 0x73, 0xcb, 0xfb]);
    expect(ds.strings(0x00201206)).toEqual(['4']);
    expect(ds.privateCreatorOf(0x00091002)).toBe('Vendor A');
    const items = ds.items(0x00101002);
    expect(items.map((i) => i.string(0x00100021))).toEqual(['Hospital B', 'Hospital C']);
  });

  it('writes it back unchanged, except InlineBinary as a string rather than a one-element array', () => {
    const expected = structuredClone(PS3_18_F4);
    expected['00091002'] = { vr: 'UN', InlineBinary: 'z0x9c8v7' };
    const json = roundTrip(PS3_18_F4);
    expect(json).toEqual(expected);
    expect(isAscending(Object.keys(json))).toBe(true);
  });
});

/**
 * pydicom's test JSON, normalized where Portico deliberately differs:
 * - a single empty value (`[""]`, `[null]`, `[{"Alphabetic": ""}]`) is an empty element: no Value (§F.2.5);
 * - `null` in a binary number list (US…) cannot be encoded and is dropped;
 * - InlineBinary / BulkDataURI given as a one-element array are written as a string;
 * - an empty BulkDataURI (resolved to no bytes here) leaves an empty element.
 */
function normalizePydicom(json: Record<string, DicomJsonAttribute>): DicomJson {
  const out: DicomJson = {};
  for (const key of Object.keys(json).sort()) {
    const a = { ...json[key]! };
    if (a.vr === 'SQ' && a.Value) a.Value = a.Value.map((item) => normalizePydicom(item as Record<string, DicomJsonAttribute>));
    if (a.Value && ['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'AT', 'SV', 'UV'].includes(a.vr)) a.Value = a.Value.filter((v) => v !== null);
    const only = a.Value?.length === 1 ? a.Value[0] : undefined;
    const emptyPn = typeof only === 'object' && only !== null && Object.values(only).every((g) => g === '');
    if (a.Value && (a.Value.length === 0 || (a.Value.length === 1 && (only === null || only === '' || emptyPn)))) delete a.Value;
    if (Array.isArray(a.InlineBinary)) a.InlineBinary = a.InlineBinary[0];
    if (a.BulkDataURI === '') delete a.BulkDataURI;
    out[key] = a;
  }
  return out;
}

describe('fromDicomJson / toDicomJson: pydicom test files', () => {
  for (const name of ['test1.json', 'test_PN.json']) {
    it(`reads and re-emits ${name}`, () => {
      const json = JSON.parse(readFileSync(join(PYDICOM_FILES, name), 'utf8')) as Record<string, DicomJsonAttribute>;
      const ds = fromDicomJson(json, { resolveBulkData: (uri) => (uri === '' ? new Uint8Array(0) : undefined) });
      const out = toDicomJson(ds);
      expect(out).toEqual(normalizePydicom(json));
      expect(isAscending(Object.keys(out))).toBe(true);
      expect(toDicomJson(fromDicomJson(out))).toEqual(out);
    });
  }

  it('reads the values of test1.json as DICOM values', () => {
    const json = JSON.parse(readFileSync(join(PYDICOM_FILES, 'test1.json'), 'utf8'));
    const ds = fromDicomJson(json, { resolveBulkData: () => new Uint8Array(0) });
    expect(ds.strings(0x00200037)).toEqual(['1', '-0', '0', '-0', '0.982071', '0.188509']); // DS numbers → DS text
    expect(ds.get(0x00181310)!.numbers).toEqual([128, 0, 0, 32]); // the null is dropped
    expect(ds.string(0x00100010)).toBe('Prostate^Volunteer');
    expect(ds.get(0x00080090)!.vm).toBe(0);
    expect(ds.items(0x00120064)).toHaveLength(9);
    expect(ds.items(0x00120064)[1]!.size).toBe(0); // `{}` is an empty item
    expect(ds.items(0x04000561)[0]!.items(0x04000550)[0]!.string(0x00101010)).toBe('051Y');
  });
});

describe('toDicomJson', () => {
  it('leaves out group lengths, and File Meta unless it is given', () => {
    const ds = new Dataset();
    ds.set(0x00020010, '1.2.840.10008.1.2.1', 'UI');
    ds.set(0x00080000, 10, 'UL');
    ds.set('PatientID', 'X');
    expect(Object.keys(toDicomJson(ds))).toEqual(['00100020']);
    const meta = new Dataset();
    meta.set(0x00020000, 20, 'UL');
    meta.set(0x00020010, '1.2.840.10008.1.2.1', 'UI');
    expect(Object.keys(toDicomJson(ds, { fileMeta: meta }))).toEqual(['00020010', '00100020']);
  });

  it('writes empty values as null in multi-valued strings, and an empty element without Value', () => {
    const ds = new Dataset();
    ds.add(Element.fromRaw(0x00080008, 'CS', Buffer.from('A\\\\B '), 0, 6, BIG_ENDIAN_DEFAULT));
    ds.set(0x00200037, ['1', '', '0.5'], 'DS');
    ds.set(0x00081060, ['A^B', '', '=Yamada'], 'PN');
    ds.set('PatientName', '');
    ds.set('AccessionNumber', null);
    ds.set('ReferencedImageSequence', []);
    const json = toDicomJson(ds);
    expect(json['00080008']).toEqual({ vr: 'CS', Value: ['A', null, 'B'] });
    expect(json['00200037']).toEqual({ vr: 'DS', Value: [1, null, 0.5] });
    expect(json['00081060']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'A^B' }, null, { Ideographic: 'Yamada' }] });
    expect(json['00100010']).toEqual({ vr: 'PN' });
    expect(json['00080050']).toEqual({ vr: 'SH' });
    expect(json['00081140']).toEqual({ vr: 'SQ' });
    expect(roundTrip(json)).toEqual(json);
  });

  it('keeps a person name as written, trailing carets included (as pydicom does)', () => {
    const ds = new Dataset();
    ds.set('PatientName', '^^^^');
    ds.set('ReferringPhysicianName', 'Yamada^Tarou=山田^太郎=やまだ^たろう');
    const json = toDicomJson(ds);
    expect(json['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: '^^^^' }] });
    expect(json['00080090']!.Value).toEqual([{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }]);
    expect(fromDicomJson(json).string('ReferringPhysicianName')).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
    expect(roundTrip(json)).toEqual(json);
  });

  it('writes IS and DS as numbers, and text that is not a number as a string', () => {
    const ds = new Dataset();
    ds.set('SliceThickness', '  1.50 ');
    ds.set(0x00280030, ['1e3', '.5', '-0'], 'DS');
    ds.set('InstanceNumber', ['+5', '1.0', 'abc'], 'IS');
    ds.set('WindowCenter', ['1,5'], 'DS');
    const json = toDicomJson(ds);
    expect(json['00180050']!.Value).toEqual([1.5]);
    expect(json['00280030']!.Value).toEqual([1000, 0.5, -0]);
    expect(json['00200013']!.Value).toEqual([5, 1, 'abc']);
    expect(json['00281050']!.Value).toEqual(['1,5']);
    expect(roundTrip(json)).toEqual(json);
  });

  it('writes binary numbers as numbers, AT as hex, and SV/UV beyond ±2^53 as strings', () => {
    const ds = new Dataset();
    ds.set('Rows', 512);
    ds.set(0x00280106, [-5, 7], 'SS');
    ds.set(0x00189087, [-1.5, Number.NaN, Number.POSITIVE_INFINITY], 'FD');
    ds.set(0x00209165, [0x00100020, 0x7fe00010], 'AT');
    ds.add(new Element(0x00720082, 'SV', [-(2n ** 63n), -42n, 2n ** 53n - 1n]));
    ds.add(new Element(0x0072007f, 'UV', [2n ** 64n - 1n, 2n ** 53n, 0n]));
    const json = toDicomJson(ds);
    expect(json['00280010']).toEqual({ vr: 'US', Value: [512] });
    expect(json['00280106']!.Value).toEqual([-5, 7]);
    expect(json['00189087']!.Value).toEqual([-1.5, 'NaN', 'Infinity']);
    expect(json['00209165']!.Value).toEqual(['00100020', '7FE00010']);
    expect(json['00720082']!.Value).toEqual(['-9223372036854775808', -42, 9007199254740991]);
    expect(json['0072007F']!.Value).toEqual(['18446744073709551615', '9007199254740992', 0]);
    const back = fromDicomJson(json);
    expect(back.get(0x0072007f)!.value).toEqual([2n ** 64n - 1n, 2n ** 53n, 0n]);
    expect(back.get(0x00209165)!.numbers).toEqual([0x00100020, 0x7fe00010]);
    expect(toDicomJson(back)).toEqual(json);
  });

  it('writes binary values as little-endian base64, also when they were read big endian', () => {
    const ds = new Dataset();
    ds.set(0x00291010, new Uint8Array([1, 2, 3]), 'OB');
    ds.add(Element.fromRaw(0x7fe00010, 'OW', new Uint8Array([0x01, 0x02, 0x03, 0x04]), 0, 4, BIG_ENDIAN_DEFAULT));
    ds.set(0x00290010, 'PORTICO', 'LO');
    ds.set(0x00291011, new Uint8Array(0), 'UN');
    const json = toDicomJson(ds);
    expect(json['00291010']).toEqual({ vr: 'OB', InlineBinary: 'AQID' });
    expect(json['7FE00010']).toEqual({ vr: 'OW', InlineBinary: Buffer.from([2, 1, 4, 3]).toString('base64') });
    expect(json['00291011']).toEqual({ vr: 'UN' });
    expect(roundTrip(json)).toEqual(json);
  });

  it('asks bulkDataUri for binary values, with the path of the element', () => {
    const item = new Dataset();
    item.set(0x00660023, new Uint8Array(16), 'OF');
    const ds = new Dataset();
    ds.set(0x00660002, [item], 'SQ');
    ds.set('PixelData', new Uint8Array(8), 'OW');
    ds.set('PatientID', 'X');
    const seen: (readonly number[])[] = [];
    const json = toDicomJson(ds, {
      bulkDataUri: (e, path) => {
        seen.push(path);
        return e.tag === 0x7fe00010 ? 'https://example.org/bulk/1' : undefined;
      },
    });
    expect(seen).toEqual([[0x00660002, 0, 0x00660023], [0x7fe00010]]);
    expect(json['7FE00010']).toEqual({ vr: 'OW', BulkDataURI: 'https://example.org/bulk/1' });
    expect((json['00660002']!.Value![0] as DicomJson)['00660023']!.InlineBinary).toBe(Buffer.alloc(16).toString('base64'));
  });

  it('writes keys in ascending order with stringifyDicomJson, which JSON.stringify cannot promise', () => {
    const ds = new Dataset();
    ds.set('PatientID', 'X');
    ds.set(0x30060020, [], 'SQ'); // StructureSetROISequence: an integer-like key
    const item = new Dataset();
    item.set(0x30060022, '1', 'IS');
    item.set(0x00081150, '1.2', 'UI');
    ds.set(0x30060039, [item], 'SQ');
    const json = toDicomJson(ds);
    expect(Object.keys(json)[0]).toBe('30060020'); // JavaScript's own key order
    const text = stringifyDicomJson(json);
    expect(text.indexOf('"00100020"')).toBeLessThan(text.indexOf('"30060020"'));
    expect(text.indexOf('"00081150"')).toBeLessThan(text.indexOf('"30060022"'));
    expect(JSON.parse(text)).toEqual(json);
    expect(JSON.parse(stringifyDicomJson([json, json], 2))).toEqual([json, json]);
    expect(stringifyDicomJson({ '00100020': { vr: 'LO', Value: ['X'] } }, 2)).toBe(
      '{\n  "00100020": {\n    "vr": "LO",\n    "Value": [\n      "X"\n    ]\n  }\n}',
    );
  });
});

describe('fromDicomJson: private tags and nested sequences', () => {
  it('keeps private creators, private elements and deep nesting', () => {
    const json: DicomJson = {
      '00290010': { vr: 'LO', Value: ['ACME 1.0'] },
      '00291001': { vr: 'UN', InlineBinary: 'AAEC' },
      '00291002': { vr: 'SH', Value: ['a', 'b'] },
      '00291003': {
        vr: 'SQ',
        Value: [
          {
            '00290010': { vr: 'LO', Value: ['ACME 1.0'] },
            '00291004': { vr: 'SQ', Value: [{ '00100020': { vr: 'LO', Value: ['deep'] } }, {}] },
          },
        ],
      },
    };
    const ds = fromDicomJson(json);
    expect(ds.privateCreatorOf(0x00291002)).toBe('ACME 1.0');
    const inner = ds.items(0x00291003)[0]!.items(0x00291004);
    expect(inner[0]!.string('PatientID')).toBe('deep');
    expect(inner[1]!.size).toBe(0);
    expect(roundTrip(json)).toEqual(json);
  });

  it('accepts an empty sequence as "Value": [] (pydicom) and writes it without Value', () => {
    expect(roundTrip({ '00081140': { vr: 'SQ', Value: [] } })).toEqual({ '00081140': { vr: 'SQ' } });
  });
});

describe('fromDicomJson: malformed input', () => {
  const bad: [string, unknown, RegExp][] = [
    ['null', null, /DICOM JSON \/: expected a DICOM JSON object, got null/],
    ['an array', [], /expected a DICOM JSON object, got an array/],
    ['a string', 'x', /expected a DICOM JSON object/],
    ['a key that is not a tag', { PatientName: { vr: 'PN' } }, /\/PatientName: "PatientName" is not a tag/],
    ['a short key', { '0010001': { vr: 'PN' } }, /is not a tag/],
    ['an item tag as key', { FFFEE000: { vr: 'SQ' } }, /item delimiter/],
    ['an attribute that is not an object', { '00100010': 'Doe' }, /\/00100010: expected an attribute object/],
    ['a missing vr', { '00100010': { Value: ['x'] } }, /"vr" is missing/],
    ['an unknown VR', { '00100010': { vr: 'XX' } }, /\/00100010\/vr: unknown VR "XX"/],
    ['Value not an array', { '00100020': { vr: 'LO', Value: 'x' } }, /\/00100020\/Value: expected an array/],
    ['two value keys', { '00091002': { vr: 'UN', InlineBinary: 'AA==', BulkDataURI: 'x' } }, /at most one/],
    ['Value for OB', { '00291010': { vr: 'OB', Value: [1] } }, /InlineBinary or BulkDataURI/],
    ['InlineBinary for LO', { '00100020': { vr: 'LO', InlineBinary: 'AA==' } }, /only for OB/],
    ['bad base64', { '00291010': { vr: 'OB', InlineBinary: 'not base64!' } }, /not valid base64/],
    ['a number for LO', { '00100020': { vr: 'LO', Value: [5] } }, /\/00100020\/Value\/0: expected a string, got number 5/],
    ['two values for LT', { '00104000': { vr: 'LT', Value: ['a', 'b'] } }, /single value/],
    ['a string for US', { '00280010': { vr: 'US', Value: ['5'] } }, /expected a number/],
    ['US out of range', { '00280010': { vr: 'US', Value: [70000] } }, /not a valid US/],
    ['a fraction for IS', { '00200013': { vr: 'IS', Value: [1.5] } }, /not an integer/],
    ['a bad AT', { '00209165': { vr: 'AT', Value: ['0010'] } }, /8 hexadecimal digits/],
    ['UV out of range', { '0072007F': { vr: 'UV', Value: ['-1'] } }, /out of range for UV/],
    ['a PN with another key', { '00100010': { vr: 'PN', Value: [{ Alpha: 'x' }] } }, /\/00100010\/Value\/0\/Alpha/],
    ['a PN group with =', { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'a=b' }] } }, /delimiter/],
    ['an item that is not an object', { '00081140': { vr: 'SQ', Value: ['x'] } }, /\/00081140\/Value\/0: expected a DICOM JSON object/],
    ['an unresolvable BulkDataURI', { '7FE00010': { vr: 'OB', BulkDataURI: 'https://x/1' } }, /cannot resolve/],
    ['a file URI without offset', { '7FE00010': { vr: 'OB', BulkDataURI: 'file:///tmp/x' } }, /cannot resolve/],
  ];
  for (const [what, json, message] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => fromDicomJson(json)).toThrow(DicomValueError);
      expect(() => fromDicomJson(json)).toThrow(message);
    });
  }

  it('gives the path of an error deep in a sequence', () => {
    const json = { '00101002': { vr: 'SQ', Value: [{}, { '00100020': { vr: 'LO', Value: [{}] } }] } };
    expect(() => fromDicomJson(json)).toThrow('DICOM JSON /00101002/Value/1/00100020/Value/0: expected a string');
  });

  it('refuses sequences nested deeper than 128 levels instead of overflowing the stack', () => {
    let json: unknown = {};
    for (let i = 0; i < 5000; i++) json = { '00081140': { vr: 'SQ', Value: [json] } };
    expect(() => fromDicomJson(json)).toThrow(/nested deeper than 128 levels/);
  });

  it('refuses file URIs unless fileBulkData is set (a URI could name any file on this host)', () => {
    const json = { '7FE00010': { vr: 'OB', BulkDataURI: 'file:///etc/passwd?offset=0&length=10' } };
    expect(fromDicomJson(json, { fileBulkData: true }).get(0x7fe00010)!.value).toBeInstanceOf(BulkDataRef);
    expect(() => fromDicomJson(json)).toThrow(/cannot resolve/);
  });
});

describe('fromDicomJson: BulkDataURI', () => {
  it('resolves URIs with resolveBulkData, as bytes or a file reference', () => {
    const seen: string[] = [];
    const ds = fromDicomJson(
      {
        '00291010': { vr: 'OB', BulkDataURI: 'https://example.org/1' },
        '00291011': { vr: 'OW', BulkDataURI: 'https://example.org/2' },
        '00104000': { vr: 'LT', BulkDataURI: 'https://example.org/3' },
      },
      {
        resolveBulkData: (uri, vr) => {
          seen.push(`${uri} ${vr}`);
          if (uri.endsWith('1')) return new Uint8Array([9, 8]);
          if (uri.endsWith('2')) return new BulkDataRef('/data/x.dcm', 100, 20);
          return Buffer.from('Grüße ', 'utf8');
        },
      },
    );
    expect(seen).toEqual(['https://example.org/1 OB', 'https://example.org/2 OW', 'https://example.org/3 LT']);
    expect([...(ds.get(0x00291010)!.value as Uint8Array)]).toEqual([9, 8]);
    expect(ds.get(0x00291011)!.value).toEqual(new BulkDataRef('/data/x.dcm', 100, 20));
    expect(ds.string(0x00104000)).toBe('Grüße'); // bulk text is UTF-8 (§F.2.2 note 4)
    expect(toDicomJson(ds)['00291011']).toEqual({ vr: 'OW', BulkDataURI: 'file:///data/x.dcm?offset=100&length=20' });
  });
});

describe('DICOM JSON and files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-json-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips CT_small.dcm: dataset → JSON → dataset → JSON', () => {
    const { dataset } = readDicom(fixture('CT_small.dcm'));
    const json = toDicomJson(dataset);
    expect(json['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'CompressedSamples^CT1' }] });
    expect(json['00181100']).toEqual({ vr: 'DS', Value: [338.6716] });
    expect(json['00280030']!.Value).toEqual([0.661468, 0.661468]);
    expect(json['00091027']).toEqual({ vr: 'SL', Value: [862399669] });
    expect(json['00080090']).toEqual({ vr: 'PN' });
    expect(json['7FE00010']!.InlineBinary).toBe(Buffer.from(dataset.get('PixelData')!.value as Uint8Array).toString('base64'));
    expect(isAscending(Object.keys(json))).toBe(true);
    expect(roundTrip(json)).toEqual(json);
  });

  it('writes values left in the file as file:// BulkDataURIs and reads them back as BulkDataRef', async () => {
    const path = join(PYDICOM_FILES, 'CT_small.dcm');
    const { dataset } = await readFile(path, { bulkDataThreshold: 1024 });
    const json = toDicomJson(dataset);
    const uri = json['7FE00010']!.BulkDataURI!;
    expect(uri).toMatch(/^file:\/\/\/.*CT_small\.dcm\?offset=\d+&length=32768$/);
    const ref = fromDicomJson(json, { fileBulkData: true }).get('PixelData')!.value as BulkDataRef;
    expect(ref).toBeInstanceOf(BulkDataRef);
    expect(Buffer.compare(await ref.read(), readDicom(fixture('CT_small.dcm')).dataset.get('PixelData')!.value as Uint8Array)).toBe(0);
    expect(roundTrip(json)).toEqual(json);
  });

  it('writes encapsulated Pixel Data as its item stream (like pydicom) and rebuilds the fragments', () => {
    const source = readDicom(fixture('JPEG2000.dcm'));
    const pixels = source.dataset.get('PixelData')!.value as EncapsulatedPixelData;
    const json = toDicomJson(source.dataset);
    const stream = Buffer.from(json['7FE00010']!.InlineBinary!, 'base64');
    expect(json['7FE00010']!.vr).toBe('OB');
    expect([...stream.subarray(0, 4)]).toEqual([0xfe, 0xff, 0x00, 0xe0]);
    expect(stream.length).toBe(8 + pixels.basicOffsetTable.length + pixels.fragments.reduce((n, f) => n + 8 + f.length, 0));

    const ds = fromDicomJson(json, { fileBulkData: true });
    const rebuilt = ds.get('PixelData')!.value as EncapsulatedPixelData;
    expect(rebuilt).toBeInstanceOf(EncapsulatedPixelData);
    expect(rebuilt.fragments.map((f) => f.length)).toEqual(pixels.fragments.map((f) => f.length));
    expect(toDicomJson(ds)).toEqual(json);

    // JSON → dataset → Part 10 in the compressed syntax → the same fragments.
    const written = readDicom(writeDicom(ds, { meta: source.meta }));
    expect(written.transferSyntax.uid).toBe(source.transferSyntax.uid);
    const again = written.dataset.get('PixelData')!.value as EncapsulatedPixelData;
    expect(again.fragments.map((f) => Buffer.from(f.bytes as Uint8Array).toString('hex'))).toEqual(
      pixels.fragments.map((f) => Buffer.from(f.bytes as Uint8Array).toString('hex')),
    );
  });

  it('accepts an item stream that ends with a Sequence Delimitation Item, and keeps native bytes that only look alike', () => {
    const item = (bytes: number[]): number[] => [0xfe, 0xff, 0x00, 0xe0, bytes.length, 0, 0, 0, ...bytes];
    const withDelimiter = Buffer.from([...item([]), ...item([1, 2]), 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
    const ds = fromDicomJson({ '7FE00010': { vr: 'OB', InlineBinary: withDelimiter.toString('base64') } });
    expect((ds.get('PixelData')!.value as EncapsulatedPixelData).fragments).toHaveLength(1);
    const native = Buffer.from([...item([1, 2]), 9]); // a trailing byte: not an item stream
    const ds2 = fromDicomJson({ '7FE00010': { vr: 'OB', InlineBinary: native.toString('base64') } });
    expect(ds2.get('PixelData')!.value).toBeInstanceOf(Uint8Array);
  });

  it('writes encapsulated Pixel Data left in the file as one file URI and finds the fragments again', async () => {
    const path = join(dir, 'j2k.dcm');
    await fsWriteFile(path, fixture('JPEG2000.dcm'));
    const { dataset } = await readFile(path, { bulkDataThreshold: 16 });
    const pixels = dataset.get('PixelData')!.value as EncapsulatedPixelData;
    expect(pixels.fragments.some((f) => f.bytes instanceof BulkDataRef)).toBe(true);
    const json = toDicomJson(dataset);
    expect(json['7FE00010']).toEqual({ vr: 'OB', BulkDataURI: expect.stringMatching(/^file:\/\/\/.*j2k\.dcm\?offset=\d+&length=\d+$/) });

    const back = fromDicomJson(json, { fileBulkData: true }).get('PixelData')!.value as EncapsulatedPixelData;
    expect(back).toBeInstanceOf(EncapsulatedPixelData);
    expect(back.fragments.map((f) => [f.offset, f.length])).toEqual(pixels.fragments.map((f) => [f.offset, f.length]));
    expect(roundTrip(json)).toEqual(json);
    const inline = toDicomJson(readDicom(fixture('JPEG2000.dcm')).dataset)['7FE00010']!.InlineBinary!;
    const ref = back.fragments[0]!.bytes as BulkDataRef;
    expect(Buffer.compare(await ref.read(), Buffer.from(inline, 'base64').subarray(16, 16 + ref.length))).toBe(0);
  });

  it('survives JSON → dataset → Part 10 → dataset → JSON for every kind of value', () => {
    const json: DicomJson = {
      '00080005': { vr: 'CS', Value: ['ISO_IR 192'] },
      '00080008': { vr: 'CS', Value: ['ORIGINAL', null, 'AXIAL'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller^Hans', Ideographic: '山田^太郎' }] },
      '00101010': { vr: 'AS', Value: ['042Y'] },
      '00180050': { vr: 'DS', Value: [2.5] },
      '00200013': { vr: 'IS', Value: [7] },
      '00209165': { vr: 'AT', Value: ['00100020'] },
      '00280010': { vr: 'US', Value: [2] },
      '00280106': { vr: 'SS', Value: [-3] },
      '00290010': { vr: 'LO', Value: ['ACME'] },
      '00291010': { vr: 'UN', InlineBinary: 'AQIDBA==' },
      '00660023': { vr: 'OF', InlineBinary: Buffer.from(new Float32Array([1.5, -2]).buffer).toString('base64') },
      '0072007F': { vr: 'UV', Value: ['18446744073709551615'] },
      '00081140': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2.3'] } }, {}] },
      '7FE00010': { vr: 'OW', InlineBinary: 'AQACAAMABAA=' },
    };
    const file = readDicom(writeDicom(fromDicomJson(json), { part10: false }));
    expect(toDicomJson(file.dataset)).toEqual(json);
  });
});
