/**
 * The data dictionary (PS3.6 Tables 6-1, 7-1, 8-1, 9-1): tag ↔ keyword, name, VR and VM.
 * The data is generated (./generated/attributes.ts); the lookup maps are built on first use.
 */
import { DictionaryError } from '../core/errors.js';
import type { Tag } from '../data/tag.js';
import { formatTag, isPrivateCreator, isPrivateTag, parseTagHex } from '../data/tag.js';
import type { VR } from '../data/vr.js';
import { ATTRIBUTES, REPEATING_ATTRIBUTES } from './generated/attributes.js';

export interface AttributeEntry {
  /** The tag; for a repeating-group entry, the pattern with the repeating digits set to 0 (`0x60003000`). */
  readonly tag: Tag;
  /** `PatientName`; '' for the few retired elements the standard left without a keyword. */
  readonly keyword: string;
  readonly name: string;
  /** The allowed VRs, the first being the default; empty for Item and the delimitation items, which have no VR. */
  readonly vrs: readonly VR[];
  /** `1`, `1-n`, `2-2n`, … as PS3.6 writes it. */
  readonly vm: string;
  readonly retired: boolean;
  /** Repeating-group entries only (`(60xx,3000)`): the entry matches a tag `t` when `(t & mask) === tag`. */
  readonly mask?: number;
}

interface Tables {
  readonly byTag: ReadonlyMap<Tag, AttributeEntry>;
  readonly byKeyword: ReadonlyMap<string, Tag>;
  readonly repeating: readonly (AttributeEntry & { readonly mask: number })[];
}

let tables: Tables | undefined;

function build(): Tables {
  const vrLists = new Map<string, readonly VR[]>();
  const vrsOf = (text: string): readonly VR[] => {
    let list = vrLists.get(text);
    if (list === undefined) {
      // The generator checked every VR against PS3.5; '' is "no VR".
      list = Object.freeze(text === '' ? [] : (text.split('|') as VR[]));
      vrLists.set(text, list);
    }
    return list;
  };
  const byTag = new Map<Tag, AttributeEntry>();
  const byKeyword = new Map<string, Tag>();
  for (const [tag, keyword, name, vr, vm, retired] of ATTRIBUTES) {
    byTag.set(tag, Object.freeze({ tag, keyword, name, vrs: vrsOf(vr), vm, retired: retired === 1 }));
    if (keyword !== '') byKeyword.set(keyword, tag);
  }
  const repeating = REPEATING_ATTRIBUTES.map(([tag, mask, keyword, name, vr, vm, retired]) => {
    if (keyword !== '') byKeyword.set(keyword, tag);
    return Object.freeze({ tag, mask, keyword, name, vrs: vrsOf(vr), vm, retired: retired === 1 });
  });
  return { byTag, byKeyword, repeating };
}

const getTables = (): Tables => (tables ??= build());

const UL: readonly VR[] = Object.freeze(['UL']);
const LO: readonly VR[] = Object.freeze(['LO']);

function matchRepeating(t: Tables, tag: Tag): AttributeEntry | undefined {
  // Every repeating entry is in an even (standard) group; private tags never match.
  if (((tag >>> 16) & 1) === 1) return undefined;
  for (const entry of t.repeating) if (((tag & entry.mask) >>> 0) === entry.tag) return entry;
  return undefined;
}

/**
 * The dictionary entry of a tag: the exact entry, else a group length `(gggg,0000)` (`GenericGroupLength`, UL),
 * a Private Creator `(gggg,0010-00FF)` in a private group (LO), or a repeating-group entry (`(6002,3000)` →
 * `OverlayData`). Private data elements and unknown tags give undefined.
 */
export function lookupTag(tag: Tag): AttributeEntry | undefined {
  const t = getTables();
  const exact = t.byTag.get(tag);
  if (exact !== undefined) return exact;
  if ((tag & 0xffff) === 0) {
    // Group lengths are retired except in the command (0000) and file meta (0002) groups (PS3.5 §7.2).
    const group = tag >>> 16;
    const retired = group !== 0x0000 && group !== 0x0002;
    return { tag, keyword: 'GenericGroupLength', name: 'Generic Group Length', vrs: UL, vm: '1', retired };
  }
  if (isPrivateCreator(tag)) {
    return { tag, keyword: 'PrivateCreator', name: 'Private Creator', vrs: LO, vm: '1', retired: false };
  }
  return matchRepeating(t, tag);
}

/** `PatientName` → `0x00100010`; repeating-group keywords give the group `xx00` (`OverlayData` → `0x60003000`). */
export function tagForKeyword(keyword: string): Tag | undefined {
  return getTables().byKeyword.get(keyword);
}

/** The keyword of a tag, or '' when the dictionary does not know it. */
export function keywordOf(tag: Tag): string {
  return lookupTag(tag)?.keyword ?? '';
}

/**
 * The VR to use when none is encoded (Implicit VR): the entry's first VR, `UN` for unknown and private data
 * elements and for Item and the delimitation items. On the parser's hot path: no allocation.
 */
export function defaultVr(tag: Tag): VR {
  const t = getTables();
  const exact = t.byTag.get(tag);
  if (exact !== undefined) return exact.vrs[0] ?? 'UN';
  if ((tag & 0xffff) === 0) return 'UL';
  if (isPrivateTag(tag)) return isPrivateCreator(tag) ? 'LO' : 'UN';
  return matchRepeating(t, tag)?.vrs[0] ?? 'UN';
}

/**
 * A tag from a keyword (`PatientName`) or its hex form (`00100010`, `0010,0010`, `(0010,0010)`, `0x00100010`).
 * Throws DictionaryError when it is neither.
 */
export function parseTagKey(text: string): Tag {
  const key = text.trim();
  const hex = parseTagHex(key);
  if (hex !== undefined) return hex;
  const tag = tagForKeyword(key);
  if (tag !== undefined) return tag;
  const lower = key.toLowerCase();
  let suggestion = '';
  for (const [keyword, t] of getTables().byKeyword) {
    if (keyword.toLowerCase() === lower) {
      suggestion = ` Did you mean ${keyword} ${formatTag(t)}?`;
      break;
    }
  }
  throw new DictionaryError(
    `Unknown tag "${text}": expected a data dictionary keyword (e.g. PatientName) or a tag as gggg,eeee.${suggestion}`,
  );
}
