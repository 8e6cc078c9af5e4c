/** PS3.4 C.2.2.2 attribute matching: key conditions, evaluated in memory or translated to SQL. */
export { type MatchCondition, MatchingError, type MatchOptions, matchConditions, MAX_WILDCARD_LENGTH, timeTagOf } from './condition.js';
export { conditionSpan, matchesDataset, matchesDateTime, matchesValues } from './match.js';
export { personNameTest } from './person-name.js';
export type { NormalizedRange } from './range.js';
export { type ColumnMap, type ColumnSpec, conditionsToSql, type SqlTranslation } from './sql.js';
export { compileWildcard, matchesWildcard } from './wildcard.js';
