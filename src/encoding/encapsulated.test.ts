import { describe, expect, it } from 'vitest';
import { concat, DicomBytes, part10Header } from '../../test/support/dicom-bytes.js';
import { DicomParseError } from '../core/errors.js';
import { frameFragments } from './encapsulated.js';
import { readDicom } from './read.js';

const RLE = '1.2.840.10008.1.2.5';

/** 3 frames: fragments [A], [B1 B2], [C]; each fragment is 4 bytes, so each item is 12 bytes. */
function pixels(bot: number[], eot?: number[], frames = 3): Uint8Array {
  const b = new DicomBytes().explicit(0x00280008, 'IS', `${frames} `);
  if (eot) {
    const table = new Uint8Array(eot.length * 8);
    for (const [i, v] of eot.entries()) new DataView(table.buffer).setBigUint64(i * 8, BigInt(v), true);
    b.explicit(0x7fe00001, 'OV', table);
  }
  b.explicit(0x7fe00010, 'OB', [], 0xffffffff).item(bot.length * 4);
  for (const v of bot) b.u32(v);
  for (const name of ['AAAA', 'BBB1', 'BBB2', 'CCCC']) b.item(4).raw(name);
  return concat(part10Header(RLE), b.sequenceEnd().bytes());
}

const names = (frames: ReturnType<typeof frameFragments>) =>
  frames.map((f) => f.map((x) => Buffer.from(x.bytes as Uint8Array).toString('latin1')));

describe('frameFragments', () => {
  it('splits frames by the Basic Offset Table', () => {
    expect(names(frameFragments(readDicom(pixels([0, 12, 36])).dataset))).toEqual([['AAAA'], ['BBB1', 'BBB2'], ['CCCC']]);
  });

  it('prefers the Extended Offset Table', () => {
    const ds = readDicom(pixels([], [0, 12, 36])).dataset;
    expect(names(frameFragments(ds))).toEqual([['AAAA'], ['BBB1', 'BBB2'], ['CCCC']]);
  });

  it('puts all fragments in one frame for a single frame without table, and one per frame when counts agree', () => {
    expect(names(frameFragments(readDicom(pixels([], undefined, 1)).dataset))).toEqual([['AAAA', 'BBB1', 'BBB2', 'CCCC']]);
    expect(frameFragments(readDicom(pixels([], undefined, 4)).dataset)).toHaveLength(4);
  });

  it('refuses an offset table that does not point at fragments, and ambiguous counts', () => {
    expect(() => frameFragments(readDicom(pixels([0, 13, 36])).dataset)).toThrow(DicomParseError);
    expect(() => frameFragments(readDicom(pixels([], undefined, 3)).dataset)).toThrow(/no offset table/);
  });
});
