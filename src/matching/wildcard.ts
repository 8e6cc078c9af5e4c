/**
 * Wild Card Matching (PS3.4 C.2.2.2.4): `*` matches any sequence of characters (including none), `?` matches any
 * single character; every other character matches itself. There is no escape: a `*` or `?` in a key is always a
 * wild card.
 *
 * The matcher is the iterative two-pointer algorithm that remembers only the last `*`: O(pattern × text) in the
 * worst case and never exponential (`*a*a*a…*b` against a long run of `a` is linear per star), with no regular
 * expression and no recursion. Characters are code points, as in SQLite's GLOB, so `?` matches one emoji too.
 */
import { codePoints } from './text.js';

/** A compiled pattern: its code points, consecutive stars collapsed (they mean the same). */
export interface WildcardPattern {
  readonly chars: readonly string[];
}

export function compileWildcard(pattern: string): WildcardPattern {
  const chars: string[] = [];
  for (const c of codePoints(pattern)) {
    if (c === '*' && chars[chars.length - 1] === '*') continue;
    chars.push(c);
  }
  return { chars };
}

/** Does the whole `text` match the pattern? Both are compared as given (fold case before calling). */
export function matchesWildcard(pattern: WildcardPattern, text: string): boolean {
  const p = pattern.chars;
  const t = codePoints(text);
  let pi = 0;
  let ti = 0;
  let star = -1;
  let resume = 0;
  while (ti < t.length) {
    const c = p[pi];
    if (c === '*') {
      star = pi++;
      resume = ti;
    } else if (c !== undefined && (c === '?' || c === t[ti])) {
      pi++;
      ti++;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++resume;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

