/**
 * The C-FIND Identifier on the wire (PS3.4 C.4.1.1.3, PS3.7 §9.1.2): encoded in the presentation context's
 * transfer syntax, with a Specific Character Set when a value needs one; responses decoded with their own
 * Specific Character Set, every value decoded at once so that a broken one is found here, not later.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Element } from '../../data/element.js';
import { SPECIFIC_CHARACTER_SET } from '../../data/tag.js';
import { lookupTransferSyntax } from '../../encoding/transfer-syntax.js';
import { writeDicom } from '../../encoding/write.js';
import { allAscii, parseIdentifier, stringValues } from './identifier-bytes.js';
import { FindResponseError } from './scu-find-errors.js';

// ISO 8859-1 printable characters: what ISO_IR 100 can encode besides the controls the VRs allow.
const LATIN1 = /^[\u0000-\u007f\u00a0-\u00ff]*$/;

/**
 * The identifier as it goes out: when it has no Specific Character Set (or an empty one: a return key) and a value
 * is not ASCII, a copy with `ISO_IR 100` (every character is Latin-1) or else `ISO_IR 192` (UTF-8). The caller's
 * dataset is not changed.
 */
export function withCharacterSet(identifier: Dataset): Dataset {
  if (identifier.strings(SPECIFIC_CHARACTER_SET).some((term) => term.trim() !== '')) return identifier;
  if (allAscii(identifier)) return identifier;
  let latin1 = true;
  for (const text of stringValues(identifier)) if (!LATIN1.test(text)) latin1 = false;
  const copy = identifier.clone();
  copy.set(SPECIFIC_CHARACTER_SET, latin1 ? 'ISO_IR 100' : 'ISO_IR 192');
  return copy;
}

/** The identifier's bytes in a transfer syntax (a bare dataset: no preamble, no meta group). */
export function encodeIdentifier(identifier: Dataset, transferSyntaxUid: string): Uint8Array {
  return writeDicom(withCharacterSet(identifier), { transferSyntax: transferSyntaxUid, part10: false });
}

/** Touches every value so that one that cannot be decoded throws now. */
function decodeAll(dataset: Dataset): void {
  for (const e of dataset) decodeElement(e);
}

function decodeElement(e: Element): void {
  const value = e.value;
  if (e.vr === 'SQ') for (const item of value as readonly Dataset[]) decodeAll(item);
}

/**
 * Decodes a response's Identifier from the bytes received in the context's transfer syntax. Throws
 * `FindResponseError` (with the parse error as `cause`) when they are not a valid dataset.
 */
export function decodeIdentifier(bytes: Uint8Array, transferSyntaxUid: string): Dataset {
  const ts = lookupTransferSyntax(transferSyntaxUid);
  if (ts === undefined || ts.encapsulated) {
    throw new FindResponseError(`an identifier in transfer syntax ${transferSyntaxUid}, which is not one for identifiers`);
  }
  try {
    const identifier = parseIdentifier(bytes, ts);
    decodeAll(identifier);
    return identifier;
  } catch (error) {
    throw new FindResponseError(`the response's identifier cannot be decoded: ${(error as Error).message}`, { cause: error });
  }
}
