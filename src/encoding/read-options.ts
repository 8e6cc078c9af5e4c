import type { Tag } from '../data/tag.js';

/** Options of every read function. All limits exist so that hostile input cannot make the reader hang or allocate. */
export interface ReadOptions {
  /** Stop before the first top-level element whose tag is ≥ this one. */
  readonly stopAtTag?: Tag;
  /** Stop before Pixel Data (and Float/Double Float Pixel Data). */
  readonly stopBeforePixels?: boolean;
  /** Deepest sequence nesting accepted (default 128). */
  readonly maxDepth?: number;
  /**
   * Reading a file: binary values (OB OW OF OD OL OV UN, Pixel Data fragments) at least this long are not read
   * but referenced by offset (BulkDataRef). Default 1 MiB. Use Infinity to load everything.
   */
  readonly bulkDataThreshold?: number;
  /** Largest inflated size of a Deflated Explicit VR Little Endian dataset (default 256 MiB). */
  readonly maxInflatedSize?: number;
  /** Largest single value accepted from a stream, where values cannot stay in place (default 2 GiB). */
  readonly maxValueLength?: number;
}

export const DEFAULT_MAX_DEPTH = 128;
export const DEFAULT_BULK_THRESHOLD = 1 << 20;
export const DEFAULT_MAX_INFLATED = 256 * 1024 * 1024;
export const DEFAULT_MAX_VALUE_LENGTH = 2 ** 31;
