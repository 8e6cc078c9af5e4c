/**
 * Person Name matching (PS3.4 C.2.2.2.1 and C.2.2.2.4 leave PN rules to the implementation; these are Portico's,
 * for its conformance statement).
 *
 * A stored name may hold up to three component groups, `Alphabetic=Ideographic=Phonetic` (PS3.5 §6.2.1):
 * `Yamada^Tarou=山田^太郎=やまだ^たろう`.
 * - A key without `=` matches a name when it matches ANY ONE of the name's component groups on its own: `Yamada^Tarou`,
 *   `山田^太郎`, `やまだ*` and `*Tarou` all match the name above. A wild card never reaches across a `=`, so
 *   `Yamada*たろう` does not match it.
 * - A key with `=` is matched group by group: key group 1 against the alphabetic group, 2 against the ideographic,
 *   3 against the phonetic; an empty key group matches anything (`=山田^太郎` asks for the ideographic group only).
 *   A key with more than three groups is an error; a key whose groups are all empty or `*` is universal.
 * - Case: by default (`caseInsensitivePersonName`) letters match regardless of case, all of Unicode (`SMITH` =
 *   `smith`, `MÜLLER` = `Müller`; folded with `foldCase`); the SQL translation compares a folded copy of the column
 *   with the folded key. Off: everything is case-sensitive.
 * - Components are compared as written: `Smith^John` does not match `Smith^John^^` (trailing empty components are
 *   not removed), nor `SMITH^JOHN ` with inner spaces; a stored empty name matches nothing but universal keys.
 */
import { compileWildcard, matchesWildcard } from './wildcard.js';
import { foldCase } from './text.js';

/** A compiled PN key: a test for one stored value (already padding-free). */
export type PersonNameTest = (stored: string) => boolean;

/** A key value (single or wild card) as a test of stored names, following the rules above. */
export function personNameTest(key: string, wildcard: boolean, caseInsensitive: boolean): PersonNameTest {
  const fold = caseInsensitive ? foldCase : (s: string) => s;
  const textTest = (group: string): ((text: string) => boolean) => {
    const folded = fold(group);
    if (!wildcard) return (text) => text === folded;
    const pattern = compileWildcard(folded);
    return (text) => matchesWildcard(pattern, text);
  };
  if (!key.includes('=')) {
    const test = textTest(key);
    return (stored) => stored !== '' && fold(stored).split('=').some((g) => g !== '' && test(g));
  }
  const tests = key.split('=').map((g) => (g === '' ? undefined : textTest(g)));
  return (stored) => {
    if (stored === '') return false;
    const groups = fold(stored).split('=');
    return tests.every((test, i) => test === undefined || test(groups[i] ?? ''));
  };
}
