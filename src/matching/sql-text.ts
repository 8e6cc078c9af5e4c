/**
 * SQL building blocks for text matching on stored strings (SQLite dialect; see sql.ts for what PostgreSQL needs).
 *
 * Stored values are decoded Unicode strings; a multi-valued column holds its values `\`-joined. Key values only
 * ever travel as bound parameters. Wild cards become GLOB patterns, which are case-sensitive and count characters
 * as code points, like the in-memory matcher: `*` → `*`, `?` → `?` (or `[^\]` when it must not cross a value
 * boundary), and the one GLOB metacharacter a DICOM key can hold literally, `[`, → `[[]` (`*` and `?` in a key are
 * always wild cards; `]`, `%`, `_`, `'` and `\` are plain characters to GLOB).
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { codePoints } from './text.js';

export type Expr = RawBuilder<unknown>;
export type Predicate = RawBuilder<SqlBool>;

/** A DICOM wild card pattern as a GLOB pattern; with `withinValue`, `?` never matches the `\` between values. */
export function globPattern(pattern: string, withinValue = false): string {
  let out = '';
  for (const c of codePoints(pattern)) {
    if (c === '[') out += '[[]';
    else if (c === '?') out += withinValue ? '[^\\]' : '?';
    else out += c;
  }
  return out;
}

/** `'\' || x || '\'`: a `\`-joined list with a delimiter on each side, so every value is found as `\value\`. */
export const delimited = (x: Expr): Expr => sql`('\\' || ${x} || '\\')`;

/**
 * Some `\`-separated piece of `list` satisfies `test`: the list is split by a recursive CTE (a correlated
 * subquery), each non-empty piece tested. Used only where a single GLOB cannot be exact.
 */
export function anyPiece(list: Expr, test: (piece: Expr) => Predicate): Predicate {
  const piece = sql.ref('portico_split.portico_piece');
  return sql<SqlBool>`EXISTS (WITH RECURSIVE portico_split(portico_rest, portico_piece) AS (
SELECT ${list} || '\\', NULL
UNION ALL
SELECT substr(portico_rest, instr(portico_rest, '\\') + 1), substr(portico_rest, 1, instr(portico_rest, '\\') - 1)
FROM portico_split WHERE portico_rest <> '')
SELECT 1 FROM portico_split WHERE ${piece} <> '' AND ${test(piece)})`;
}

/**
 * Some `\`-separated piece of `list` matches the wild card `pattern` (no piece reaching across a `\`). One GLOB
 * over the delimited list is exact when the pattern has at most one stretch of characters between its stars
 * (`AB*`, `*AB`, `*A?B*`, `A?B`): that stretch cannot hold a `\`, so it lies inside one value. With two or more
 * (`A*B`), a star could span a `\`, so the list is split (anyPiece).
 */
export function anyPieceMatches(list: Expr, pattern: string): Predicate {
  const segments = pattern.split('*');
  const stretches = segments.filter((s) => s !== '').length;
  if (stretches === 0) return sql<SqlBool>`${delimited(list)} GLOB '*[^\\]*'`;
  if (stretches === 1) {
    const head = segments[0] === '' ? '' : '*\\';
    const tail = segments[segments.length - 1] === '' ? '' : '\\*';
    return sql<SqlBool>`${delimited(list)} GLOB ${head + globPattern(pattern, true) + tail}`;
  }
  return anyPiece(list, (piece) => sql<SqlBool>`${piece} GLOB ${globPattern(pattern)}`);
}

/** Some `\`-separated piece of `list` equals `value` exactly (which holds no `\`). */
export const anyPieceEquals = (list: Expr, value: Expr): Predicate =>
  sql<SqlBool>`instr(${delimited(list)}, '\\' || ${value} || '\\') > 0`;

/** Component group `index` (0–2) of a PN value: the text between the index-th and next `=` ('' when missing). */
export function personNameGroup(value: Expr, index: number): Expr {
  let x = value;
  for (let i = 0; i < index; i++) x = sql`(CASE WHEN instr(${x}, '=') = 0 THEN '' ELSE substr(${x}, instr(${x}, '=') + 1) END)`;
  return sql`(CASE WHEN instr(${x}, '=') = 0 THEN ${x} ELSE substr(${x}, 1, instr(${x}, '=') - 1) END)`;
}
