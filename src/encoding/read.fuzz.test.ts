import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, DicomBytes, part10Header } from '../../test/support/dicom-bytes.js';
import { DicomError } from '../core/errors.js';
import { EncapsulatedPixelData } from '../data/bulk-data.js';
import type { Dataset } from '../data/dataset.js';
import { readDicom } from './read.js';
import { writeDicom } from './write.js';

/**
 * Property: whatever the bytes, reading either succeeds or throws a DicomError; it never crashes, hangs or throws
 * anything untyped. `npm test` runs a bounded number of cases; `npm run fuzz` sets FUZZ_RUNS for many more.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

function seeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  try {
    for (const name of readdirSync(PYDICOM).filter((n) => n.endsWith('.dcm')).sort()) {
      const bytes = readFileSync(join(PYDICOM, name));
      if (bytes.length <= 64 * 1024) out.push(bytes);
    }
  } catch {
    // The interop suite checks that pydicom is installed; the generated seeds below always exist.
  }
  const nested = new DicomBytes()
    .explicit(0x00080005, 'CS', 'ISO_IR 100')
    .explicit(0x00081140, 'SQ', [], 0xffffffff)
    .item()
    .explicit(0x00081150, 'UI', '1.2\0')
    .explicit(0x00081155, 'SQ', [], 20)
    .item(12)
    .explicit(0x00100020, 'LO', 'ID42 ')
    .itemEnd()
    .sequenceEnd()
    .explicit(0x7fe00010, 'OB', [], 0xffffffff)
    .item(0)
    .item(4)
    .raw([1, 2, 3, 4])
    .sequenceEnd()
    .bytes();
  out.push(concat(part10Header('1.2.840.10008.1.2.4.50'), nested));
  out.push(new DicomBytes().implicit(0x00080060, 'CT').implicit(0x00081140, [], 0xffffffff).item().implicit(0x00081150, '1.2\0').itemEnd().sequenceEnd().bytes());
  return out;
}

function touchAll(ds: Dataset, depth = 0): void {
  for (const e of ds) {
    const v = e.value;
    if (v instanceof EncapsulatedPixelData) v.offsets();
    void e.strings;
    if (depth < 200) for (const item of e.items) touchAll(item, depth + 1);
  }
}

function readSafely(bytes: Uint8Array): void {
  try {
    const file = readDicom(bytes, { maxInflatedSize: 8 << 20 });
    touchAll(file.dataset);
    try {
      writeDicom(file.dataset, { part10: false, transferSyntax: file.transferSyntax.encapsulated ? '1.2.840.10008.1.2.1' : file.transferSyntax.uid });
    } catch (error) {
      if (!(error instanceof DicomError)) throw error;
    }
  } catch (error) {
    if (!(error instanceof DicomError)) throw error;
  }
}

const corpus = seeds();

describe('fuzz: the reader only ever succeeds or throws a DicomError', () => {
  it('on mutated and truncated real files', () => {
    const mutation = fc.record({
      seed: fc.nat({ max: corpus.length - 1 }),
      flips: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    });
    fc.assert(
      fc.property(mutation, ({ seed, flips, cut }) => {
        const bytes = Uint8Array.from(corpus[seed]!);
        for (const f of flips) bytes[f.at % bytes.length] = f.byte;
        readSafely(cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1)));
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('on generated element streams with hostile lengths and VRs', () => {
    const vr = fc.constantFrom('AE', 'CS', 'DS', 'FD', 'LO', 'OB', 'OW', 'PN', 'SQ', 'SS', 'UL', 'UN', 'US', 'UT', 'XX', '\0\0');
    const element = fc.record({
      tag: fc.oneof(fc.constantFrom(0x00080005, 0x00100010, 0x7fe00010, 0xfffee000, 0xfffee00d, 0xfffee0dd, 0x00291010), fc.nat()),
      vr,
      length: fc.oneof(fc.constantFrom(0, 1, 2, 0xffff, 0xffffffff, 0x40000000), fc.nat({ max: 64 })),
      value: fc.uint8Array({ maxLength: 40 }),
    });
    fc.assert(
      fc.property(fc.array(element, { maxLength: 30 }), fc.boolean(), (elements, le) => {
        const b = new DicomBytes(le);
        for (const e of elements) b.explicit(e.tag, e.vr, e.value, e.length);
        readSafely(b.bytes());
        readSafely(concat(part10Header(le ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2.2'), b.bytes()));
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('keeps a small corpus check: every seed itself reads or fails typed', () => {
    for (const seed of corpus) readSafely(seed);
    expect(corpus.length).toBeGreaterThan(2);
  });
});
