/**
 * The attributes of one matched entity (a patient, study, series or instance row of the index): what the row holds
 * or the index computes, and — only when a key needs it — what a stored file of the entity holds (the instance
 * itself at IMAGE level, the entity's first instance above it), read once, up to the pixel data.
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../../core/logging.js';
import { Dataset } from '../../data/dataset.js';
import { Element } from '../../data/element.js';
import { SPECIFIC_CHARACTER_SET, type Tag } from '../../data/tag.js';
import { readFile } from '../../encoding/read.js';
import type { MatchCondition } from '../../matching/condition.js';
import { QUERY_RETRIEVE_LEVEL, type QueryRetrieveLevel, UNIQUE_KEY } from '../../services/query-retrieve/levels.js';
import type { IndexDatabase } from '../index/schema.js';
import { type IndexRow, isIndexed, rowId, rowValues, SOP_CLASSES_IN_STUDY } from './index-attributes.js';
import { firstInstancePath, sopClassesOfStudy } from './level-sql.js';

export interface EntityContext {
  readonly db: Kysely<IndexDatabase>;
  /** The absolute path of a path the index records (relative to the data folder). */
  readonly resolvePath: (relative: string) => string;
  readonly logger: Logger;
}

/** The tags a condition reads. */
export const conditionTags = (c: MatchCondition): readonly Tag[] => (c.kind === 'date-time-range' ? [c.dateTag, c.timeTag] : [c.tag]);

/** One matched row, with its stored file read on demand (at most once). */
export class Entity {
  #file: Promise<Dataset | undefined> | undefined;
  #sopClasses: Promise<string[]> | undefined;

  constructor(
    readonly context: EntityContext,
    readonly level: QueryRetrieveLevel,
    readonly row: IndexRow,
  ) {}

  /** The values the index gives for a key at this level, or undefined when only a file has it. */
  async indexed(key: Tag): Promise<readonly string[] | undefined> {
    if (!isIndexed(this.level, key)) return undefined;
    if (key === SOP_CLASSES_IN_STUDY) return (this.#sopClasses ??= sopClassesOfStudy(this.context.db, rowId(this.row, 'studies')));
    return rowValues(this.level, this.row, key);
  }

  /** The dataset of a stored file of the entity (up to the pixel data), or undefined when it cannot be read. */
  file(): Promise<Dataset | undefined> {
    this.#file ??= this.#readFile();
    return this.#file;
  }

  async #readFile(): Promise<Dataset | undefined> {
    const relative = await firstInstancePath(this.context.db, this.level, this.row);
    if (relative === undefined) return undefined;
    try {
      return (await readFile(this.context.resolvePath(relative), { stopBeforePixels: true })).dataset;
    } catch (error) {
      this.context.logger.warn({ file: relative, err: (error as Error).message }, 'query: a stored file cannot be read; its keys are returned empty');
      return undefined;
    }
  }

  /** A dataset with the attributes the conditions read: the index's values, else the file's elements. */
  async candidate(conditions: readonly MatchCondition[]): Promise<Dataset> {
    const out = new Dataset();
    for (const c of conditions) {
      for (const key of conditionTags(c)) {
        if (out.has(key)) continue;
        const values = await this.indexed(key);
        if (values !== undefined) out.set(key, [...values]);
        else {
          const element = (await this.file())?.get(key);
          if (element) out.add(element);
        }
      }
    }
    return out;
  }

  /**
   * The response Identifier: every key of the request with this entity's values (zero length when it has none), and
   * the level's unique key. A sequence key with an item of keys returns each item reduced to those keys.
   */
  async match(identifier: Dataset): Promise<Dataset> {
    const out = new Dataset();
    for (const key of identifier) {
      if (key.tag === SPECIFIC_CHARACTER_SET || key.tag === QUERY_RETRIEVE_LEVEL || (key.tag & 0xffff) === 0) continue;
      const values = await this.indexed(key.tag);
      if (values !== undefined) {
        out.set(key.tag, [...values]);
        continue;
      }
      const element = (await this.file())?.get(key.tag);
      if (element === undefined) out.set(key.tag, undefined, key.vr);
      else if (element.vr === 'SQ' && key.vr === 'SQ' && key.items.length === 1 && key.items[0]!.size > 0) out.add(reducedSequence(element, key.items[0]!));
      else out.add(element);
    }
    const unique = UNIQUE_KEY[this.level];
    if (!out.has(unique)) out.set(unique, [...(rowValues(this.level, this.row, unique) ?? [])]);
    return out;
  }
}

/** The items of a stored sequence with only the attributes the request's item names (zero length when absent). */
function reducedSequence(stored: Element, requested: Dataset): Element {
  const items = stored.items.map((item) => {
    const reduced = new Dataset();
    for (const key of requested) {
      const element = item.get(key.tag);
      if (element === undefined) reduced.set(key.tag, undefined, key.vr);
      else if (element.vr === 'SQ' && key.vr === 'SQ' && key.items.length === 1 && key.items[0]!.size > 0) reduced.add(reducedSequence(element, key.items[0]!));
      else reduced.add(element);
    }
    return reduced;
  });
  return new Element(stored.tag, 'SQ', items);
}
