/**
 * Matching conditions as SQL (kysely `sql` fragments) over an index whose columns hold decoded Unicode strings:
 * `\`-joined when multi-valued, '' when absent, DA/TM/DT as their DICOM text. The WHERE clause selects exactly the
 * rows the in-memory matcher (match.ts) would accept for the same stored strings — the shared case table and the
 * property tests check that — and every key value is a bound parameter, never SQL text.
 *
 * How each condition is translated (C = the column; plain = single-valued column):
 * - single: plain `C = ?` (an index is used); multi-valued `instr('\' || C || '\', '\' || ? || '\') > 0`.
 *   DA/TM/DT: the span check of sql-values.ts (a single plain DA is `C = ?`).
 * - wildcard: plain `C GLOB ?`; multi-valued: a GLOB over the delimited list, or a split (sql-text.ts).
 * - uid-list: `C IN (SELECT value FROM json_each(?))`, the list as one JSON parameter (any length).
 * - range / date-time-range: shape check + string comparison of the normalized text (sql-values.ts).
 * - PN (single and wildcard), the rules of person-name.ts: a key without `=` is tested against every component
 *   group of every value (`=` turned into `\`, then as multi-valued); a key with `=` group by group on the groups
 *   cut out with instr/substr. Case-insensitive: the column's folded copy (`ColumnSpec.folded`, made with
 *   `foldCase`) against the key folded the same way in JS; a PN column without a folded copy is residual.
 * - sequence conditions, conditions on a tag without a column, and a date-time range whose date or time has no
 *   plain column are `residual`: check them in memory (matchesDataset / matchesValues) on the rows SQL returned.
 *
 * Stored values must hold no NUL (no valid DICOM string does; SQLite's GLOB, instr and length stop at one, so SQL
 * would see a shorter value than memory does). Indexes serve `=` and `IN` on plain columns; PN keys, GLOB patterns
 * and multi-valued columns scan.
 *
 * Dialect: this is SQLite. GLOB, instr(), json_each() and substr() with a negative start are SQLite's; the rest
 * (CASE, ||, length, substr, WITH RECURSIVE, EXISTS) is standard. PostgreSQL needs: `LIKE ? ESCAPE '\'`
 * (case-sensitive there) with `%`/`_`/`\` escaped instead of GLOB and `[^\]`; strpos() for instr(); `= ANY(?)`
 * for json_each(); right(x, n) for negative substr starts.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { MatchCondition, MatchOptions } from './condition.js';
import { conditionSpan, isDateTimeVr } from './match.js';
import { anyPiece, anyPieceEquals, anyPieceMatches, type Expr, globPattern, personNameGroup, type Predicate } from './sql-text.js';
import { dateTimeInSpan, valueInSpan } from './sql-values.js';
import { foldCase, hasWildcard, isAllStars } from './text.js';

export interface ColumnSpec {
  /** Qualified column, e.g. 'studies.study_date'. */
  readonly column: string;
  /** Values stored `\`-joined. */
  readonly multiValued?: boolean;
  /**
   * For PN columns: a column holding `foldCase(value)`, which case-insensitive matching compares with the folded key
   * (SQLite cannot fold beyond ASCII). Without it, a case-insensitive PN condition is left to memory (residual).
   */
  readonly folded?: string;
}
export type ColumnMap = ReadonlyMap<number /* tag */, ColumnSpec>;

export interface SqlTranslation {
  /** AND of every translated condition; undefined when none needs SQL. */
  readonly where: RawBuilder<SqlBool> | undefined;
  /** Conditions with no column, or not translatable (sequence): check in memory. */
  readonly residual: readonly MatchCondition[];
}

type Translatable = Exclude<MatchCondition, { kind: 'universal' | 'sequence' | 'date-time-range' }>;

export function conditionsToSql(conditions: readonly MatchCondition[], columns: ColumnMap, options: MatchOptions = {}): SqlTranslation {
  const caseInsensitive = options.caseInsensitivePersonName !== false;
  const parts: Predicate[] = [];
  const residual: MatchCondition[] = [];
  for (const condition of conditions) {
    switch (condition.kind) {
      case 'universal':
        break;
      case 'sequence':
        residual.push(condition);
        break;
      case 'date-time-range': {
        const date = columns.get(condition.dateTag);
        const time = columns.get(condition.timeTag);
        if (date === undefined || time === undefined || date.multiValued === true || time.multiValued === true) residual.push(condition);
        else parts.push(dateTimeInSpan(sql.ref(date.column), sql.ref(time.column), { from: condition.from, to: condition.to }));
        break;
      }
      default: {
        const spec = columns.get(condition.tag);
        const personName = (condition.kind === 'single' || condition.kind === 'wildcard') && condition.vr === 'PN';
        if (spec === undefined || (personName && caseInsensitive && spec.folded === undefined)) residual.push(condition);
        else if (personName && caseInsensitive) parts.push(conditionSql(folded(condition), sql.ref(spec.folded!), spec.multiValued === true));
        else parts.push(conditionSql(condition, sql.ref(spec.column), spec.multiValued === true));
      }
    }
  }
  const where = parts.length === 0 ? undefined : sql<SqlBool>`(${sql.join(parts.map((p) => sql`(${p})`), sql` AND `)})`;
  return { where, residual };
}

/** A PN condition with its key folded, to compare with a folded column. */
function folded(condition: Translatable): Translatable {
  if (condition.kind === 'single') return { ...condition, value: foldCase(condition.value) };
  if (condition.kind === 'wildcard') return { ...condition, pattern: foldCase(condition.pattern) };
  return condition;
}

function conditionSql(condition: Translatable, column: Expr, multi: boolean): Predicate {
  switch (condition.kind) {
    case 'uid-list': {
      const list = sql`json_each(${JSON.stringify(condition.values)})`;
      if (!multi) return sql<SqlBool>`${column} IN (SELECT value FROM ${list})`;
      return sql<SqlBool>`EXISTS (SELECT 1 FROM ${list} AS portico_list WHERE ${anyPieceEquals(column, sql.ref('portico_list.value'))})`;
    }
    case 'range': {
      const { vr } = condition;
      const span = conditionSpan(condition);
      return onValues(column, multi, (v) => valueInSpan(vr, v, span));
    }
    case 'single': {
      const { vr, value } = condition;
      if (isDateTimeVr(vr)) {
        const span = conditionSpan(condition);
        if (vr === 'DA' && !multi) return sql<SqlBool>`${column} = ${span.from}`;
        return onValues(column, multi, (v) => valueInSpan(vr, v, span));
      }
      if (vr === 'PN') return personNameSql(column, multi, value, false);
      return multi ? anyPieceEquals(column, sql`${value}`) : sql<SqlBool>`${column} = ${value}`;
    }
    case 'wildcard': {
      const { vr, pattern } = condition;
      if (vr === 'PN') return personNameSql(column, multi, pattern, true);
      if (multi) return anyPieceMatches(column, pattern);
      return isAllStars(pattern) ? sql<SqlBool>`${column} <> ''` : sql<SqlBool>`${column} GLOB ${globPattern(pattern)}`;
    }
  }
}

const onValues = (column: Expr, multi: boolean, test: (v: Expr) => Predicate): Predicate => (multi ? anyPiece(column, test) : test(column));

/** The PN rules of person-name.ts in SQL (case folding, when asked for, is done: folded column, folded key). */
function personNameSql(column: Expr, multi: boolean, key: string, wildcard: boolean): Predicate {
  if (!key.includes('=')) {
    // Every component group of every value is one piece of the list.
    const pieces = sql`replace(${column}, '=', '\\')`;
    return wildcard ? anyPieceMatches(pieces, key) : anyPieceEquals(pieces, sql`${key}`);
  }
  const groups = key.split('=');
  const test = (value: Expr): Predicate => {
    const checks: Predicate[] = [sql<SqlBool>`${value} <> ''`];
    groups.forEach((group, index) => {
      if (group === '' || isAllStars(group)) return;
      const stored = personNameGroup(value, index);
      checks.push(
        wildcard && hasWildcard(group) ? sql<SqlBool>`${stored} GLOB ${globPattern(group)}` : sql<SqlBool>`${stored} = ${group}`,
      );
    });
    return sql<SqlBool>`(${sql.join(checks, sql` AND `)})`;
  };
  return multi ? anyPiece(column, test) : test(column);
}
