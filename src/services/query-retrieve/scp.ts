/**
 * The Query/Retrieve SCP (PS3.4 Annex C) as the services `listen()` takes: C-FIND, C-MOVE and C-GET of the Patient
 * Root and Study Root information models, over a provider (the archive's index and files). C-GET needs the Storage
 * SOP classes accepted on the same association (the requestor proposes them with the SCP role): serve it beside a
 * Storage SCP service, which accepts them.
 */
import type { Logger } from '../../core/logging.js';
import type { Peer } from '../../net/ae.js';
import type { ScpService } from '../../net/service.js';
import { findScp } from './scp-find.js';
import { getScp } from './scp-get.js';
import { moveScp } from './scp-move.js';
import type { QueryRetrieveProvider } from './scp-provider.js';

export type { QueryRetrieveProvider, RetrieveInstance } from './scp-provider.js';

export interface QueryRetrieveScpOptions {
  /** Where the matches come from: the archive (`archiveQueryRetrieve(archive)` in src/archive/query). */
  readonly archive: QueryRetrieveProvider;
  /** The AEs a C-MOVE may send to, by AE title (`--remote AET@host:port`). */
  readonly destinations: ReadonlyMap<string, Peer>;
  /** A C-FIND with more matches is refused with A700 before any is sent (`--max-matches`; default: no limit). */
  readonly maxMatches?: number;
  /**
   * Relational queries and retrieves for every requestor (default false: hierarchical, as baseline SCUs expect). A
   * requestor that negotiates relational-queries / relational-retrieval (SOP Class Extended Negotiation, PS3.4
   * C.5) gets them on its association either way; combined date-time matching is only ever negotiated.
   */
  readonly relational?: boolean;
  /** Our AE title: Retrieve AE Title of the matches, calling AE title towards move destinations. */
  readonly callingAeTitle: string;
  readonly logger?: Logger;
  /** Transfer syntaxes of the Q/R contexts (default: Explicit VR LE, Implicit VR LE, Explicit VR BE). */
  readonly transferSyntaxes?: readonly string[];
}

/** The FIND, MOVE and GET services, each for both information models. */
export function queryRetrieveScps(options: QueryRetrieveScpOptions): ScpService[] {
  const common = { provider: options.archive, relational: options.relational, logger: options.logger, transferSyntaxes: options.transferSyntaxes };
  return [
    findScp({ ...common, aeTitle: options.callingAeTitle, maxMatches: options.maxMatches }),
    moveScp({ ...common, aeTitle: options.callingAeTitle, destinations: options.destinations }),
    getScp(common),
  ];
}
