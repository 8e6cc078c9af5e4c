import type { Dataset } from '../../data/dataset.js';
import type { MatchCondition, MatchOptions } from '../../matching/condition.js';

export interface WorklistFindOptions {
  /** At most this many keys are returned (the SCP asks for one more than it may answer, to know when to refuse). */
  readonly limit: number;
  readonly match?: MatchOptions;
  /** The search stops early (returning what it has) when this aborts. */
  readonly signal?: AbortSignal;
}

/**
 * Where a Modality Worklist SCP finds its worklist items (DCMTK's `WlmDataSource`, Orthanc's IWorklistRequestHandler):
 * the keys of the items matching a query, then the items themselves. Each item is one Scheduled Procedure Step: a
 * dataset with one item in its Scheduled Procedure Step Sequence, values as Unicode text. The archive's worklist store
 * implements it over the database.
 */
export interface WorklistSource {
  /** Keys of the items matching every condition, in the order they are to be answered (start date and time). */
  findMatches(conditions: readonly MatchCondition[], options: WorklistFindOptions): Promise<readonly number[]>;
  /** The items of these keys in this order; an item removed in the meantime is skipped. */
  items(keys: readonly number[]): AsyncIterable<Dataset>;
}
