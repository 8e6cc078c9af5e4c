/**
 * SOP Class Extended Negotiation of the Query/Retrieve Service Class (PS3.4 C.5.1.1 for FIND, C.5.2.1 for MOVE,
 * C.5.3.1 for GET; the sub-item is PS3.7 D.3.3.5). The Service-class-application-information is a row of one-byte
 * sub-fields, 1 = supported, 0 = not:
 *
 * - FIND: 1 relational-queries, 2 combined date and time range matching, 3 fuzzy semantic matching of person names,
 *   4 timezone query adjustment, 5 Enhanced Multi-Frame Image Conversion, 6 Empty Value Matching, 7 Multiple Value
 *   Matching;
 * - MOVE and GET: 1 relational-retrieval, 2 Enhanced Multi-Frame Image Conversion.
 *
 * How long the acceptor's answer is (C.5.1.1, and the same words in C.5.2.1 and C.5.3.1): offered one byte, it must
 * answer exactly one byte, since the first editions defined only that byte and older requestors expect no more;
 * offered several, it may answer one byte or several, and a sub-field missing from the answer counts as 0. Each
 * sub-field answered is either the requestor's 1 (accepted) or 0 (turned down). Without a sub-item in the AC,
 * every option keeps its default: hierarchical queries and retrieves, date and time matched separately.
 *
 * Portico answers as many bytes as it was offered, but no more than the standard defines for the SOP class (7 for
 * FIND, 2 for MOVE and GET): a longer request (a later edition, or a hostile one) gets that many, its extra
 * sub-fields read as 0. It accepts relational-queries, combined date-time matching and relational-retrieval, and
 * turns down the rest (a byte other than 1 is not a request and is answered 0).
 */
import type { Association } from '../../net/acse/association.js';

/** The sub-fields of the FIND Service-class-application-information, by 0-based index (PS3.4 C.5.1.1). */
export const FindSubField = Object.freeze({
  RELATIONAL_QUERIES: 0,
  COMBINED_DATE_TIME_MATCHING: 1,
  FUZZY_SEMANTIC_PERSON_NAME_MATCHING: 2,
  TIMEZONE_QUERY_ADJUSTMENT: 3,
  ENHANCED_MULTI_FRAME_IMAGE_CONVERSION: 4,
  EMPTY_VALUE_MATCHING: 5,
  MULTIPLE_VALUE_MATCHING: 6,
} as const);

/** The sub-fields of the MOVE and GET Service-class-application-information (PS3.4 C.5.2.1, C.5.3.1). */
export const RetrieveSubField = Object.freeze({
  RELATIONAL_RETRIEVAL: 0,
  ENHANCED_MULTI_FRAME_IMAGE_CONVERSION: 1,
} as const);

/** What the FIND SCP supports, sub-field by sub-field; the length is the number of sub-fields the standard defines. */
const FIND_SUPPORT: readonly boolean[] = [true, true, false, false, false, false, false];
const RETRIEVE_SUPPORT: readonly boolean[] = [true, false];

/** The answer to a request: its length bounded as the file comment says, each sub-field 1 only if asked and supported. */
function answer(requested: Uint8Array, support: readonly boolean[]): Uint8Array | undefined {
  const length = Math.min(requested.length, support.length);
  // An empty field requests nothing: no sub-item, the defaults apply.
  if (length === 0) return undefined;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = requested[i] === 1 && support[i] ? 1 : 0;
  return out;
}

/** The FIND SCP's answer (`ScpService.extendedNegotiation`): relational-queries and combined date-time matching. */
export const answerFindNegotiation = (_sopClassUid: string, requested: Uint8Array): Uint8Array | undefined => answer(requested, FIND_SUPPORT);

/** The MOVE and GET SCPs' answer (`ScpService.extendedNegotiation`): relational-retrieval. */
export const answerRetrieveNegotiation = (_sopClassUid: string, requested: Uint8Array): Uint8Array | undefined => answer(requested, RETRIEVE_SUPPORT);

/** The FIND options an association runs with for one SOP class. */
export interface FindNegotiation {
  /** Relational-queries (C.4.1.2.2.2). */
  readonly relational: boolean;
  /** Combined date and time range matching (C.2.2.2.5.4). */
  readonly combineDateTime: boolean;
}

/** The FIND options the A-ASSOCIATE-AC agreed to for a SOP class (all false when it carried no sub-item for it). */
export function negotiatedFind(association: Association, sopClassUid: string): FindNegotiation {
  const info = association.extendedNegotiation(sopClassUid);
  return {
    relational: info?.[FindSubField.RELATIONAL_QUERIES] === 1,
    combineDateTime: info?.[FindSubField.COMBINED_DATE_TIME_MATCHING] === 1,
  };
}

/** Whether the A-ASSOCIATE-AC agreed to relational-retrieval for a MOVE or GET SOP class. */
export function negotiatedRelationalRetrieval(association: Association, sopClassUid: string): boolean {
  return association.extendedNegotiation(sopClassUid)?.[RetrieveSubField.RELATIONAL_RETRIEVAL] === 1;
}

/**
 * What a FIND SCU proposes: one byte (relational-queries) unless combined date-time matching is asked for too,
 * which needs the second; the shortest field any SCP, old or new, reads as meant.
 */
export function findNegotiationRequest(options: Partial<FindNegotiation>): Uint8Array {
  const relational = options.relational === true ? 1 : 0;
  return options.combineDateTime === true ? Uint8Array.of(relational, 1) : Uint8Array.of(relational);
}

/** What a MOVE or GET SCU proposes: the one relational-retrieval byte. */
export function retrieveNegotiationRequest(options: { readonly relational?: boolean }): Uint8Array {
  return Uint8Array.of(options.relational === true ? 1 : 0);
}
