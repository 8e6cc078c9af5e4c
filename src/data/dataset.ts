import { DicomValueError } from '../core/errors.js';
import { defaultVr, parseTagKey } from '../dictionary/attributes.js';
import { SpecificCharacterSet } from './charset/specific-character-set.js';
import { Element, type ElementValue } from './element.js';
import {
  formatTag,
  makeTag,
  privateCreatorTagOf,
  SPECIFIC_CHARACTER_SET,
  type Tag,
  tagElement,
  tagGroup,
} from './tag.js';
import type { VR } from './vr.js';

/** A tag number, or a keyword / `gggg,eeee` string resolved through the dictionary. */
export type TagKey = Tag | string;
const toTag = (key: TagKey): Tag => (typeof key === 'number' ? key : parseTagKey(key));

/** A JS value accepted by `Dataset.set`: converted to the element value for the VR. */
export type SettableValue = ElementValue | string | number | bigint | undefined | null | readonly (string | number)[];

/**
 * A dataset: elements in ascending tag order (PS3.5 §7.1), items of sequences, and the private creator blocks
 * that give private elements their meaning.
 */
export class Dataset implements Iterable<Element> {
  #elements = new Map<Tag, Element>();
  #sorted = true;
  #last = -1;
  /** For items: whether the item was read with undefined length (kept for lossless round trips); unset for new items. */
  undefinedLength: boolean | undefined;

  get size(): number {
    return this.#elements.size;
  }

  /** Adds or replaces an element. The reader calls this in ascending order, which keeps iteration cheap. */
  add(element: Element): this {
    if (element.tag <= this.#last) {
      if (!this.#elements.has(element.tag)) this.#sorted = false;
    } else {
      this.#last = element.tag;
    }
    this.#elements.set(element.tag, element);
    return this;
  }

  /** Sets a value by tag or keyword; the VR comes from the dictionary unless given. `undefined`/`null` = empty value. */
  set(key: TagKey, value: SettableValue, vr?: VR): Element {
    const tag = toTag(key);
    const theVr = vr ?? defaultVr(tag);
    const element = new Element(tag, theVr, toElementValue(tag, theVr, value));
    this.add(element);
    return element;
  }

  get(key: TagKey): Element | undefined {
    return this.#elements.get(toTag(key));
  }

  has(key: TagKey): boolean {
    return this.#elements.has(toTag(key));
  }

  delete(key: TagKey): boolean {
    return this.#elements.delete(toTag(key));
  }

  /** First value as a string (undefined when absent or empty). */
  string(key: TagKey): string | undefined {
    return this.get(key)?.string;
  }

  strings(key: TagKey): readonly string[] {
    return this.get(key)?.strings ?? [];
  }

  number(key: TagKey): number | undefined {
    return this.get(key)?.number;
  }

  items(key: TagKey): readonly Dataset[] {
    return this.get(key)?.items ?? [];
  }

  /** The character set declared by this dataset's (0008,0005), if any (items inherit their parent's otherwise). */
  get specificCharacterSet(): SpecificCharacterSet | undefined {
    const e = this.#elements.get(SPECIFIC_CHARACTER_SET);
    return e ? SpecificCharacterSet.fromLenient(e.strings) : undefined;
  }

  /** Elements in ascending tag order. */
  [Symbol.iterator](): IterableIterator<Element> {
    if (!this.#sorted) this.#sort();
    return this.#elements.values();
  }

  tags(): Tag[] {
    if (!this.#sorted) this.#sort();
    return [...this.#elements.keys()];
  }

  #sort(): void {
    const entries = [...this.#elements.entries()].sort((a, b) => a[0] - b[0]);
    this.#elements = new Map(entries);
    this.#sorted = true;
    this.#last = entries.length ? entries[entries.length - 1]![0] : -1;
  }

  /** The private creator string of the block a private element belongs to: `(0029,1010)` → value of `(0029,0010)`. */
  privateCreatorOf(tag: Tag): string | undefined {
    const creatorTag = privateCreatorTagOf(tag);
    return creatorTag === undefined ? undefined : this.#elements.get(creatorTag)?.string;
  }

  /**
   * The tag of private element `offset` (0x00–0xFF) of `creator` in `group`, e.g. ('SIEMENS CSA HEADER', 0x0029, 0x10)
   * → (0029,1010) when (0029,0010) holds that creator. With `reserve`, a free block is claimed when the creator has none.
   */
  privateTag(group: number, creator: string, offset: number, reserve = false): Tag | undefined {
    if ((group & 1) === 0 || offset < 0 || offset > 0xff) throw new DicomValueError('LO', `not a private group/offset: ${group}/${offset}`);
    let free: number | undefined;
    for (let block = 0x10; block <= 0xff; block++) {
      const e = this.#elements.get(makeTag(group, block));
      if (e === undefined) {
        free ??= block;
        continue;
      }
      if (e.string === creator) return makeTag(group, (block << 8) | offset);
    }
    if (!reserve || free === undefined) return undefined;
    this.set(makeTag(group, free), creator, 'LO');
    return makeTag(group, (free << 8) | offset);
  }

  /** A deep-enough copy: elements are shared (their values are immutable), sequences get new item lists. */
  clone(): Dataset {
    const copy = new Dataset();
    copy.undefinedLength = this.undefinedLength;
    for (const e of this) copy.add(e);
    return copy;
  }
}

function toElementValue(tag: Tag, vr: VR, value: SettableValue): ElementValue {
  if (value === undefined || value === null) return [];
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return vr === 'LT' || vr === 'ST' || vr === 'UT' || vr === 'UR' ? [value] : value.split('\\');
  if (typeof value === 'number') return isStringVr(vr) ? [String(value)] : [value];
  if (typeof value === 'bigint') return [value];
  if (Array.isArray(value)) {
    if (isStringVr(vr)) return value.map((v) => String(v));
    if (vr === 'SV' || vr === 'UV') return value.map((v) => BigInt(v as number));
    return value as ElementValue;
  }
  if (typeof value === 'object') return value as ElementValue;
  throw new DicomValueError(vr, `${formatTag(tag)}: cannot set ${typeof value} (group ${tagGroup(tag)}, element ${tagElement(tag)})`);
}

const STRING_VRS: ReadonlySet<VR> = new Set<VR>([
  'AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT',
]);
const isStringVr = (vr: VR): boolean => STRING_VRS.has(vr);
