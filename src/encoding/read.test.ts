import { writeFile as fsWriteFile, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concat, DicomBytes, part10Header } from '../../test/support/dicom-bytes.js';
import { DicomParseError } from '../core/errors.js';
import { BulkDataRef, EncapsulatedPixelData } from '../data/bulk-data.js';
import { readDicom, readFile, readStream } from './read.js';
import { thrownBy } from '../../test/support/thrown.js';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

/** (0008,0005) CS "ISO_IR 100", (0010,0010) PN "MÜLLER^HANS", (0028,0010) US 512, (0028,0011) US 256\1. */
const explicitBody = (le = true) =>
  new DicomBytes(le)
    .explicit(0x00080005, 'CS', 'ISO_IR 100')
    .explicit(0x00100010, 'PN', [0x4d, 0xdc, 0x4c, 0x4c, 0x45, 0x52, 0x5e, 0x48, 0x41, 0x4e, 0x53, 0x20])
    .explicit(0x00280010, 'US', le ? [0x00, 0x02] : [0x02, 0x00])
    .explicit(0x00280011, 'US', le ? [0x00, 0x01, 0x01, 0x00] : [0x01, 0x00, 0x00, 0x01])
    .bytes();

async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const parseError = (run: () => unknown): DicomParseError => thrownBy(DicomParseError, run);

describe('readDicom: encodings', () => {
  it('reads a Part 10 file in Explicit VR Little Endian with its meta group and character set', () => {
    const file = readDicom(concat(part10Header(EXPLICIT_LE), explicitBody()));
    expect(file.part10).toBe(true);
    expect(file.transferSyntax.uid).toBe(EXPLICIT_LE);
    expect(file.meta.string(0x00020003)).toBe('1.2.3.4');
    expect(file.dataset.string('PatientName')).toBe('MÜLLER^HANS');
    expect(file.dataset.get(0x00280011)?.numbers).toEqual([256, 1]);
    expect(file.datasetOffset).toBe(part10Header(EXPLICIT_LE).length);
  });

  it('reads Explicit VR Big Endian (values byte-swapped)', () => {
    const file = readDicom(concat(part10Header(EXPLICIT_BE), explicitBody(false)));
    expect(file.dataset.number('Rows')).toBe(512);
    expect(file.dataset.get('Columns')?.numbers).toEqual([256, 1]);
    expect(file.dataset.string('PatientName')).toBe('MÜLLER^HANS');
  });

  it('reads Implicit VR Little Endian, taking VRs from the dictionary', () => {
    const body = new DicomBytes().implicit(0x00100020, 'ID42').implicit(0x00280010, [0x00, 0x02]).bytes();
    const file = readDicom(concat(part10Header(IMPLICIT_LE), body));
    expect(file.dataset.get('PatientID')?.vr).toBe('LO');
    expect(file.dataset.get('Rows')?.vr).toBe('US');
    expect(file.dataset.number('Rows')).toBe(512);
  });

  it('detects the encoding of a dataset without preamble or meta, as DCMTK does', () => {
    expect(readDicom(explicitBody()).transferSyntax.uid).toBe(EXPLICIT_LE);
    expect(readDicom(explicitBody(false)).transferSyntax.uid).toBe(EXPLICIT_BE);
    const implicit = new DicomBytes().implicit(0x00080060, 'CT').implicit(0x00100020, 'ID42').bytes();
    const file = readDicom(implicit);
    expect(file.transferSyntax.uid).toBe(IMPLICIT_LE);
    expect(file.part10).toBe(false);
    expect(file.dataset.string('Modality')).toBe('CT');
  });

  it('reads a bare dataset that starts with a private group', () => {
    const body = new DicomBytes().explicit(0x00090010, 'LO', 'VENDOR').explicit(0x00091001, 'LO', 'X ').explicit(0x00100010, 'PN', 'A^B ').bytes();
    const file = readDicom(body);
    expect(file.transferSyntax.uid).toBe(EXPLICIT_LE);
    expect(file.dataset.privateCreatorOf(0x00091001)).toBe('VENDOR');
  });

  it('reads a meta group without preamble', () => {
    const withPreamble = concat(part10Header(EXPLICIT_LE), explicitBody());
    const file = readDicom(withPreamble.subarray(132));
    expect(file.meta.string(0x00020010)).toBe(EXPLICIT_LE);
    expect(file.dataset.number('Rows')).toBe(512);
  });

  it('reads sequences of defined and undefined length with nested items, and keeps how they were delimited', () => {
    const inner = new DicomBytes().explicit(0x00081150, 'UI', '1.2\0').bytes(); // 12 bytes
    const body = new DicomBytes()
      .explicit(0x00081140, 'SQ', [], 0xffffffff) // ReferencedImageSequence, undefined length
      .item()
      .raw(inner)
      .itemEnd()
      .item(inner.length)
      .raw(inner)
      .sequenceEnd()
      .explicit(0x00082112, 'SQ', [], 8 + inner.length) // SourceImageSequence, defined length
      .item(inner.length)
      .raw(inner)
      .bytes();
    const ds = readDicom(concat(part10Header(EXPLICIT_LE), body)).dataset;
    const seq = ds.get('ReferencedImageSequence')!;
    expect(seq.undefinedLength).toBe(true);
    expect(seq.items.map((i) => i.undefinedLength)).toEqual([true, false]);
    expect(seq.items[1]!.string('ReferencedSOPClassUID')).toBe('1.2');
    expect(ds.get('SourceImageSequence')!.undefinedLength).toBe(false);
    expect(ds.items('SourceImageSequence')[0]!.string(0x00081150)).toBe('1.2');
  });

  it('reads UN of undefined length as a sequence in Implicit VR Little Endian (CP-246)', () => {
    const body = new DicomBytes()
      .explicit(0x00081140, 'UN', [], 0xffffffff)
      .item()
      .implicit(0x00081150, '1.2\0')
      .itemEnd()
      .sequenceEnd()
      .explicit(0x00100020, 'LO', 'ID')
      .bytes();
    const ds = readDicom(concat(part10Header(EXPLICIT_LE), body)).dataset;
    expect(ds.get(0x00081140)!.vr).toBe('SQ');
    expect(ds.items(0x00081140)[0]!.string(0x00081150)).toBe('1.2');
    expect(ds.string('PatientID')).toBe('ID');
  });

  it('gives encapsulated Pixel Data as Basic Offset Table and fragments with their offsets', () => {
    const body = new DicomBytes()
      .explicit(0x7fe00010, 'OB', [], 0xffffffff)
      .item(4)
      .raw([0, 0, 0, 0])
      .item(6)
      .raw([0xff, 0xd8, 1, 2, 0xff, 0xd9])
      .sequenceEnd()
      .bytes();
    const header = part10Header(JPEG_BASELINE);
    const file = readDicom(concat(header, body));
    const pixels = file.dataset.get('PixelData')!.value as EncapsulatedPixelData;
    expect(pixels).toBeInstanceOf(EncapsulatedPixelData);
    expect(pixels.offsets()).toEqual([0]);
    expect(pixels.fragments).toHaveLength(1);
    expect(pixels.fragments[0]!.offset).toBe(header.length + 12 + 8 + 4 + 8);
    expect(Array.from(pixels.fragments[0]!.bytes as Uint8Array)).toEqual([0xff, 0xd8, 1, 2, 0xff, 0xd9]);
  });

  it('stops before a given tag, and before Pixel Data', () => {
    const body = new DicomBytes().explicit(0x00100020, 'LO', 'ID').explicit(0x7fe00010, 'OW', [1, 2, 3, 4]).bytes();
    const file = readDicom(concat(part10Header(EXPLICIT_LE), body), { stopBeforePixels: true });
    expect(file.dataset.has('PixelData')).toBe(false);
    expect(file.stoppedAt).toBe(0x7fe00010);
    expect(readDicom(concat(part10Header(EXPLICIT_LE), body), { stopAtTag: 0x00100020 }).dataset.size).toBe(0);
  });

  it('switches the character set for items that declare their own', () => {
    const body = new DicomBytes()
      .explicit(0x00080005, 'CS', 'ISO_IR 192')
      .explicit(0x0040a730, 'SQ', [], 0xffffffff)
      .item()
      .explicit(0x00080005, 'CS', 'ISO_IR 100')
      .explicit(0x00100010, 'PN', [0x4d, 0xdc, 0x4c, 0x4c, 0x45, 0x52])
      .itemEnd()
      .item()
      .explicit(0x00100010, 'PN', [0x4d, 0xc3, 0x9c, 0x4c, 0x4c, 0x45, 0x52, 0x20])
      .itemEnd()
      .sequenceEnd()
      .bytes();
    const items = readDicom(concat(part10Header(EXPLICIT_LE), body)).dataset.items(0x0040a730);
    expect(items.map((i) => i.string('PatientName'))).toEqual(['MÜLLER', 'MÜLLER']);
  });
});

describe('readStream', () => {
  it('gives the same dataset whatever the chunk size, down to one byte', async () => {
    const bytes = concat(part10Header(EXPLICIT_LE), explicitBody());
    const whole = readDicom(bytes);
    for (const size of [1, 3, 7, 64, 100_000]) {
      const streamed = await readStream(chunked(bytes, size));
      expect(streamed.dataset.tags()).toEqual(whole.dataset.tags());
      expect(streamed.dataset.string('PatientName')).toBe('MÜLLER^HANS');
      expect(streamed.meta.string(0x00020010)).toBe(EXPLICIT_LE);
    }
  });

  it('fails with a typed error on a stream that ends inside a value, holding only what arrived', async () => {
    const bytes = new DicomBytes().explicit(0x00080060, 'CS', 'CT').explicit(0x00100020, 'UT', 'x'.repeat(10), 1 << 30).bytes();
    await expect(readStream(chunked(bytes, 4))).rejects.toMatchObject({ reason: 'LENGTH_PAST_END' });
  });

  it('with the path of the file being written, skips large values as they stream past and references them', async () => {
    const pixels = 3 << 20;
    const head = concat(part10Header(EXPLICIT_LE), new DicomBytes().explicit(0x00100020, 'LO', 'ID').explicit(0x7fe00010, 'OW', [], pixels).bytes());
    async function* source(): AsyncIterable<Uint8Array> {
      yield head;
      for (let sent = 0; sent < pixels; sent += 65536) yield new Uint8Array(65536);
    }
    const read = await readStream(source(), { bulkDataThreshold: 4096 }, 'stream', '/data/x.dcm');
    const value = read.dataset.get(0x7fe00010)?.value;
    expect(value).toBeInstanceOf(BulkDataRef);
    expect((value as BulkDataRef).length).toBe(pixels);
    expect((value as BulkDataRef).path).toBe('/data/x.dcm');
    expect(read.dataset.string('PatientID')).toBe('ID');
  });

  it('with a path, a skipped value that runs past the end of the stream is a typed parse error', async () => {
    const bytes = concat(part10Header(EXPLICIT_LE), new DicomBytes().explicit(0x00100020, 'LO', 'ID').explicit(0x7fe00010, 'OW', [], 1 << 20).bytes(), new Uint8Array(1000));
    const error = await readStream(chunked(bytes, 4096), { bulkDataThreshold: 4096 }, 'stream', '/data/x.dcm').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DicomParseError);
    expect(['TRUNCATED', 'LENGTH_PAST_END']).toContain((error as DicomParseError).reason);
  });
});

describe('readFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-read-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves large values in the file as references and reads them on demand', async () => {
    const pixels = new Uint8Array(3 << 20).map((_, i) => i & 0xff);
    const body = new DicomBytes().explicit(0x00100020, 'LO', 'ID').explicit(0x7fe00010, 'OW', [], pixels.length).bytes();
    const path = join(dir, 'big.dcm');
    const header = part10Header(EXPLICIT_LE);
    await fsWriteFile(path, concat(header, body, pixels));
    const file = await readFile(path);
    const ref = file.dataset.get('PixelData')!.value as BulkDataRef;
    expect(ref).toBeInstanceOf(BulkDataRef);
    expect(ref.offset).toBe(header.length + body.length);
    expect(ref.length).toBe(pixels.length);
    expect(Buffer.compare(Buffer.from(await ref.read()), Buffer.from(pixels))).toBe(0);
  });

  it('reads the header of a 2 GB file without reading its pixel data', async () => {
    const length = 2 * 1024 * 1024 * 1024 - 4096;
    const header = concat(part10Header(EXPLICIT_LE), new DicomBytes().explicit(0x00100020, 'LO', 'ID').explicit(0x7fe00010, 'OB', [], length).bytes());
    const path = join(dir, 'huge.dcm');
    const handle = await open(path, 'w');
    await handle.write(header, 0, header.length, 0);
    await handle.truncate(header.length + length); // sparse: costs no disk
    await handle.close();
    const before = process.memoryUsage().rss;
    const file = await readFile(path);
    expect(file.dataset.string('PatientID')).toBe('ID');
    expect((file.dataset.get('PixelData')!.value as BulkDataRef).length).toBe(length);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('bad input: every defect is a DicomParseError with an offset', () => {
  it('rejects garbage and text as not DICOM', () => {
    expect(parseError(() => readDicom(Buffer.from('hello, this is certainly not a DICOM file\n'))).reason).toBe('NOT_DICOM');
    expect(parseError(() => readDicom(new Uint8Array([1, 2, 3]))).reason).toBe('NOT_DICOM');
  });

  it('reports a length past the end with the offset of the element', () => {
    const body = new DicomBytes().explicit(0x00100010, 'PN', 'DOE', 200).bytes();
    const e = parseError(() => readDicom(body));
    expect(e.reason).toBe('LENGTH_PAST_END');
    expect(e.offset).toBe(4);
  });

  it('does not allocate for a 1 GiB length with 10 bytes present', () => {
    const body = new DicomBytes().explicit(0x00100010, 'PN', 'A').explicit(0x7fe00010, 'OB', 'x'.repeat(10), 1 << 30).bytes();
    const before = process.memoryUsage().arrayBuffers;
    expect(parseError(() => readDicom(body)).reason).toBe('LENGTH_PAST_END');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('rejects an undefined length on a VR that cannot have one', () => {
    const body = new DicomBytes().explicit(0x00100010, 'PN', 'A\0').explicit(0x00181000, 'UT', [], 0xffffffff).bytes();
    expect(parseError(() => readDicom(body)).reason).toBe('UNDEFINED_LENGTH_NOT_ALLOWED');
  });

  it('stops sequences nested 10,000 deep at the depth limit', () => {
    const b = new DicomBytes().explicit(0x00080060, 'CS', 'CT');
    for (let i = 0; i < 10_000; i++) b.explicit(0x0040a730, 'SQ', [], 0xffffffff).item();
    const e = parseError(() => readDicom(b.bytes()));
    expect(e.reason).toBe('DEPTH_LIMIT');
    expect(parseError(() => readDicom(b.bytes(), { maxDepth: 5 })).message).toContain('deeper than 5');
  });

  it('rejects stray delimiters', () => {
    const body = new DicomBytes().explicit(0x00080060, 'CS', 'CT').itemEnd().bytes();
    expect(parseError(() => readDicom(body)).reason).toBe('UNEXPECTED_DELIMITER');
    const seqEnd = new DicomBytes().explicit(0x00080060, 'CS', 'CT').sequenceEnd().bytes();
    expect(parseError(() => readDicom(seqEnd)).reason).toBe('UNEXPECTED_DELIMITER');
  });

  it('rejects an item whose length runs past its sequence', () => {
    const body = new DicomBytes().explicit(0x00080060, 'CS', 'CT').explicit(0x00081140, 'SQ', [], 16).item(100).raw(new Uint8Array(100)).bytes();
    expect(parseError(() => readDicom(body)).reason).toBe('LENGTH_PAST_END');
  });

  it('reports a truncated file at the offset where it ends', () => {
    const bytes = concat(part10Header(EXPLICIT_LE), new DicomBytes().explicit(0x00081140, 'SQ', [], 0xffffffff).item().explicit(0x00100020, 'LO', 'ID').bytes());
    const e = parseError(() => readDicom(bytes));
    expect(e.reason).toBe('TRUNCATED');
    expect(e.offset).toBe(bytes.length);
  });

  it('caps the inflated size of a deflated dataset (deflate bomb)', async () => {
    const { deflateRawSync } = await import('node:zlib');
    const inner = new DicomBytes().explicit(0x7fe00010, 'OB', [], 64 << 20).bytes();
    const bomb = deflateRawSync(concat(inner, new Uint8Array(64 << 20)));
    expect(bomb.length).toBeLessThan(200_000);
    const bytes = concat(part10Header('1.2.840.10008.1.2.1.99'), bomb);
    expect(parseError(() => readDicom(bytes, { maxInflatedSize: 1 << 20 })).reason).toBe('INFLATE_LIMIT');
    expect(parseError(() => readDicom(concat(part10Header('1.2.840.10008.1.2.1.99'), new Uint8Array([0xff, 0xff, 0xff, 0xff])))).reason).toBe('INFLATE_FAILED');
  });

  it('detects the encoding when the meta group lacks a transfer syntax (as DCMTK does), and rejects an unknown one', () => {
    const noTs = new DicomBytes().raw(new Uint8Array(128)).raw('DICM').explicit(0x00020002, 'UI', '1.2\0').implicit(0x00080060, 'CT').bytes();
    const file = readDicom(noTs);
    expect(file.transferSyntax.uid).toBe(IMPLICIT_LE);
    expect(file.dataset.string('Modality')).toBe('CT');
    expect(parseError(() => readDicom(concat(part10Header('1.2.3.999'), explicitBody()))).reason).toBe('UNSUPPORTED_TRANSFER_SYNTAX');
  });

  it('rejects malformed encapsulated Pixel Data', () => {
    const noItems = new DicomBytes().explicit(0x7fe00010, 'OB', [], 0xffffffff).sequenceEnd().bytes();
    expect(parseError(() => readDicom(concat(part10Header(JPEG_BASELINE), noItems))).reason).toBe('INVALID_PIXEL_DATA');
    const undefinedFragment = new DicomBytes().explicit(0x7fe00010, 'OB', [], 0xffffffff).item(0).item().bytes();
    expect(parseError(() => readDicom(concat(part10Header(JPEG_BASELINE), undefinedFragment))).reason).toBe('INVALID_PIXEL_DATA');
  });
});
