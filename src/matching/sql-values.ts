/**
 * DA, TM and DT in SQL: the same shape checks and fixed-width normalization as range.ts, as SQLite expressions
 * over the stored text, so that a range is two string comparisons and SQL and memory agree on every value.
 */
import { type SqlBool, sql } from 'kysely';
import type { NormalizedRange } from './range.js';
import type { Expr, Predicate } from './sql-text.js';

const allDigits = (x: Expr): Predicate => sql<SqlBool>`${x} NOT GLOB '*[^0-9]*'`;

/** `YYYYMMDD`. */
export const validDate = (v: Expr): Predicate => sql<SqlBool>`${v} GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'`;

/** `HH`, `HHMM`, `HHMMSS`, `HHMMSS.F` … `HHMMSS.FFFFFF`. */
export const validTime = (v: Expr): Predicate => sql<SqlBool>`((length(${v}) IN (2, 4, 6) AND ${allDigits(v)})
OR (length(${v}) BETWEEN 8 AND 13 AND substr(${v}, 7, 1) = '.' AND ${allDigits(sql`substr(${v}, 1, 6)`)} AND ${allDigits(sql`substr(${v}, 8)`)}))`;

/** A valid TM as `HHMMSS.FFFFFF`, its first moment. */
export const normalTime = (v: Expr): Expr =>
  sql`(substr(${v} || '000000', 1, 6) || '.' || substr((CASE WHEN length(${v}) > 7 THEN substr(${v}, 8) ELSE '' END) || '000000', 1, 6))`;

/** A DT without its `&ZZXX` UTC offset, when it ends with one. */
const dateTimeBody = (v: Expr): Expr =>
  sql`(CASE WHEN length(${v}) >= 9 AND substr(${v}, -5, 1) IN ('+', '-') AND ${allDigits(sql`substr(${v}, -4)`)}
THEN substr(${v}, 1, length(${v}) - 5) ELSE ${v} END)`;

/** `YYYY[MM[DD[HH[MM[SS[.F…]]]]]]` once the offset is set aside. */
const validDateTimeBody = (b: Expr): Predicate => sql<SqlBool>`((length(${b}) IN (4, 6, 8, 10, 12, 14) AND ${allDigits(b)})
OR (length(${b}) BETWEEN 16 AND 21 AND substr(${b}, 15, 1) = '.' AND ${allDigits(sql`substr(${b}, 1, 14)`)} AND ${allDigits(sql`substr(${b}, 16)`)}))`;

const normalDateTimeBody = (b: Expr): Expr => sql`(CASE WHEN length(${b}) <= 14
THEN ${b} || substr('00000101000000', length(${b}) + 1) || '.000000'
ELSE substr(${b}, 1, 14) || '.' || substr(substr(${b}, 16) || '000000', 1, 6) END)`;

/** `normalized` within the span (both ends inclusive); an open end is no comparison. */
export function inSpanSql(normalized: Expr, span: NormalizedRange): Predicate {
  const parts: Predicate[] = [];
  if (span.from !== undefined) parts.push(sql<SqlBool>`${normalized} >= ${span.from}`);
  if (span.to !== undefined) parts.push(sql<SqlBool>`${normalized} <= ${span.to}`);
  return parts.length === 0 ? sql<SqlBool>`1 = 1` : sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
}

/** A stored DA, TM or DT value in the span, as range.ts decides it. */
export function valueInSpan(vr: 'DA' | 'TM' | 'DT', v: Expr, span: NormalizedRange): Predicate {
  switch (vr) {
    case 'DA':
      return sql<SqlBool>`(${validDate(v)} AND ${inSpanSql(v, span)})`;
    case 'TM':
      return sql<SqlBool>`(${validTime(v)} AND ${inSpanSql(normalTime(v), span)})`;
    case 'DT': {
      // The body expression is evaluated once per row in a scalar subquery, not repeated in every check.
      const b = sql.ref('portico_dt.portico_body');
      return sql<SqlBool>`EXISTS (SELECT 1 FROM (SELECT ${dateTimeBody(v)} AS portico_body) AS portico_dt
WHERE ${validDateTimeBody(b)} AND ${inSpanSql(normalDateTimeBody(b), span)})`;
    }
  }
}

/** Combined date-time: stored date + time (a missing time is the start of the day) in the span. */
export function dateTimeInSpan(date: Expr, storedTime: Expr, span: NormalizedRange): Predicate {
  const time = sql`coalesce(${storedTime}, '')`;
  const at = sql`(${date} || (CASE WHEN ${time} = '' THEN '000000.000000' ELSE ${normalTime(time)} END))`;
  return sql<SqlBool>`(${validDate(date)} AND (${time} = '' OR ${validTime(time)}) AND ${inSpanSql(at, span)})`;
}
