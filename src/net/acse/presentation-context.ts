import type {
  PresentationContextAc,
  PresentationContextRq,
  RoleSelection,
} from '../pdu/types.js';
import { PresentationContextResult } from '../pdu/types.js';

/** A presentation context both sides agreed on. */
export interface AcceptedContext {
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntax: string;
  /** The requestor may act as SCU / SCP for this SOP class (PS3.7 D.3.3.4; default SCU only). */
  readonly requestorScu: boolean;
  readonly requestorScp: boolean;
}

/**
 * What an acceptor supports: per abstract syntax, its transfer syntaxes in preference order (a Map, or a lookup that
 * also answers for abstract syntaxes no list names, as a promiscuous Storage SCP does).
 */
export interface SupportedSyntaxes {
  get(abstractSyntax: string): readonly string[] | undefined;
}

export interface AcceptorNegotiation {
  readonly results: PresentationContextAc[];
  readonly accepted: Map<number, AcceptedContext>;
  readonly roles: RoleSelection[];
}

/**
 * The acceptor's side (PS3.7 D.3.3, PS3.8 §7.1.1.13): each proposed context is accepted with the first transfer
 * syntax in *our* preference order that the requestor offered; otherwise rejected with reason 3 (abstract syntax
 * not supported) or 4 (transfer syntaxes not supported). Role selection is answered for the SOP classes we
 * accepted, granting what was asked when `allowScpRole` permits it.
 */
export function negotiateAsAcceptor(
  proposed: readonly PresentationContextRq[],
  supported: SupportedSyntaxes,
  roleSelections: readonly RoleSelection[] = [],
  allowScpRole: (sopClassUid: string) => boolean = () => true,
): AcceptorNegotiation {
  const results: PresentationContextAc[] = [];
  const accepted = new Map<number, AcceptedContext>();
  const roleBySop = new Map(roleSelections.map((r) => [r.sopClassUid, r]));
  const roles: RoleSelection[] = [];
  const answeredRoles = new Set<string>();
  for (const pc of proposed) {
    const ours = supported.get(pc.abstractSyntax);
    if (ours === undefined) {
      results.push({ id: pc.id, result: PresentationContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED, transferSyntax: pc.transferSyntaxes[0] ?? '' });
      continue;
    }
    const ts = ours.find((t) => pc.transferSyntaxes.includes(t));
    if (ts === undefined) {
      results.push({ id: pc.id, result: PresentationContextResult.TRANSFER_SYNTAXES_NOT_SUPPORTED, transferSyntax: pc.transferSyntaxes[0] ?? '' });
      continue;
    }
    const asked = roleBySop.get(pc.abstractSyntax);
    const requestorScp = asked ? asked.scpRole && allowScpRole(pc.abstractSyntax) : false;
    const requestorScu = asked ? asked.scuRole : true;
    if (asked && !answeredRoles.has(pc.abstractSyntax)) {
      answeredRoles.add(pc.abstractSyntax);
      roles.push({ sopClassUid: pc.abstractSyntax, scuRole: requestorScu, scpRole: requestorScp });
    }
    results.push({ id: pc.id, result: PresentationContextResult.ACCEPTANCE, transferSyntax: ts });
    accepted.set(pc.id, { id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntax: ts, requestorScu, requestorScp });
  }
  return { results, accepted, roles };
}

/**
 * The requestor's side: which of the proposed contexts the acceptor accepted, with the transfer syntax it chose.
 * A result for a context we did not propose, or an accepted transfer syntax we did not offer, is ignored.
 */
export function acceptedAsRequestor(
  proposed: readonly PresentationContextRq[],
  results: readonly PresentationContextAc[],
  roles: readonly RoleSelection[] = [],
): Map<number, AcceptedContext> {
  const byId = new Map(proposed.map((p) => [p.id, p]));
  const roleBySop = new Map(roles.map((r) => [r.sopClassUid, r]));
  const accepted = new Map<number, AcceptedContext>();
  for (const r of results) {
    const pc = byId.get(r.id);
    if (!pc || r.result !== PresentationContextResult.ACCEPTANCE || !pc.transferSyntaxes.includes(r.transferSyntax)) continue;
    const role = roleBySop.get(pc.abstractSyntax);
    accepted.set(r.id, {
      id: r.id,
      abstractSyntax: pc.abstractSyntax,
      transferSyntax: r.transferSyntax,
      requestorScu: role ? role.scuRole : true,
      requestorScp: role ? role.scpRole : false,
    });
  }
  return accepted;
}

/** Presentation contexts for a list of abstract syntaxes, IDs 1, 3, 5, ... (at most 128, PS3.8 §9.3.2.2). */
export function proposeContexts(requests: readonly { abstractSyntax: string; transferSyntaxes: readonly string[] }[]): PresentationContextRq[] {
  if (requests.length > 128) throw new RangeError(`at most 128 presentation contexts can be proposed, not ${requests.length}`);
  return requests.map((r, i) => ({ id: 2 * i + 1, abstractSyntax: r.abstractSyntax, transferSyntaxes: r.transferSyntaxes }));
}
