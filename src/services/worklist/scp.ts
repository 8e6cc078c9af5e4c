/**
 * The Modality Worklist SCP (PS3.4 Annex K, Modality Worklist Information Model - FIND): C-FIND over a
 * WorklistSource, the way the echoes server's MWL AE answers (seed 002 §3.2).
 *
 * Statuses (PS3.4 K.4.1.1.4, Table K.4-1):
 * - FF00 Pending: one per matching item (FF01 instead when the query has a key whose value matching ignores — a
 *   binary value such as a private key in Implicit VR —, returned as a return key, PS3.4 K.2.2.1.1.2);
 * - 0000 Success: after the last match (alone when nothing matches);
 * - FE00 Cancel: a C-CANCEL arrived before the last match was sent;
 * - A700 Refused: Out of Resources: more than `maxMatches` items match (Error Comment `more than N matches; narrow
 *   the query`; no pending response is sent — the matches are counted first);
 * - A900 Identifier does not match SOP Class: a key that cannot be processed — a malformed value (a bad date or
 *   range), a sequence key with more than one item, a value longer than `maxKeyLength` — with Offending Element and
 *   Error Comment;
 * - C000 Unable to process: no Identifier, an Identifier that cannot be parsed, or a failure of the source.
 */
import { type Logger, silentLogger } from '../../core/logging.js';
import type { Dataset } from '../../data/dataset.js';
import { SPECIFIC_CHARACTER_SET } from '../../data/tag.js';
import { ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../encoding/transfer-syntax.js';
import { type MatchCondition, matchConditions, MatchingError, type MatchOptions } from '../../matching/condition.js';
import type { DimseMessage } from '../../net/acse/association.js';
import { CommandField } from '../../net/dimse/command-elements.js';
import type { ScpContext, ScpResponse, ScpService } from '../../net/service.js';
import { decodeRequestIdentifier, encodeResponseIdentifier } from '../query-retrieve/scp-identifier.js';
import { checkQuery, type CheckedQuery, responseIdentifier, WorklistKeyError } from './scp-keys.js';
import type { WorklistSource } from './source.js';
import { WorklistStatus } from './status.js';
import { ModalityWorklistInformationModelFind } from './uids.js';

export type { WorklistFindOptions, WorklistSource } from './source.js';

export interface WorklistScpOptions {
  /** Where the worklist items are (the archive's worklist store). */
  readonly store: WorklistSource;
  /** Most items one C-FIND may return; more matches are refused with A700 (default 1000). */
  readonly maxMatches?: number;
  /** Longest key value accepted, in characters (default 1024); a longer one is refused with A900. */
  readonly maxKeyLength?: number;
  /** Matching options (person names case-insensitive by default; combined date-time matching). */
  readonly match?: MatchOptions;
  /** In preference order (default Explicit VR LE, Implicit VR LE, Explicit VR BE: the seed's three). */
  readonly transferSyntaxes?: readonly string[];
  /** Default: the association's logger. */
  readonly logger?: Logger;
}

export const DEFAULT_MAX_MATCHES = 1000;
export const DEFAULT_MAX_KEY_LENGTH = 1024;
/** Pending responses sent between two turns of the event loop. */
const YIELD_EVERY = 8;
export const WORKLIST_TRANSFER_SYNTAXES: readonly string[] = [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian];

/** The Modality Worklist Information Model - FIND SCP (C-FIND only). */
export function worklistScp(options: WorklistScpOptions): ScpService {
  const maxMatches = Math.max(1, Math.floor(options.maxMatches ?? DEFAULT_MAX_MATCHES));
  const settings = { ...options, maxMatches, maxKeyLength: options.maxKeyLength ?? DEFAULT_MAX_KEY_LENGTH };
  return {
    name: 'Modality Worklist',
    sopClasses: [ModalityWorklistInformationModelFind],
    commands: [CommandField.C_FIND_RQ],
    transferSyntaxes: options.transferSyntaxes ?? WORKLIST_TRANSFER_SYNTAXES,
    failureStatus: WorklistStatus.UNABLE_TO_PROCESS,
    handle: (request, context) => answer(request, context, settings),
  };
}

type Settings = WorklistScpOptions & { readonly maxMatches: number; readonly maxKeyLength: number };

async function* answer(request: DimseMessage, context: ScpContext, settings: Settings): AsyncIterable<ScpResponse> {
  const logger = settings.logger ?? context.logger ?? silentLogger;
  const calling = context.association.params.callingAeTitle;
  const refuse = (status: number, comment: string, offending?: number): ScpResponse => {
    logger.warn({ calling, status: status.toString(16).toUpperCase(), comment }, 'MWL C-FIND refused');
    return { status, fields: { errorComment: errorComment(comment), ...(offending === undefined ? {} : { offendingElements: [offending] }) } };
  };

  let query: Dataset;
  let checked: CheckedQuery;
  let conditions: MatchCondition[];
  try {
    query = decodeRequestIdentifier(request.dataset, context.transferSyntax);
  } catch (error) {
    yield refuse(WorklistStatus.UNABLE_TO_PROCESS, (error as Error).message);
    return;
  }
  try {
    checked = checkQuery(query, settings.maxKeyLength);
    conditions = matchConditions(checked.matching, settings.match);
  } catch (error) {
    if (error instanceof WorklistKeyError || error instanceof MatchingError) {
      yield refuse(WorklistStatus.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS, error.message, error.tag);
      return;
    }
    throw error;
  }

  const { signal } = context;
  const started = Date.now();
  // Count first (one more than allowed), so that a query that matches too much gets no pending response at all.
  const keys = await settings.store.findMatches(conditions, { limit: settings.maxMatches + 1, match: settings.match, signal });
  if (signal.aborted) {
    yield { status: WorklistStatus.CANCEL };
    return;
  }
  if (keys.length > settings.maxMatches) {
    yield refuse(WorklistStatus.OUT_OF_RESOURCES, `more than ${settings.maxMatches} matches; narrow the query`);
    return;
  }
  const pending = checked.unsupported.length > 0 ? WorklistStatus.PENDING_OPTIONAL_KEYS_NOT_SUPPORTED : WorklistStatus.PENDING;
  const queryTerms = query.strings(SPECIFIC_CHARACTER_SET);
  let sent = 0;
  for await (const item of settings.store.items(keys)) {
    if (signal.aborted) {
      logger.info({ calling, sent }, 'MWL C-FIND cancelled');
      yield { status: WorklistStatus.CANCEL };
      return;
    }
    const identifier = responseIdentifier(query, item);
    yield { status: pending, dataset: await encodeResponseIdentifier(identifier, context.transferSyntax, queryTerms) };
    sent++;
    // Let the event loop read the socket now and then, so that a C-CANCEL (and other associations) get a turn even
    // when the store and the socket never make us wait.
    if (sent % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  logger.debug({ calling, matches: sent, ms: Date.now() - started }, 'MWL C-FIND');
  yield { status: 0x0000 };
}

/** Error Comment is LO in the default repertoire: printable ASCII, 64 characters. */
const errorComment = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
