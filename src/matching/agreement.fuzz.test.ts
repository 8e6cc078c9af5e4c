import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset.js';
import { dataset } from './cases.js';
import { type MatchOptions, MatchingError } from './condition.js';
import { CandidateTable, matchingInMemory } from './test-database.js';

/**
 * Property: for random stored values and random keys, SQL (plus the residual conditions in memory) selects exactly
 * the candidates the in-memory matcher accepts. `npm test` runs a bounded number of cases; `npm run fuzz` sets
 * FUZZ_RUNS for many more.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

// Characters that stress the translation: ASCII case pairs, non-ASCII case pairs (folded by neither side), CJK and
// an astral character (one `?` each), SQL LIKE/GLOB metacharacters, the PN delimiters, a quote.
const TEXT = ['a', 'A', 'b', 'B', 'é', 'É', 'é', 'É', '山', '😀', '%', '_', '[', ']', "'", '^', '-', '.', '1', ' '];
const text = (chars: readonly string[], maxLength: number) => fc.string({ unit: fc.constantFrom(...chars), maxLength });
const stored = (chars: readonly string[], maxLength: number) => text(chars, maxLength).map((s) => s.trim());
const key = (chars: readonly string[], maxLength: number) => text([...chars, '*', '*', '?'], maxLength);

const PN_TEXT = TEXT.filter((c) => c !== ' ');
const personName = fc.array(stored(PN_TEXT, 5), { minLength: 1, maxLength: 3 }).map((groups) => groups.join('='));
const personKey = fc.array(key(PN_TEXT.filter((c) => c !== '^'), 4), { minLength: 1, maxLength: 3 }).map((groups) => groups.join('='));
const CODES = ['C', 'T', 'M', 'R', 'c', 'é', '[', '%'];

const DATES = ['20231231', '20240101', '20240115', '20240229', '20240301'];
const TIMES = ['00', '07', '0730', '073015', '073015.5', '073015.123456', '12', '2359', '235959.999999'];
const DATE_TIMES = ['2023', '202401', '20240115', '2024011507', '20240115073015', '20240115073015.123', '20240115073015.5+0100', '20240101-0500'];
const storedOf = (valid: readonly string[], junk: readonly string[]) => fc.constantFrom(...valid, ...junk, '');
const rangeOf = (values: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...values),
    fc.tuple(fc.constantFrom(...values), fc.constantFrom(...values)).map(([a, b]) => `${a}-${b}`),
    fc.constantFrom(...values).map((a) => `${a}-`),
    fc.constantFrom(...values).map((b) => `-${b}`),
  );

const candidate = fc.record({
  PatientName: fc.oneof(personName, fc.constant('')),
  OtherPatientNames: fc.array(personName, { maxLength: 3 }),
  StudyDescription: stored(TEXT, 8),
  ModalitiesInStudy: fc.array(stored(CODES, 3), { maxLength: 3 }),
  StudyDate: storedOf(DATES, ['2024.01.15', '2024011', 'x']),
  StudyTime: storedOf(TIMES, ['7', '07:30', '073015.', '0730.5']),
  AcquisitionDateTime: storedOf(DATE_TIMES, ['20240115.5', '2024-01-15', '20240115+01']),
});

const query = fc.record(
  {
    PatientName: personKey,
    OtherPatientNames: personKey,
    StudyDescription: key(TEXT, 6),
    ModalitiesInStudy: fc.oneof(key(CODES, 4), fc.array(stored(CODES, 2), { minLength: 2, maxLength: 3 }).map((v) => v.join('\\'))),
    StudyDate: rangeOf(DATES),
    StudyTime: rangeOf(TIMES),
    AcquisitionDateTime: rangeOf(DATE_TIMES),
  },
  { requiredKeys: [] },
);

const options = fc.record({ caseInsensitivePersonName: fc.boolean(), combineDateTime: fc.boolean() });

let table: CandidateTable;
beforeAll(() => {
  table = new CandidateTable();
});
afterAll(async () => {
  await table.close();
});

/** Null when the key is one matchConditions refuses (both sides would throw the same MatchingError). */
function inMemory(corpus: Record<string, Dataset>, q: Dataset, opts: MatchOptions): string[] | null {
  try {
    return matchingInMemory(corpus, q, opts);
  } catch (error) {
    if (error instanceof MatchingError) return null;
    throw error;
  }
}

describe('fuzz: SQL and memory agree', () => {
  it('on random stored values, keys and options', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(candidate, { minLength: 1, maxLength: 6 }), query, options, async (rows, q, opts) => {
        const corpus = Object.fromEntries(rows.map((r, i) => [`r${i}`, dataset(r)]));
        const identifier = dataset(q);
        const expected = inMemory(corpus, identifier, opts);
        fc.pre(expected !== null);
        table.load(corpus);
        expect(await table.matching(identifier, opts)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('on random wild card patterns against one text column and one multi-valued column', async () => {
    const values = fc.array(stored(TEXT, 6), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(values, key(TEXT, 8), fc.array(stored(CODES, 3), { maxLength: 3 }), key(CODES, 5), async (texts, pattern, codes, codeKey) => {
        const corpus = Object.fromEntries(texts.map((t, i) => [`r${i}`, dataset({ StudyDescription: t, PatientComments: ` ${t}`.trimEnd(), ModalitiesInStudy: codes.slice(0, i % 4) })]));
        for (const q of [{ StudyDescription: pattern }, { ModalitiesInStudy: codeKey }, { PatientComments: pattern }]) {
          const identifier = dataset(q);
          const expected = inMemory(corpus, identifier, {});
          if (expected === null) continue;
          table.load(corpus);
          expect(await table.matching(identifier), JSON.stringify(q)).toEqual(expected);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('on keys derived from the stored values (near misses: case changed, characters replaced by wild cards)', async () => {
    const edits = fc.array(fc.constantFrom('keep', 'keep', 'keep', 'case', '?', '*', 'drop', 'star'), { minLength: 1, maxLength: 24 });
    const sources = (row: Record<string, string | readonly string[]>): Record<string, string[]> => {
      const name = row.PatientName as string;
      const others = row.OtherPatientNames as readonly string[];
      const codes = row.ModalitiesInStudy as readonly string[];
      return {
        // A whole name, one group, groups run together (a pattern that would have to cross a `=`).
        PatientName: [name, ...name.split('='), name.split('=').join('')],
        OtherPatientNames: [...others, others.join(''), ...others.flatMap((o) => o.split('='))],
        StudyDescription: [row.StudyDescription as string],
        // One value, or two run together (a pattern that would have to cross a `\`).
        ModalitiesInStudy: [...codes, codes.join('')],
      };
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(candidate, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('PatientName', 'OtherPatientNames', 'StudyDescription', 'ModalitiesInStudy'),
        fc.nat(),
        fc.nat(),
        edits,
        fc.boolean(),
        async (rows, keyword, rowPick, sourcePick, ops, caseInsensitivePersonName) => {
          const candidates = sources(rows[rowPick % rows.length]! as never)[keyword]!.filter((s) => s !== '');
          fc.pre(candidates.length > 0);
          const key = derive(candidates[sourcePick % candidates.length]!, ops);
          const corpus = Object.fromEntries(rows.map((r, i) => [`r${i}`, dataset(r)]));
          const identifier = dataset({ [keyword]: key });
          const opts = { caseInsensitivePersonName };
          const expected = inMemory(corpus, identifier, opts);
          fc.pre(expected !== null);
          table.load(corpus);
          expect(await table.matching(identifier, opts), key).toEqual(expected);
        },
      ),
      { numRuns: RUNS * 4 },
    );
  });
});

/** A key made from a stored value by per-character edits (cycled over the value). */
function derive(source: string, ops: readonly string[]): string {
  let out = '';
  Array.from(source).forEach((c, i) => {
    switch (ops[i % ops.length]) {
      case 'case':
        out += c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
        break;
      case '?':
        out += '?';
        break;
      case '*':
        out += '*';
        break;
      case 'drop':
        break;
      case 'star':
        out += `*${c}`;
        break;
      default:
        out += c;
    }
  });
  return out;
}
