import { DicomParseError } from '../core/errors.js';
import { EncapsulatedPixelData, type Fragment } from '../data/bulk-data.js';
import type { Dataset } from '../data/dataset.js';
import { EXTENDED_OFFSET_TABLE, PIXEL_DATA } from '../data/tag.js';

const NUMBER_OF_FRAMES = 0x00280008;

/**
 * The fragments of each frame of encapsulated Pixel Data (PS3.5 A.4): by the Extended Offset Table when present,
 * else by the Basic Offset Table, else one fragment per frame when the counts agree, else all fragments in one frame
 * (single-frame images, and MPEG/H.264/HEVC streams which are one "frame" of fragments).
 */
export function frameFragments(dataset: Dataset): Fragment[][] {
  const value = dataset.get(PIXEL_DATA)?.value;
  if (!(value instanceof EncapsulatedPixelData)) return [];
  const frames = Math.max(1, dataset.number(NUMBER_OF_FRAMES) ?? 1);
  const fragments = value.fragments;
  const eot = dataset.get(EXTENDED_OFFSET_TABLE)?.value;
  if (eot instanceof Uint8Array && eot.length >= 8) return byOffsets(fragments, readUint64s(eot), 'Extended Offset Table');
  const bot = value.offsets();
  if (bot.length > 0) return byOffsets(fragments, bot, 'Basic Offset Table');
  if (frames === fragments.length) return fragments.map((f) => [f]);
  if (frames === 1) return [[...fragments]];
  throw new DicomParseError('INVALID_PIXEL_DATA', `${frames} frames in ${fragments.length} fragments and no offset table to tell them apart`, value.basicOffsetTable.offset);
}

/** Each offset is the distance from the first fragment's item tag to the frame's first fragment's item tag. */
function byOffsets(fragments: readonly Fragment[], offsets: readonly number[], what: string): Fragment[][] {
  const first = fragments[0];
  if (!first) return [];
  const base = first.offset - 8;
  const starts = new Map<number, number>();
  for (const [i, f] of fragments.entries()) starts.set(f.offset - 8 - base, i);
  const out: Fragment[][] = [];
  for (let k = 0; k < offsets.length; k++) {
    const from = starts.get(offsets[k]!);
    const to = k + 1 < offsets.length ? starts.get(offsets[k + 1]!) : fragments.length;
    if (from === undefined || to === undefined || to <= from) {
      throw new DicomParseError('INVALID_PIXEL_DATA', `the ${what} entry ${k} (${offsets[k]}) does not point at a fragment`, first.offset);
    }
    out.push(fragments.slice(from, to));
  }
  return out;
}

function readUint64s(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) out.push(Number(view.getBigUint64(i, true)));
  return out;
}
