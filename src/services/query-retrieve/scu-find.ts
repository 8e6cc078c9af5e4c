/**
 * Query/Retrieve FIND SCU (PS3.4 C.4.1): `find()` sends a C-FIND in the Patient Root or Study Root information
 * model on an association the caller has, or on one it opens to a peer (proposing the FIND SOP class in Explicit
 * and Implicit VR Little Endian) and releases at the end. The matches come as an async iterable of datasets, each
 * decoded with its own Specific Character Set.
 *
 * ```ts
 * const matches = find({ aeTitle: 'ORTHANC', host: 'localhost', port: 4242 },
 *   { root: 'study', level: 'STUDY', identifier: findIdentifier('study', 'STUDY', keys), limit: 50 });
 * for await (const study of matches) console.log(study.string('PatientName'));
 * matches.summary; // { status: 0, matches: 3, cancelled: undefined, ... }
 * ```
 */
import type { Dataset } from '../../data/dataset.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../encoding/transfer-syntax.js';
import { Association } from '../../net/acse/association.js';
import { type ConnectOptions, connect, type Peer } from '../../net/ae.js';
import { findNegotiationRequest } from './extended-negotiation.js';
import { QR_FIND_STATUS } from './status.js';
import { cFind, checkFindOptions, FindStream, type FindSummary } from './scu-find-stream.js';
import { checkLevel, type QueryLevel, type QueryRoot } from './scu-find-keys.js';
import { PatientRootQueryRetrieveInformationModelFind, StudyRootQueryRetrieveInformationModelFind } from './uids.js';

export { cFind, type CFindOptions, type FindCancelReason, FindStream, type FindSummary } from './scu-find-stream.js';
export { FindFailedError, FindNotAcceptedError, FindQueryError, FindResponseError } from './scu-find-errors.js';
export {
  DEFAULT_FIND_KEYS,
  findIdentifier,
  hierarchyWarnings,
  LEVELS_OF_ROOT,
  QUERY_LEVELS,
  type QueryLevel,
  type QueryRoot,
  UNIQUE_KEY_OF_LEVEL,
} from './scu-find-keys.js';

/** A Query/Retrieve C-FIND. */
export interface FindQuery {
  readonly root: QueryRoot;
  readonly level: QueryLevel;
  /** Matching and return keys; Query/Retrieve Level is set from `level`. Not changed. */
  readonly identifier: Dataset;
  /** Aborting it sends C-CANCEL; the iteration then ends cleanly after the final response. */
  readonly signal?: AbortSignal;
  /** At most this many matches: then C-CANCEL. */
  readonly limit?: number;
  /** C-FIND priority (default MEDIUM). */
  readonly priority?: number;
  /** How long to wait for the final response after C-CANCEL (default 10 s); then the association is aborted. */
  readonly cancelTimeoutMs?: number;
}

/** How to open the association when `find()` (or `worklist()`) is given a peer. */
export type PeerConnection = Omit<ConnectOptions, 'contexts'> & {
  /** Transfer syntaxes proposed for the FIND SOP class (default Explicit VR LE, Implicit VR LE). */
  readonly transferSyntaxes?: readonly string[];
};

/**
 * How `find()` opens an association to a peer: as for any C-FIND, and what to propose for the FIND SOP class with
 * SOP Class Extended Negotiation (PS3.4 C.5.1.1). The query is sent whatever the peer answers; one that did not
 * agree to relational-queries may refuse a relational identifier (A900), and one that did not agree to combined
 * date-time matching matches Study Date and Study Time one by one.
 */
export type FindConnection = PeerConnection & {
  /** Propose relational-queries (keys of any level, C.4.1.2.2.2). */
  readonly relational?: boolean;
  /** Propose combined date and time range matching (C.2.2.2.5.4). */
  readonly combineDateTime?: boolean;
};

/** The FIND SOP class of a model. */
export const findSopClass = (root: QueryRoot): string =>
  root === 'patient' ? PatientRootQueryRetrieveInformationModelFind : StudyRootQueryRetrieveInformationModelFind;

/**
 * C-FIND on `target`: an association (left open; aborted only when a response broke it) or a peer (an association
 * opened with `connection` for this query, released at the end, aborted on failure). Throws `FindQueryError` at
 * once for a level the model lacks or a bad limit; during the iteration, `FindFailedError` for a failure status
 * (A700, A900, Cxxx, any other), `FindResponseError` for a response it cannot use, `FindNotAcceptedError`, and the
 * network's errors.
 */
export function find(target: Association | Peer, query: FindQuery, connection: FindConnection = {}): FindStream {
  checkLevel(query.root, query.level);
  checkFindOptions(query);
  const identifier = query.identifier.clone();
  identifier.set('QueryRetrieveLevel', query.level);
  const sopClassUid = findSopClass(query.root);
  const run = (association: Association): FindStream =>
    cFind(association, {
      sopClassUid,
      identifier,
      statuses: QR_FIND_STATUS,
      operation: 'C-FIND',
      signal: query.signal,
      limit: query.limit,
      priority: query.priority,
      cancelTimeoutMs: query.cancelTimeoutMs,
    });
  return target instanceof Association ? run(target) : onPeer(target, sopClassUid, proposing(sopClassUid, connection), run);
}

/** The connection options with the extended negotiation `relational` / `combineDateTime` ask for, if any. */
function proposing(sopClassUid: string, connection: FindConnection): PeerConnection {
  const { relational, combineDateTime, ...rest } = connection;
  if (relational !== true && combineDateTime !== true) return rest;
  const others = (rest.extendedNegotiations ?? []).filter((e) => e.sopClassUid !== sopClassUid);
  return { ...rest, extendedNegotiations: [...others, { sopClassUid, info: findNegotiationRequest({ relational, combineDateTime }) }] };
}

/** Largest identifier held in memory (default for associations `find()` and `worklist()` open). */
const MAX_IDENTIFIER = 16 * 1024 * 1024;

/**
 * A FindStream that opens an association to `peer` proposing `sopClassUid`, runs `body` on it, and releases it at
 * the end (also when the caller stops early), or aborts it when it cannot be released.
 */
export function onPeer(peer: Peer, sopClassUid: string, connection: PeerConnection, body: (association: Association) => FindStream): FindStream {
  const { transferSyntaxes, ...options } = connection;
  return new FindStream(async function* (report: (summary: FindSummary) => void) {
    const association = await connect(peer, {
      maxDatasetInMemory: MAX_IDENTIFIER,
      ...options,
      contexts: [{ abstractSyntax: sopClassUid, transferSyntaxes: transferSyntaxes ?? [ExplicitVRLittleEndian, ImplicitVRLittleEndian] }],
    });
    let inner: FindStream | undefined;
    try {
      inner = body(association);
      yield* inner;
    } finally {
      if (inner?.summary) report(inner.summary);
      if (association.outcome === undefined) await association.release().catch(() => association.abort());
    }
  });
}
