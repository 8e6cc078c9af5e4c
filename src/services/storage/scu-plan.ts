/**
 * Storage SCU negotiation: the presentation contexts to propose for a set of instances (split over several
 * associations when more than 128 are needed), and which accepted context each instance goes on.
 */
import { uidName } from '../../dictionary/uids.js';
import {
  DeflatedExplicitVRLittleEndian,
  ExplicitVRBigEndian,
  ExplicitVRLittleEndian,
  ImplicitVRLittleEndian,
  lookupTransferSyntax,
} from '../../encoding/transfer-syntax.js';
import type { AcceptedContext } from '../../net/acse/presentation-context.js';
import type { StoreInstance } from './scu-instance.js';

/** One presentation context to propose. */
export interface ContextProposal {
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

/** One association's worth of work: the contexts to propose and the instances to send on it, in order. */
export interface AssociationPlan {
  readonly contexts: readonly ContextProposal[];
  readonly instances: readonly StoreInstance[];
}

/** PS3.8 §9.3.2.2: presentation context IDs are odd numbers 1–255. */
export const MAX_CONTEXTS = 128;

/** Every instance can fall back to these (PS3.5 §10.1: Implicit VR Little Endian is every SCP's default). */
const FALLBACK_SYNTAXES = [ExplicitVRLittleEndian, ImplicitVRLittleEndian] as const;

/**
 * What an instance may be converted to when its own syntax was not accepted, in preference order: explicit VR
 * first (it keeps the VRs of private attributes), then Implicit VR Little Endian.
 */
const CONVERSION_TARGETS = [ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ImplicitVRLittleEndian] as const;

/** Can an instance in this syntax be re-encoded without touching its pixel data (a native, non-encapsulated syntax)? */
export function isConvertible(transferSyntax: string): boolean {
  const ts = lookupTransferSyntax(transferSyntax);
  return ts !== undefined && ts.family === 'native' && !ts.encapsulated;
}

/**
 * The presentation contexts for a set of instances, per SOP class in the order first seen: one context for each
 * transfer syntax the instances are in, then Explicit and Implicit VR Little Endian when not already there. One
 * syntax per context, so that the peer answers for each and the instance's own syntax is used whenever accepted.
 */
export function proposedContexts(instances: Iterable<StoreInstance>): ContextProposal[] {
  return [...contextsBySopClass(instances).values()].flat();
}

function contextsBySopClass(instances: Iterable<StoreInstance>): Map<string, ContextProposal[]> {
  const syntaxes = new Map<string, Set<string>>();
  for (const i of instances) {
    let set = syntaxes.get(i.sopClassUid);
    if (!set) syntaxes.set(i.sopClassUid, (set = new Set()));
    set.add(i.transferSyntax);
  }
  const out = new Map<string, ContextProposal[]>();
  for (const [sopClass, own] of syntaxes) {
    const all = [...own, ...FALLBACK_SYNTAXES.filter((ts) => !own.has(ts))];
    out.set(sopClass, all.map((ts) => ({ abstractSyntax: sopClass, transferSyntaxes: [ts] })));
  }
  return out;
}

/**
 * Splits the work into associations of at most `maxContexts` presentation contexts (PS3.8 allows 128): SOP
 * classes are packed in the order first seen, each SOP class whole on one association. The instances keep their
 * order within each association.
 */
export function planAssociations(instances: readonly StoreInstance[], maxContexts = MAX_CONTEXTS): AssociationPlan[] {
  if (!Number.isInteger(maxContexts) || maxContexts < FALLBACK_SYNTAXES.length + 1 || maxContexts > MAX_CONTEXTS) {
    throw new RangeError(`maxContexts must be ${FALLBACK_SYNTAXES.length + 1}–${MAX_CONTEXTS}, not ${maxContexts}`);
  }
  const bySop = contextsBySopClass(instances);
  const batches: { contexts: ContextProposal[]; sopClasses: Set<string> }[] = [];
  let current: { contexts: ContextProposal[]; sopClasses: Set<string> } | undefined;
  for (const [sopClass, contexts] of bySop) {
    // A SOP class in more syntaxes than one association can carry: the syntaxes that do not fit fall back to conversion.
    const fitting = contexts.length > maxContexts ? [...contexts.slice(0, maxContexts - FALLBACK_SYNTAXES.length), ...fallbackContexts(sopClass)] : contexts;
    if (!current || current.contexts.length + fitting.length > maxContexts) {
      current = { contexts: [], sopClasses: new Set() };
      batches.push(current);
    }
    current.contexts.push(...fitting);
    current.sopClasses.add(sopClass);
  }
  return batches.map((b) => ({ contexts: b.contexts, instances: instances.filter((i) => b.sopClasses.has(i.sopClassUid)) }));
}

const fallbackContexts = (sopClass: string): ContextProposal[] =>
  FALLBACK_SYNTAXES.map((ts) => ({ abstractSyntax: sopClass, transferSyntaxes: [ts] }));

/** How an instance goes to the peer: as it is, converted to another uncompressed syntax, or not at all (and why). */
export type TransferChoice =
  | { readonly kind: 'as-is'; readonly context: AcceptedContext }
  | { readonly kind: 'convert'; readonly context: AcceptedContext }
  | { readonly kind: 'refused'; readonly reason: string };

/** Picks the accepted context an instance is sent on: its own syntax when accepted, else a conversion target. */
export function chooseTransfer(instance: StoreInstance, accepted: Iterable<AcceptedContext>): TransferChoice {
  const forSop = [...accepted].filter((c) => c.abstractSyntax === instance.sopClassUid && c.requestorScu);
  const sopName = uidName(instance.sopClassUid);
  if (forSop.length === 0) return { kind: 'refused', reason: `peer does not accept ${sopName}` };
  const own = forSop.find((c) => c.transferSyntax === instance.transferSyntax);
  if (own) return { kind: 'as-is', context: own };
  const ownName = lookupTransferSyntax(instance.transferSyntax)?.name ?? instance.transferSyntax;
  if (!isConvertible(instance.transferSyntax)) {
    return { kind: 'refused', reason: `peer does not accept ${ownName} for ${sopName} and decompression is not available yet` };
  }
  for (const target of CONVERSION_TARGETS) {
    const context = forSop.find((c) => c.transferSyntax === target);
    if (context) return { kind: 'convert', context };
  }
  const offered = [...new Set(forSop.map((c) => lookupTransferSyntax(c.transferSyntax)?.name ?? c.transferSyntax))].join(', ');
  return { kind: 'refused', reason: `peer accepts ${sopName} only in ${offered}, which ${ownName} cannot be converted to yet` };
}
