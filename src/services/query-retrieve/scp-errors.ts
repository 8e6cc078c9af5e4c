/**
 * How a Query/Retrieve SCP turns what went wrong into a final response (PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4):
 * an Identifier that does not fit the model or holds a key value that cannot be matched is A900 with the
 * offending element; one that cannot be parsed, and any other failure, is Cxxx (unable to process).
 */
import type { Logger } from '../../core/logging.js';
import type { ScpResponse } from '../../net/service.js';
import { MatchingError } from '../../matching/condition.js';
import { QueryIdentifierError } from './levels.js';
import { IdentifierDecodeError } from './scp-identifier.js';
import { QueryRetrieveStatus } from './status.js';

/** Cxxx codes this SCP uses: the Identifier cannot be parsed; the archive failed while matching. */
export const UNABLE_TO_PARSE_IDENTIFIER = 0xc000;
export const UNABLE_TO_PROCESS = 0xc001;

/** The final response for an error thrown while checking or matching a request. */
export function failureResponse(error: unknown, logger: Logger, what: string): ScpResponse {
  if (error instanceof QueryIdentifierError) {
    return { status: error.status, fields: { errorComment: error.message, ...(error.offendingElements.length ? { offendingElements: error.offendingElements } : {}) } };
  }
  if (error instanceof MatchingError) {
    return { status: QueryRetrieveStatus.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS, fields: { errorComment: error.message, offendingElements: [error.tag] } };
  }
  if (error instanceof IdentifierDecodeError) return { status: UNABLE_TO_PARSE_IDENTIFIER, fields: { errorComment: error.message } };
  const message = error instanceof Error ? error.message : String(error);
  logger.warn({ err: message }, `${what} failed`);
  return { status: UNABLE_TO_PROCESS, fields: { errorComment: `${what} failed: ${message}` } };
}
