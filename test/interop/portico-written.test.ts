/**
 * What Portico writes, checked by the peers: datasets built with Portico's API are written in every native
 * transfer syntax (and as bare datasets); dcmdump must read each without a warning, pydicom must read each without
 * a warning and see exactly the DICOM JSON Portico sees. Encapsulated Pixel Data made by dcmcjpeg is written back
 * fragment for fragment. Canonical files (Portico's, DCMTK's and most of pydicom's corpus) survive
 * readDicom → writeDicom byte for byte.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile as readBytes, writeFile as writeBytes } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/data/dataset.js';
import { toDicomJson } from '../../src/encoding/dicom-json.js';
import { type DicomFile, readDicom, readFile } from '../../src/encoding/read.js';
import {
  DeflatedExplicitVRLittleEndian,
  ExplicitVRBigEndian,
  ExplicitVRLittleEndian,
  ImplicitVRLittleEndian,
} from '../../src/encoding/transfer-syntax.js';
import { type WriteOptions, writeDicom, writeFile } from '../../src/encoding/write.js';
import { imageDump, makeDcmtkFiles, PLANNED } from './dcmtk-fixtures.js';
import { applyTolerances, compareDicomJson, formatDifferences, type Tolerance } from './json-compare.js';
import { ensurePeers, PYDICOM_DATA, type RunResult, run, runOk, tempDir } from './peers.js';
import { BUILT } from './portico-datasets.js';
import { isFailure, type PydicomRead, type PydicomResult, pydicomRead, pydicomReadOk } from './pydicom.js';

interface Variant {
  readonly name: string;
  readonly file: string;
  readonly transferSyntax: string;
  readonly part10?: boolean;
  readonly sequenceLength?: 'defined' | 'undefined';
  readonly implicit?: boolean;
  readonly bigEndian?: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: 'Implicit VR Little Endian', file: 'ile', transferSyntax: ImplicitVRLittleEndian, implicit: true },
  { name: 'Explicit VR Little Endian', file: 'ele', transferSyntax: ExplicitVRLittleEndian },
  { name: 'Explicit VR Little Endian, defined lengths', file: 'ele-defined', transferSyntax: ExplicitVRLittleEndian, sequenceLength: 'defined' },
  { name: 'Explicit VR Big Endian', file: 'ebe', transferSyntax: ExplicitVRBigEndian, bigEndian: true },
  { name: 'Deflated Explicit VR Little Endian', file: 'deflated', transferSyntax: DeflatedExplicitVRLittleEndian },
  { name: 'bare dataset, Explicit VR Little Endian', file: 'bare-ele', transferSyntax: ExplicitVRLittleEndian, part10: false },
  { name: 'bare dataset, Implicit VR Little Endian', file: 'bare-ile', transferSyntax: ImplicitVRLittleEndian, part10: false, implicit: true },
];

interface Case {
  readonly key: string;
  readonly built: (typeof BUILT)[number];
  readonly variant: Variant;
}

const CASES: readonly Case[] = BUILT.flatMap((built, i) => VARIANTS.map((variant) => ({ key: `built${i}-${variant.file}.dcm`, built, variant })));

/** dcmdump as strict as it gets: no automatic correction, stop on error, every warning shown, long values read. */
const DCMDUMP_STRICT = ['-dc', '-E', '-ll', 'warn', '+L'] as const;

type Written = { readonly bytes: Uint8Array; readonly path: string } | { readonly error: unknown };

const writeOptions = (v: Variant): WriteOptions => ({ transferSyntax: v.transferSyntax, part10: v.part10 ?? true, sequenceLength: v.sequenceLength });

const metaJson = (file: DicomFile): ReturnType<typeof toDicomJson> => toDicomJson(new Dataset(), { fileMeta: file.meta });

/** readDicom → writeDicom with the same transfer syntax, meta, preamble and framing. */
function rewrite(file: DicomFile): Uint8Array {
  return writeDicom(file.dataset, {
    transferSyntax: file.transferSyntax.uid,
    meta: file.meta,
    keepMeta: true,
    preamble: file.preamble,
    part10: file.part10,
  });
}

/**
 * Byte-identical, except that a deflated dataset is compared inflated: zlib streams of the same bytes differ
 * between zlib builds and settings (DCMTK's vs Node's), and neither is more right.
 */
function expectSameEncoding(out: Uint8Array, original: Uint8Array, file: DicomFile, what: string): void {
  if (file.transferSyntax.deflated) {
    const at = file.datasetOffset;
    expect(Buffer.compare(out.subarray(0, at), original.subarray(0, at)), `${what}: header and meta`).toBe(0);
    const a = inflateRawSync(out.subarray(at));
    const b = inflateRawSync(original.subarray(at));
    expect(Buffer.compare(a, b), `${what}: inflated dataset`).toBe(0);
    return;
  }
  if (Buffer.compare(out, original) !== 0) {
    let i = 0;
    while (i < out.length && out[i] === original[i]) i++;
    const hex = (b: Uint8Array): string => Buffer.from(b.subarray(Math.max(0, i - 8), i + 16)).toString('hex');
    throw new Error(`${what}: not byte-identical: ${out.length} vs ${original.length} bytes, first difference at ${i}\n  written  ${hex(out)}\n  original ${hex(original)}`);
  }
}

function compareWithPydicom(json: ReturnType<typeof toDicomJson>, peer: PydicomRead, tolerances: readonly Tolerance[], bigEndian: boolean, what: string): void {
  const diffs = compareDicomJson(json, peer.dataset, { peerBigEndian: bigEndian });
  const { unexplained, unused } = applyTolerances(diffs, tolerances);
  expect(unexplained, `${what}:\n${formatDifferences(unexplained)}`).toEqual([]);
  expect(unused.map((t) => t.path), `${what}: documented differences that no longer occur`).toEqual([]);
}

describe('datasets written by Portico: dcmdump and pydicom read them cleanly and see the same thing', () => {
  const written = new Map<string, Written>();
  let dumps: Map<string, RunResult>;
  let patientNames: Map<string, RunResult>;
  let peer: Map<string, PydicomResult>;
  let remove: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    ensurePeers('dcmdump', 'pydicom');
    const tmp = await tempDir('portico-written');
    remove = tmp.remove;
    for (const c of CASES) {
      try {
        const bytes = writeDicom(c.built.build(), writeOptions(c.variant));
        const path = join(tmp.dir, c.key);
        await writeBytes(path, bytes);
        written.set(c.key, { bytes, path });
      } catch (error) {
        written.set(c.key, { error });
      }
    }
    const paths = [...written.values()].flatMap((w) => ('path' in w ? [w.path] : []));
    const results = await Promise.all(paths.map((p) => run('dcmdump', [...DCMDUMP_STRICT, p])));
    dumps = new Map(paths.map((p, i) => [p, results[i]!]));
    // Patient's Name as DCMTK decodes it (+U8: converted to UTF-8 from the declared character set).
    const names = await Promise.all(paths.map((p) => run('dcmdump', ['+U8', '-s', '+P', '0010,0010', p])));
    patientNames = new Map(paths.map((p, i) => [p, names[i]!]));
    peer = await pydicomRead(paths);
  });

  afterAll(() => remove());

  for (const c of CASES) {
    it(`${c.built.name} | ${c.variant.name} | dcmdump clean, pydicom same JSON, byte-identical rewrite`, () => {
      const w = written.get(c.key)!;
      if ('error' in w) throw w.error;
      const { bytes, path } = w;

      const dump = dumps.get(path)!;
      const allowed = c.variant.implicit ? c.built.implicitDcmdumpWarnings.map((w) => w.text) : [];
      const unexpected = (stderr: string): string[] => stderr.split('\n').filter((line) => line.trim() !== '' && !allowed.includes(line.trim()));
      expect(unexpected(dump.stderr), `dcmdump ${DCMDUMP_STRICT.join(' ')} ${c.key} warns`).toEqual([]);
      expect(dump.status).toBe(0);
      if (c.built.patientName !== undefined) {
        const name = patientNames.get(path)!;
        expect(unexpected(name.stderr)).toEqual([]);
        // dcmdump shows the value with its padding space, if any.
        expect(name.stdout).toMatch(new RegExp(`^\\(0010,0010\\) PN \\[${c.built.patientName.replace(/[\^$]/g, '\\$&')} ?\\]`, 'm'));
      }

      const result = peer.get(path)!;
      if (isFailure(result)) throw new Error(`pydicom cannot read ${c.key}: ${result.error}`);
      expect(result.partialError).toBeNull();
      expect(result.warnings, `pydicom warns about ${c.key}`).toEqual([]);
      expect(result.forced).toBe(c.variant.part10 === false);
      expect(result.isLittleEndian).toBe(!c.variant.bigEndian);
      expect(result.isImplicitVR).toBe(c.variant.implicit === true);

      // The dataset as built, against pydicom's reading of the file.
      const tolerances = c.variant.implicit ? c.built.implicitTolerances : c.built.explicitTolerances;
      compareWithPydicom(toDicomJson(c.built.build()), result, tolerances, c.variant.bigEndian === true, `built dataset vs pydicom (${c.key})`);

      // Portico's own reading of the file, against pydicom's: no tolerance at all.
      const back = readDicom(bytes, {}, c.key);
      expect(back.transferSyntax.uid).toBe(c.variant.transferSyntax);
      compareWithPydicom(toDicomJson(back.dataset), result, [], c.variant.bigEndian === true, `Portico re-read vs pydicom (${c.key})`);
      const metaDiffs = compareDicomJson(metaJson(back), result.meta);
      expect(metaDiffs, formatDifferences(metaDiffs)).toEqual([]);

      // Lossless: what Portico wrote, Portico reads and writes again to the same bytes.
      expectSameEncoding(rewrite(back), bytes, back, c.key);
    });
  }
});

describe('encapsulated Pixel Data made by dcmcjpeg, written back by Portico', () => {
  let dir = '';
  let source = '';
  let remove: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    ensurePeers('dump2dcm', 'dcmcjpeg', 'dcmdump', 'pydicom');
    const tmp = await tempDir('encapsulated');
    dir = tmp.dir;
    remove = tmp.remove;
    await writeBytes(join(dir, 'image.txt'), imageDump());
    await runOk('dump2dcm', ['+te', '+l', '65536', 'image.txt', 'image.dcm'], { cwd: dir });
    await runOk('dcmcjpeg', ['+el', '+fs', '1', 'image.dcm', 'jpeg.dcm'], { cwd: dir });
    source = join(dir, 'jpeg.dcm');
  });

  afterAll(() => remove());

  let runs = 0;

  /** The fragments dcmdump writes out with +W (BOT first), as buffers in order. */
  async function dcmdumpFragments(file: string): Promise<Buffer[]> {
    const out = join(dir, `fragments-${++runs}`);
    await mkdir(out, { recursive: true });
    const r = await runOk('dcmdump', [...DCMDUMP_STRICT, '+W', out, join(dir, file)]);
    expect(r.stderr.trim()).toBe('');
    const names = readdirSync(out).sort((a, b) => Number(a.split('.').at(-2)) - Number(b.split('.').at(-2)));
    return Promise.all(names.map((n) => readBytes(join(out, n))));
  }

  async function checkAgainstSource(file: string): Promise<void> {
    const [before, after] = await Promise.all([dcmdumpFragments('jpeg.dcm'), dcmdumpFragments(file)]);
    expect(before.length).toBeGreaterThan(3); // BOT + several fragments per frame (+fs 1)
    expect(after.length).toBe(before.length);
    after.forEach((f, i) => {
      expect(Buffer.compare(f, before[i]!), `fragment ${i}`).toBe(0);
    });
    const [a, b] = await Promise.all([pydicomReadOk(source), pydicomReadOk(join(dir, file))]);
    expect(b.warnings).toEqual([]);
    expect(b.fragments).toEqual(a.fragments);
    expect(b.transferSyntax).toBe(a.transferSyntax);
    const diffs = compareDicomJson(b.dataset, a.dataset);
    expect(diffs, formatDifferences(diffs)).toEqual([]);
  }

  it('read into memory, writeDicom: dcmdump and pydicom see the same fragments and dataset', async () => {
    const file = await readFile(source);
    await writeBytes(join(dir, 'rewritten.dcm'), writeDicom(file.dataset, { meta: file.meta }));
    await checkAgainstSource('rewritten.dcm');
  });

  it('fragments left in the file (bulkDataThreshold 64), writeFile streams them: the same', async () => {
    const file = await readFile(source, { bulkDataThreshold: 64 });
    await writeFile(join(dir, 'streamed.dcm'), file.dataset, { meta: file.meta });
    await checkAgainstSource('streamed.dcm');
  });

  it('readDicom → writeDicom with the same meta and preamble is byte-identical', () => {
    const bytes = readFileSync(source);
    const file = readDicom(bytes);
    expectSameEncoding(rewrite(file), bytes, file, 'jpeg.dcm');
  });
});

/**
 * pydicom corpus files that are not canonical, so that a rewrite cannot be byte-identical; each still gives the
 * same DICOM JSON after the rewrite unless `sameJson` is false.
 */
const NOT_CANONICAL: Readonly<Record<string, { readonly reason: string; readonly sameJson?: false }>> = {
  'test_files/693_J2KI.dcm': { reason: 'its group length (0008,0000) says 328; the group has 602 bytes (dcmconv +g computes 602 too), Portico writes the true length' },
  'charset_files/chrJapMulti.dcm': { reason: 'its group length (0010,0000) is wrong (106 for 190 bytes, as dcmconv +g computes); Portico writes the true length' },
  'charset_files/chrKoreanMulti.dcm': { reason: 'its group length (0008,0000) is wrong (392 for 406 bytes, as dcmconv +g computes); Portico writes the true length' },
  'test_files/SC_rgb_jpeg.dcm': { reason: 'some elements are encoded in Implicit VR inside an Explicit VR dataset (pydicom warns); Portico writes them in Explicit VR' },
  'test_files/UN_sequence.dcm': { reason: 'a UN element of undefined length (CP-246, Implicit VR inside) is written back as SQ in Explicit VR, as its JSON already says' },
  'test_files/nested_priv_SQ.dcm': {
    reason: 'a private value has an odd length (9, "Nested SQ"); Portico pads it to an even length (PS3.5 §7.1.1), which changes the UN bytes',
    sameJson: false,
  },
  'test_files/no_meta_group_length.dcm': { reason: 'the File Meta Information has no group length (0002,0000); Portico writes it (PS3.10 §7.1 Type 1)' },
};

/** Files Portico cannot read (see read-pydicom-corpus.test.ts). */
const UNREADABLE = new Set(['test_files/MR_truncated.dcm', 'test_files/rtplan_truncated.dcm', 'test_files/no_meta.dcm', 'test_files/meta_missing_tsyntax.dcm']);

const CORPUS: readonly string[] = ['test_files', 'charset_files']
  .flatMap((d) => readdirSync(join(PYDICOM_DATA, d)).filter((f) => f.endsWith('.dcm')).sort().map((f) => `${d}/${f}`))
  .filter((rel) => !UNREADABLE.has(rel));

describe('lossless round trip: readDicom → writeDicom(same transfer syntax, meta, keepMeta, preamble)', () => {
  let made: Map<string, string>;
  let remove: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    ensurePeers('dump2dcm', 'dcmconv', 'img2dcm', 'dcmcjpeg', 'dcmcrle', 'dcmcjpls', 'dcmdump');
    const tmp = await tempDir('round-trip');
    remove = tmp.remove;
    made = await makeDcmtkFiles(tmp.dir);
  });

  afterAll(() => remove());

  for (const planned of PLANNED) {
    it(`DCMTK ${planned.name} | byte-identical${planned.name.includes('deflated') ? ' (compared inflated)' : ''}`, () => {
      const bytes = readFileSync(made.get(planned.name)!);
      const file = readDicom(bytes, {}, planned.name);
      expectSameEncoding(rewrite(file), bytes, file, planned.name);
    });
  }

  for (const rel of CORPUS) {
    const exception = NOT_CANONICAL[rel];
    const label = exception ? `not canonical (${exception.reason.split(';')[0]}), same JSON after rewrite` : 'byte-identical';
    it(`pydicom ${rel} | ${exception?.sameJson === false ? `not canonical (${exception.reason.split(';')[0]})` : label}`, () => {
      const bytes = readFileSync(join(PYDICOM_DATA, rel));
      const file = readDicom(bytes, {}, rel);
      const out = rewrite(file);
      if (exception === undefined) {
        expectSameEncoding(out, bytes, file, rel);
        return;
      }
      expect(() => expectSameEncoding(out, bytes, file, rel), `${rel} is listed as not canonical but rewrites identically`).toThrow();
      if (exception.sameJson === false) return;
      const again = readDicom(out, {}, `${rel} (rewritten)`);
      expect(toDicomJson(again.dataset)).toEqual(toDicomJson(file.dataset));
      expect(metaJson(again)).toEqual(metaJson(file));
    });
  }
});

describe('edge cases the peers accept', () => {
  let dir = '';
  let remove: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    ensurePeers('dcmdump', 'pydicom');
    const tmp = await tempDir('edge');
    dir = tmp.dir;
    remove = tmp.remove;
  });

  afterAll(() => remove());

  it('empty values of the binary VRs (set with null) are written as zero-length elements that the peers read', async () => {
    const ds = new Dataset();
    ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
    ds.set('SOPInstanceUID', '2.25.4242');
    const creator = ds.privateTag(0x0009, 'PORTICO EMPTY', 0x03, true)!;
    const empties: readonly (readonly [number, 'OB' | 'OD' | 'OF' | 'OL' | 'OV' | 'OW' | 'UN'])[] = [
      [creator, 'UN'],
      [0x00181638, 'OF'],
      [0x00281201, 'OW'],
      [0x00420011, 'OB'],
      [0x00660040, 'OL'],
      [0x0070150d, 'OD'],
      [0x00720081, 'OV'],
    ];
    for (const [tag, vr] of empties) ds.set(tag, null, vr);
    const path = join(dir, 'empty-binary.dcm');
    await writeBytes(path, writeDicom(ds));
    const dump = await run('dcmdump', [...DCMDUMP_STRICT, path]);
    expect(dump.stderr.trim()).toBe('');
    expect(dump.status).toBe(0);
    const peer = await pydicomReadOk(path);
    expect(peer.warnings).toEqual([]);
    const back = readDicom(await readBytes(path));
    for (const [tag, vr] of empties) {
      const key = tag.toString(16).toUpperCase().padStart(8, '0');
      expect(peer.dataset[key], key).toEqual({ vr });
      const element = back.dataset.get(tag);
      expect(element?.vr).toBe(vr);
      expect(element!.value).toBeInstanceOf(Uint8Array);
      expect((element!.value as Uint8Array).length).toBe(0);
    }
  });

  it('a bare dataset (no meta) whose first element is private is read, as dcmdump and pydicom read it', async () => {
    const ds = new Dataset();
    ds.set(0x00090010, 'PORTICO FIRST', 'LO');
    ds.set(0x00091001, 'private text', 'LO');
    ds.set('PatientName', 'Private^First');
    const bytes = writeDicom(ds, { part10: false });
    const path = join(dir, 'private-first.dcm');
    await writeBytes(path, bytes);
    const dump = await run('dcmdump', [...DCMDUMP_STRICT, path]);
    expect(dump.stderr.trim()).toBe('');
    expect(dump.status).toBe(0);
    expect(dump.stdout).toContain('(0009,1001) LO [private text]');
    const peer = await pydicomReadOk(path);
    expect(peer.warnings).toEqual([]);
    const back = readDicom(bytes, {}, 'private-first.dcm');
    expect(back.transferSyntax.uid).toBe(ExplicitVRLittleEndian);
    const diffs = compareDicomJson(toDicomJson(back.dataset), peer.dataset);
    expect(diffs, formatDifferences(diffs)).toEqual([]);
  });

  const BIG = join(PYDICOM_DATA, 'test_files/MR_small_bigendian.dcm');

  it('values left in a big-endian file (bulkDataThreshold 256) are byte-swapped when written little endian', async () => {
    const file = await readFile(BIG, { bulkDataThreshold: 256 });
    const path = join(dir, 'big-to-little.dcm');
    await writeFile(path, file.dataset, { transferSyntax: ExplicitVRLittleEndian, meta: file.meta });
    const [written, original] = await Promise.all([pydicomReadOk(path), pydicomReadOk(BIG)]);
    expect(written.isLittleEndian).toBe(true);
    const diffs = compareDicomJson(written.dataset, original.dataset, { peerBigEndian: true });
    expect(diffs, formatDifferences(diffs)).toEqual([]);
  });

  it('values left in a big-endian file (bulkDataThreshold 256) are copied when written big endian again', async () => {
    const file = await readFile(BIG, { bulkDataThreshold: 256 });
    const path = join(dir, 'big-to-big.dcm');
    await writeFile(path, file.dataset, { transferSyntax: ExplicitVRBigEndian, meta: file.meta, keepMeta: true, preamble: file.preamble });
    expect(Buffer.compare(await readBytes(path), await readBytes(BIG))).toBe(0);
  });
});
