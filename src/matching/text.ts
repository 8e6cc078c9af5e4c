/**
 * String helpers shared by the in-memory matcher and the SQL translation, written so that both sides treat text
 * the same way: padding, case folding and what "one character" is.
 */

/**
 * VRs whose leading spaces are insignificant (PS3.5 Table 6.2-1), as the dataset decoder trims them; trailing
 * spaces (and the NULs some writers pad with) are insignificant for every string VR.
 */
const TRIM_LEADING: ReadonlySet<string> = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM']);

/** Removes the padding a decoded value would not have: trailing spaces/NULs, and leading spaces where insignificant. */
export function trimPadding(vr: string, value: string): string {
  let end = value.length;
  while (end > 0) {
    const c = value.charCodeAt(end - 1);
    if (c !== 0x20 && c !== 0) break;
    end--;
  }
  let start = 0;
  if (TRIM_LEADING.has(vr)) while (start < end && value.charCodeAt(start) === 0x20) start++;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/**
 * Case folding for person names: Unicode lower case, the same in every locale (`Müller`, `MÜLLER` and `müller`
 * are one name; so are `Ørsted` and `ØRSTED`). SQL never folds: the index keeps a folded copy of each name column
 * (see `ColumnSpec.folded`), made with this function, so memory and SQL agree on every letter.
 */
export function foldCase(text: string): string {
  return text.toLowerCase();
}

/** The code points of a string: one entry per character as SQLite's GLOB counts them (`?` matches one). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/** Whether the text contains a DICOM wild card (`*` or `?`, PS3.4 C.2.2.2.4). */
export const hasWildcard = (text: string): boolean => text.includes('*') || text.includes('?');

/** A value made only of `*` (at least one): equivalent to Universal Matching (PS3.4 C.2.2.2.4). */
export const isAllStars = (text: string): boolean => /^\*+$/.test(text);
