/**
 * The Identifiers a Query/Retrieve SCP receives and sends (PS3.4 C.4.1.1.3, C.4.2.1.4; PS3.7 §9.1.2–9.1.4): a
 * request Identifier decoded in its presentation context's transfer syntax, and response Identifiers encoded in the
 * Specific Character Set of the query when every value fits it, else in ISO_IR 192 (UTF-8) — C.2.2.2: the
 * response should be in the query's character set, and UTF-8 holds any value the archive has.
 */
import { CharacterSetError, DicomError } from '../../core/errors.js';
import { BulkDataRef } from '../../data/bulk-data.js';
import { SpecificCharacterSet } from '../../data/charset/specific-character-set.js';
import type { Dataset } from '../../data/dataset.js';
import { Element } from '../../data/element.js';
import { VR_INFO } from '../../data/vr.js';
import { defaultVr } from '../../dictionary/attributes.js';
import { lookupTransferSyntax } from '../../encoding/transfer-syntax.js';
import { encodeDicom } from '../../encoding/write.js';
import { allAscii, parseIdentifier } from './identifier-bytes.js';
import { SPECIFIC_CHARACTER_SET } from './levels.js';

/** A request Identifier that is missing or cannot be parsed: answered with Cxxx (unable to process). */
export class IdentifierDecodeError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_QR_IDENTIFIER', message, options);
  }
}

/** Decodes a request Identifier received in a transfer syntax. Throws IdentifierDecodeError. */
export function decodeRequestIdentifier(bytes: Uint8Array | undefined, transferSyntaxUid: string): Dataset {
  if (bytes === undefined) throw new IdentifierDecodeError('the request has no Identifier');
  const ts = lookupTransferSyntax(transferSyntaxUid);
  if (ts === undefined || ts.encapsulated) throw new IdentifierDecodeError(`an Identifier cannot be in transfer syntax ${transferSyntaxUid}`);
  try {
    return withDictionaryVrs(parseIdentifier(bytes, ts));
  } catch (error) {
    throw new IdentifierDecodeError(`the Identifier cannot be parsed: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Keys sent as UN whose dictionary VR is a string VR get that VR back (PS3.5 §6.2.2): an explicit VR encoder must
 * write a string key longer than 64 KiB as UN (DCMTK does), and it is still a string to match, not a binary value.
 */
function withDictionaryVrs(identifier: Dataset): Dataset {
  for (const e of identifier) {
    const raw = e.raw;
    if (e.vr !== 'UN' || raw === undefined) continue;
    const vr = defaultVr(e.tag);
    const kind = VR_INFO[vr].kind;
    if (kind === 'string' || kind === 'text') identifier.add(Element.fromRaw(e.tag, vr, raw, 0, raw.length, e.context));
  }
  return identifier;
}

/** The character set a response is encoded in: the query's terms when valid and sufficient, else ISO_IR 192. */
function queryCharacterSet(terms: readonly string[]): readonly string[] | undefined {
  if (terms.length === 0 || terms.every((t) => t.trim() === '')) return undefined;
  try {
    SpecificCharacterSet.from(terms);
    return terms;
  } catch {
    // A Specific Character Set we cannot write in: answer in UTF-8, which can hold anything.
    return ['ISO_IR 192'];
  }
}

/**
 * Encodes a response Identifier in a transfer syntax: with the query's Specific Character Set (none when the
 * query had none) when every value can be written in it, else with ISO_IR 192. `dataset` is changed: its Specific
 * Character Set is set (or removed) to what the bytes are in.
 */
export async function encodeResponseIdentifier(dataset: Dataset, transferSyntaxUid: string, queryTerms: readonly string[]): Promise<Uint8Array> {
  let terms = queryCharacterSet(queryTerms);
  // Values beyond ASCII cannot be in the default repertoire: straight to UTF-8, without a failed encoding first.
  if (terms === undefined && !allAscii(dataset)) terms = ['ISO_IR 192'];
  if (terms === undefined) dataset.delete(SPECIFIC_CHARACTER_SET);
  else dataset.set(SPECIFIC_CHARACTER_SET, [...terms], 'CS');
  try {
    return await encodeBare(dataset, transferSyntaxUid);
  } catch (error) {
    if (!(error instanceof CharacterSetError) || terms?.[0] === 'ISO_IR 192') throw error;
  }
  dataset.set(SPECIFIC_CHARACTER_SET, 'ISO_IR 192', 'CS');
  return encodeBare(dataset, transferSyntaxUid);
}

/** Encodes any dataset (a Failed SOP Instance UID List) as a bare dataset in a transfer syntax. */
export async function encodeBare(dataset: Dataset, transferSyntaxUid: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const chunk of encodeDicom(dataset, { part10: false, transferSyntax: transferSyntaxUid })) {
    if (chunk instanceof BulkDataRef) for await (const c of chunk.chunks()) parts.push(c);
    else parts.push(chunk);
  }
  return Buffer.concat(parts);
}
