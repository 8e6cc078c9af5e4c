/**
 * What both ends of a C-FIND do with an Identifier's bytes (PS3.7 §9.1.2): parse them in the presentation context's
 * transfer syntax (inflating a deflated one, bounded), and walk its string values to choose a character set.
 */
import { inflateRawSync } from 'node:zlib';
import type { Dataset } from '../../data/dataset.js';
import { BIG_ENDIAN_DEFAULT, LITTLE_ENDIAN_DEFAULT } from '../../data/decode-context.js';
import { VR_INFO } from '../../data/vr.js';
import { DatasetParser } from '../../encoding/dataset-parser.js';
import type { TransferSyntax } from '../../encoding/transfer-syntax.js';

/** Largest Identifier accepted after inflating a deflated one. */
const MAX_INFLATED = 16 * 1024 * 1024;
/** Sequences in an Identifier nest a few levels at most. */
const MAX_DEPTH = 16;

/** Parses an Identifier (a bare dataset) in a non-encapsulated transfer syntax; throws what the parser throws. */
export function parseIdentifier(bytes: Uint8Array, ts: TransferSyntax): Dataset {
  const input = ts.deflated ? inflateRawSync(bytes, { maxOutputLength: MAX_INFLATED }) : bytes;
  const parser = new DatasetParser(0, ts.explicitVR, ts.littleEndian ? LITTLE_ENDIAN_DEFAULT : BIG_ENDIAN_DEFAULT, { maxDepth: MAX_DEPTH }, { end: input.length, name: 'identifier' });
  parser.setWindow(input, 0);
  parser.step(true);
  return parser.root;
}

/** Every value of a character-set VR in a dataset, items included. */
export function* stringValues(dataset: Dataset): Generator<string> {
  for (const e of dataset) {
    if (e.vr === 'SQ') for (const item of e.items) yield* stringValues(item);
    else if (VR_INFO[e.vr].charset) yield* e.strings;
  }
}

const ASCII = /^[\u0000-\u007f]*$/;

/** Is every string value ASCII (writable with no Specific Character Set)? */
export const allAscii = (dataset: Dataset): boolean => {
  for (const text of stringValues(dataset)) if (!ASCII.test(text)) return false;
  return true;
};
