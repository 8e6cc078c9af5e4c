import type { Dataset } from '../src/data/dataset.js';
import type { Element } from '../src/data/element.js';

/**
 * Forces every element's value (pydicom-style lazy values), recursing into sequence items; with `numbers`, DS and IS
 * are also parsed to numbers. Returns the number of elements (plus numbers) seen.
 */
export function decodeAll(dataset: Dataset, numbers = false): number {
  let n = 0;
  for (const e of dataset) {
    const v = e.value;
    n++;
    if (e.vr === 'SQ') {
      for (const item of v as readonly Dataset[]) n += decodeAll(item, numbers);
    } else if (numbers && (e.vr === 'DS' || e.vr === 'IS')) {
      n += numberCount(e);
    }
  }
  return n;
}

/** DS/IS as numbers; a malformed number (some pydicom test files have them) counts as none instead of throwing. */
function numberCount(e: Element): number {
  try {
    return e.numbers.length;
  } catch {
    return 0;
  }
}
