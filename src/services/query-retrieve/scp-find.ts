/**
 * The C-FIND SCP of the Patient Root and Study Root Query/Retrieve Information Models (PS3.4 C.4.1.3): the request
 * Identifier is checked against the model (`levels.ts`), the matches are counted first when a limit is set (more
 * than `maxMatches`: A700 with no pending response), then streamed from the provider, one pending response each
 * (FF00, or FF01 when the Identifier held keys of a lower level, which are returned empty), and the final response
 * is Success — or Cancel (FE00) as soon as a C-CANCEL arrives. Relational queries and combined date-time matching
 * are per association, as its SOP Class Extended Negotiation agreed (extended-negotiation.ts, PS3.4 C.5.1.1).
 */
import { type Logger, silentLogger } from '../../core/logging.js';
import type { Dataset } from '../../data/dataset.js';
import { ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../encoding/transfer-syntax.js';
import { CommandField } from '../../net/dimse/command-elements.js';
import type { DimseMessage } from '../../net/acse/association.js';
import type { ScpContext, ScpResponse, ScpService } from '../../net/service.js';
import { answerFindNegotiation, negotiatedFind } from './extended-negotiation.js';
import { checkFindIdentifier, modelOfSopClass, QUERY_RETRIEVE_LEVEL, type QueryRequest, RETRIEVE_AE_TITLE, SPECIFIC_CHARACTER_SET } from './levels.js';
import { failureResponse } from './scp-errors.js';
import { decodeRequestIdentifier, encodeResponseIdentifier } from './scp-identifier.js';
import type { QueryRetrieveProvider } from './scp-provider.js';
import { QueryRetrieveStatus } from './status.js';
import { PatientRootQueryRetrieveInformationModelFind, StudyRootQueryRetrieveInformationModelFind } from './uids.js';

/** Uncompressed syntaxes, Explicit VR Little Endian first. */
export const QR_TRANSFER_SYNTAXES: readonly string[] = [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian];

export interface FindScpOptions {
  readonly provider: QueryRetrieveProvider;
  /** Our AE title: the Retrieve AE Title (0008,0054) of every match. */
  readonly aeTitle: string;
  /** More matches than this are refused with A700 before any is sent (default: no limit). */
  readonly maxMatches?: number;
  /**
   * Relational queries for every requestor: unique keys of the levels above may be absent (default: hierarchical,
   * unless the association negotiated relational-queries, PS3.4 C.5.1.1).
   */
  readonly relational?: boolean;
  readonly transferSyntaxes?: readonly string[];
  readonly logger?: Logger;
}

/** The Error Comment of the A700 answer to a query with more than `maxMatches` matches. */
export const tooManyMatches = (maxMatches: number): string => `more than ${maxMatches} matches; narrow the query`;

export function findScp(options: FindScpOptions): ScpService {
  if (options.maxMatches !== undefined && (!Number.isInteger(options.maxMatches) || options.maxMatches < 0)) {
    throw new RangeError(`maxMatches must be a whole number, not ${options.maxMatches}`);
  }
  return {
    name: 'Query/Retrieve FIND',
    sopClasses: [PatientRootQueryRetrieveInformationModelFind, StudyRootQueryRetrieveInformationModelFind],
    commands: [CommandField.C_FIND_RQ],
    transferSyntaxes: options.transferSyntaxes ?? QR_TRANSFER_SYNTAXES,
    failureStatus: 0xc001,
    extendedNegotiation: answerFindNegotiation,
    handle: (request, context) => find(request, context, options),
  };
}

async function* find(request: DimseMessage, context: ScpContext, options: FindScpOptions): AsyncGenerator<ScpResponse> {
  const logger = options.logger ?? silentLogger;
  const model = modelOfSopClass(context.abstractSyntax)!.model;
  let query: QueryRequest;
  let queryTerms: readonly string[];
  try {
    const identifier = decodeRequestIdentifier(request.dataset, context.transferSyntax);
    queryTerms = identifier.strings(SPECIFIC_CHARACTER_SET);
    // Per association: relational when the server always is or the requestor negotiated it; combined date-time
    // matching only when negotiated (a baseline SCU expects Study Date and Study Time matched one by one).
    const negotiated = negotiatedFind(context.association, context.abstractSyntax);
    query = checkFindIdentifier(identifier, model, {
      relational: options.relational === true || negotiated.relational,
      ...(negotiated.combineDateTime ? { match: { combineDateTime: true } } : {}),
    });
  } catch (error) {
    yield failureResponse(error, logger, 'C-FIND');
    return;
  }
  const cancelled: ScpResponse = { status: QueryRetrieveStatus.CANCEL };
  try {
    if (options.maxMatches !== undefined) {
      const count = await options.provider.countMatches(query, options.maxMatches + 1);
      if (count > options.maxMatches) {
        yield { status: QueryRetrieveStatus.OUT_OF_RESOURCES, fields: { errorComment: tooManyMatches(options.maxMatches) } };
        return;
      }
    }
    if (context.signal.aborted) {
      yield cancelled;
      return;
    }
    const pending = query.unsupportedKeys.length > 0 ? QueryRetrieveStatus.PENDING_OPTIONAL_KEYS_NOT_SUPPORTED : QueryRetrieveStatus.PENDING;
    for await (const match of options.provider.find(query)) {
      if (context.signal.aborted) {
        yield cancelled;
        return;
      }
      const dataset = await encodeResponseIdentifier(complete(match, query, options.aeTitle), context.transferSyntax, queryTerms);
      yield { status: pending, dataset };
    }
  } catch (error) {
    yield failureResponse(error, logger, 'C-FIND');
    return;
  }
  yield context.signal.aborted ? cancelled : { status: 0x0000 };
}

/** What every match carries besides the keys: Query/Retrieve Level, Retrieve AE Title, the unsupported keys empty. */
function complete(match: Dataset, query: QueryRequest, aeTitle: string): Dataset {
  match.set(QUERY_RETRIEVE_LEVEL, query.level, 'CS');
  match.set(RETRIEVE_AE_TITLE, aeTitle, 'AE');
  for (const key of query.unsupportedKeys) if (!match.has(key)) match.set(key, undefined);
  return match;
}
