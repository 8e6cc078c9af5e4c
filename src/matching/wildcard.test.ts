import { describe, expect, it } from 'vitest';
import { compileWildcard, matchesWildcard } from './wildcard.js';

const m = (pattern: string, text: string): boolean => matchesWildcard(compileWildcard(pattern), text);

describe('matchesWildcard (PS3.4 C.2.2.2.4)', () => {
  it('* matches any sequence, including none', () => {
    expect(m('*', '')).toBe(true);
    expect(m('a*', 'a')).toBe(true);
    expect(m('a*', 'abc')).toBe(true);
    expect(m('*c', 'abc')).toBe(true);
    expect(m('a*c', 'ac')).toBe(true);
    expect(m('a*c', 'abcb')).toBe(false);
    expect(m('*b*', 'abc')).toBe(true);
    expect(m('*b*', 'ac')).toBe(false);
  });

  it('? matches exactly one character', () => {
    expect(m('?', '')).toBe(false);
    expect(m('?', 'a')).toBe(true);
    expect(m('?', 'ab')).toBe(false);
    expect(m('a?c', 'abc')).toBe(true);
    expect(m('??*', 'a')).toBe(false);
  });

  it('one character is one code point: ? matches an astral character and a CJK one', () => {
    expect(m('?', '😀')).toBe(true);
    expect(m('??', '😀')).toBe(false);
    expect(m('山?', '山田')).toBe(true);
  });

  it('every other character is literal, SQL and regex metacharacters included', () => {
    for (const c of ['%', '_', '[', ']', '.', '+', '(', '\\', "'", '^', '$', '|']) {
      expect(m(`a${c}*`, `a${c}b`), c).toBe(true);
      expect(m(`a${c}*`, 'axb'), c).toBe(false);
    }
  });

  it('is case-sensitive (callers fold case first)', () => {
    expect(m('ab*', 'AB')).toBe(false);
  });

  it('backtracks to the last star only, and still finds matches that need it', () => {
    expect(m('*ab*ab', 'aabab')).toBe(true);
    expect(m('a*b*c*d', 'abxbcxcd')).toBe(true);
    expect(m('a*b*c*d', 'abxbcxc')).toBe(false);
  });

  it('is not exponential: 1000 stars against 64 KiB', () => {
    const text = 'a'.repeat(64 * 1024);
    expect(m(`${'*a'.repeat(1000)}*b`, text)).toBe(false);
    expect(m(`${'*a'.repeat(1000)}*`, text)).toBe(true);
    expect(m(`${'*'.repeat(1000)}b`, text)).toBe(false);
  });
});
