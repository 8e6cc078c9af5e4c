/**
 * SOP Class Extended Negotiation (PS3.7 D.3.3.5), as ACSE sees it: which sub-items (0x56) of an A-ASSOCIATE-RQ get
 * an answer in the A-ASSOCIATE-AC, and what each side keeps of them. The Service-class-application-information
 * itself means something only to its service class (PS3.4 C.5 for Query/Retrieve): the acceptor asks the service
 * that accepted the SOP class, and never reads the bytes.
 *
 * The RQ comes from the network, so nothing in it is trusted:
 * - a sub-item is answered only for a SOP class of an accepted presentation context (an answer for a rejected or
 *   unknown SOP class would be for nothing the association can use);
 * - D.3.3.5 allows one sub-item per SOP class: of duplicates, the first is answered and the others are ignored, so
 *   the answers are at most one per accepted SOP class;
 * - no sub-item in the RQ, no answer in the AC (D.3.3.5: "If the SOP Class Extended Negotiation Sub-Items do not
 *   exist in the A-ASSOCIATE indication they shall be omitted in the A-ASSOCIATE response");
 * - a service that throws, or answers more than a sub-item holds, gives no answer: the association goes on with
 *   the default behaviour of that SOP class.
 */
import { type Logger, silentLogger } from '../../core/logging.js';
import type { SopClassExtendedNegotiation } from '../pdu/types.js';
import type { AcceptedContext } from './presentation-context.js';

/** A service's answer to one requested sub-item: the AC's info, or undefined for no sub-item in the AC. */
export type ExtendedNegotiationAnswer = (sopClassUid: string, requested: Uint8Array) => Uint8Array | undefined;

/** What an item's 2-byte length leaves for the info once the 2-byte UID length and the longest UID (64) are in. */
export const MAX_EXTENDED_NEGOTIATION_INFO = 0xffff - 2 - 64;

/** The negotiated Service-class-application-information, by SOP class UID. */
export type ExtendedNegotiations = ReadonlyMap<string, Uint8Array>;

export interface ExtendedNegotiationResult {
  /** The sub-items of the A-ASSOCIATE-AC, in the order of the RQ. */
  readonly items: readonly SopClassExtendedNegotiation[];
  /** The same, by SOP class: what the association runs with. */
  readonly negotiated: ExtendedNegotiations;
}

/** The acceptor's answers to the RQ's sub-items (see the file comment for what is answered). */
export function negotiateExtendedAsAcceptor(
  requested: readonly SopClassExtendedNegotiation[] | undefined,
  accepted: Iterable<AcceptedContext>,
  answer: ExtendedNegotiationAnswer | undefined,
  logger: Logger = silentLogger,
): ExtendedNegotiationResult {
  if (!requested?.length || answer === undefined) return { items: [], negotiated: new Map() };
  const acceptedSops = new Set<string>();
  for (const c of accepted) acceptedSops.add(c.abstractSyntax);
  const seen = new Set<string>();
  const items: SopClassExtendedNegotiation[] = [];
  const negotiated = new Map<string, Uint8Array>();
  let ignored = 0;
  for (const item of requested) {
    if (!acceptedSops.has(item.sopClassUid) || seen.has(item.sopClassUid)) {
      ignored++;
      continue;
    }
    seen.add(item.sopClassUid);
    let info: Uint8Array | undefined;
    try {
      info = answer(item.sopClassUid, item.info);
    } catch (error) {
      logger.warn({ sopClassUid: item.sopClassUid, err: (error as Error)?.message }, 'extended negotiation: the service failed; no answer');
      continue;
    }
    if (info === undefined) continue;
    if (info.length > MAX_EXTENDED_NEGOTIATION_INFO) {
      logger.warn({ sopClassUid: item.sopClassUid, length: info.length }, 'extended negotiation: the answer does not fit a sub-item; no answer');
      continue;
    }
    const copy = Uint8Array.from(info);
    items.push({ sopClassUid: item.sopClassUid, info: copy });
    negotiated.set(item.sopClassUid, copy);
  }
  if (ignored > 0) logger.debug({ ignored }, 'extended negotiation: sub-items for SOP classes not accepted, or repeated, ignored');
  return { items, negotiated };
}

/**
 * The requestor's view of the acceptor's answers: the first answer for each SOP class we proposed a sub-item for.
 * Answers for anything else are ignored (the acceptor should not have sent them, D.3.3.5).
 */
export function extendedAsRequestor(
  proposed: readonly SopClassExtendedNegotiation[] | undefined,
  answered: readonly SopClassExtendedNegotiation[] | undefined,
): ExtendedNegotiations {
  const negotiated = new Map<string, Uint8Array>();
  if (!proposed?.length || !answered?.length) return negotiated;
  const asked = new Set(proposed.map((p) => p.sopClassUid));
  for (const a of answered) if (asked.has(a.sopClassUid) && !negotiated.has(a.sopClassUid)) negotiated.set(a.sopClassUid, a.info);
  return negotiated;
}
