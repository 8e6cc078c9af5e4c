/**
 * The keys of a Modality Worklist C-FIND (PS3.4 K.2.2.1, C.2.2.2): which of them can be matched, and the response
 * Identifier of an item — exactly the requested keys, with the item's values.
 */
import { DicomError } from '../../core/errors.js';
import { Dataset } from '../../data/dataset.js';
import { Element } from '../../data/element.js';
import { formatTag, isGroupLength, SPECIFIC_CHARACTER_SET, type Tag } from '../../data/tag.js';
import { VR_INFO } from '../../data/vr.js';
import { defaultVr, keywordOf } from '../../dictionary/attributes.js';

/** A key the SCP refuses to process (A900): a sequence key with several items, a value too long to be a key. */
export class WorklistKeyError extends DicomError {
  constructor(
    readonly tag: Tag,
    message: string,
  ) {
    super('ERR_WORKLIST_KEY', message);
  }
}

/** The request Identifier split for matching. */
export interface CheckedQuery {
  /** The Identifier without the keys that cannot be matched (binary values): what `matchConditions` gets. */
  readonly matching: Dataset;
  /** Keys with a value that matching ignores (PS3.4 K.2.2.1.1.2): they are still returned; pendings are then FF01. */
  readonly unsupported: readonly Tag[];
}

/** The keyword (the Offending Element gives the tag), so that the Error Comment's 64 characters say what is wrong. */
const nameOf = (tag: Tag): string => keywordOf(tag) || formatTag(tag);

/**
 * Checks the keys and leaves out those that cannot be matched. A sequence key has one item at most (PS3.4
 * C.2.2.2.6); no value may be longer than `maxKeyLength` characters (no worklist attribute comes near: PN groups are
 * 64 characters, LO 64, UI 64), which keeps hostile queries cheap to match. Throws WorklistKeyError.
 */
export function checkQuery(query: Dataset, maxKeyLength: number): CheckedQuery {
  const unsupported: Tag[] = [];
  const matching = checkLevel(query, maxKeyLength, unsupported);
  return { matching, unsupported };
}

function checkLevel(dataset: Dataset, maxKeyLength: number, unsupported: Tag[]): Dataset {
  const out = new Dataset();
  for (const e of dataset) {
    if (isGroupLength(e.tag)) continue;
    const kind = VR_INFO[e.vr].kind;
    if (kind === 'sequence') {
      const items = e.items;
      if (items.length > 1) throw new WorklistKeyError(e.tag, `${nameOf(e.tag)}: ${items.length} items, one allowed`);
      out.set(e.tag, items.map((item) => checkLevel(item, maxKeyLength, unsupported)), 'SQ');
      continue;
    }
    if (kind === 'binary') {
      const known = e.vr === 'UN' ? asDictionaryVr(e, maxKeyLength) : undefined;
      if (known !== undefined) {
        checkLength(known, maxKeyLength);
        out.add(known);
      } else if (e.vm > 0) {
        // Matching is not defined for OB, OW, UN, ... values (a private key in Implicit VR is UN): return key only.
        unsupported.push(e.tag);
      } else {
        out.add(e);
      }
      continue;
    }
    checkLength(e, maxKeyLength);
    out.add(e);
  }
  return out;
}

function checkLength(e: Element, maxKeyLength: number): void {
  const kind = VR_INFO[e.vr].kind;
  if ((kind !== 'string' && kind !== 'text') || e.tag === SPECIFIC_CHARACTER_SET) return;
  const longest = e.strings.reduce((n, s) => Math.max(n, s.length), 0);
  if (longest > maxKeyLength) throw new WorklistKeyError(e.tag, `${nameOf(e.tag)}: ${longest} characters (a key has at most ${maxKeyLength})`);
}

/**
 * A UN key whose tag the dictionary knows with a string VR, read as that VR (PS3.5 §6.2.2: UN is how an Explicit VR
 * writer sends a value its VR cannot hold, e.g. a PN longer than 64 KiB). Undefined for other UN keys.
 */
function asDictionaryVr(e: Element, maxKeyLength: number): Element | undefined {
  const vr = defaultVr(e.tag);
  const kind = VR_INFO[vr].kind;
  if (kind !== 'string' && kind !== 'text') return undefined;
  const bytes = e.raw ?? (e.value instanceof Uint8Array ? e.value : undefined);
  if (bytes === undefined) return undefined;
  // Bytes before characters: a huge value is refused before it is decoded.
  if (bytes.length > maxKeyLength * 4) throw new WorklistKeyError(e.tag, `${nameOf(e.tag)}: ${bytes.length} bytes (a key has at most ${maxKeyLength} characters)`);
  return Element.fromRaw(e.tag, vr, bytes, 0, bytes.length, e.context);
}

/**
 * The response Identifier of an item (PS3.4 K.2.2.1.2, C.4.1.1.3.2): every key of the request, no other
 * attribute; the item's value when it has the attribute, else a zero-length value. A sequence key with items gets
 * each of the item's items reduced to the requested sub-keys; a sequence key with no item or an empty item (universal
 * matching) gets the item's sequence whole. Specific Character Set is left to the encoder.
 */
export function responseIdentifier(query: Dataset, item: Dataset | undefined): Dataset {
  const out = new Dataset();
  for (const key of query) {
    if (isGroupLength(key.tag) || key.tag === SPECIFIC_CHARACTER_SET) continue;
    const value = item?.get(key.tag);
    if (key.vr === 'SQ') {
      const items = value?.vr === 'SQ' ? value.items : [];
      const subKeys = key.items[0];
      out.set(key.tag, subKeys === undefined || subKeys.size === 0 ? [...items] : items.map((i) => responseIdentifier(subKeys, i)), 'SQ');
      continue;
    }
    if (value !== undefined && value.vr !== 'SQ') out.add(value);
    else out.set(key.tag, undefined, key.vr);
  }
  return out;
}
