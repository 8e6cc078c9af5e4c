/**
 * What a Query/Retrieve SCP needs from whoever holds the instances (DCMTK's `dcmqrdba.h`, Orthanc's
 * IFindRequestHandler / IMoveRequestHandler): count and stream the matches of a checked C-FIND, and list the
 * instances a checked C-MOVE / C-GET selects. The archive implements it over its index (`src/archive/query/`).
 */
import type { Dataset } from '../../data/dataset.js';
import type { QueryRequest, RetrieveRequest } from './levels.js';

/** One stored instance to send as a C-STORE sub-operation. */
export interface RetrieveInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** The transfer syntax it is stored in. */
  readonly transferSyntaxUid: string;
  /** Absolute path of its Part 10 file. */
  readonly path: string;
}

export interface QueryRetrieveProvider {
  /**
   * How many entities the query selects, counting no further than `limit` (a provider stops there, so counting
   * costs at most `limit` rows). Throws MatchingError (src/matching) for a key value that cannot be matched.
   */
  countMatches(query: QueryRequest, limit: number): Promise<number>;
  /**
   * The matches, one Identifier each: every key of `query.identifier` with the entity's values (empty when it has
   * none) and the level's unique key; streamed, so a caller that stops iterating stops the query. Throws
   * MatchingError for a key value that cannot be matched.
   */
  find(query: QueryRequest): AsyncIterable<Dataset>;
  /** The instances a C-MOVE / C-GET selects, in the order they were stored. */
  retrieveInstances(request: RetrieveRequest): Promise<readonly RetrieveInstance[]>;
}
