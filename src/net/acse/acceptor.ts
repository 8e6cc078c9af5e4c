import type { Socket } from 'node:net';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../core/implementation.js';
import { type Logger, silentLogger } from '../../core/logging.js';
import { type AAssociateAc, type AAssociateRq, type AsyncOperationsWindow, PduType } from '../pdu/types.js';
import { describeTransition, type Indication, UpperLayer } from '../ul/upper-layer.js';
import { Association, type AssociationOptions } from './association.js';
import { DEFAULT_MAX_PDU_LENGTH, DICOM_APPLICATION_CONTEXT, Reject } from './constants.js';
import { negotiateAsAcceptor, type SupportedSyntaxes } from './presentation-context.js';
import { type ExtendedNegotiationAnswer, negotiateExtendedAsAcceptor } from './sop-class-extended-negotiation.js';

export interface AcceptorPolicy extends AssociationOptions {
  readonly aeTitle: string;
  /** Reject an RQ whose Called AE Title is not ours (default true). */
  readonly checkCalledAeTitle?: boolean;
  /** When set, only these calling AE titles (optionally bound to a host address) may associate. */
  readonly allowedCallingAeTitles?: readonly (string | { readonly aeTitle: string; readonly host: string })[];
  readonly supported: SupportedSyntaxes;
  /**
   * Answers the RQ's SOP Class Extended Negotiation sub-items (PS3.7 D.3.3.5): called once per accepted SOP class
   * the requestor sent one for; undefined = no sub-item in the AC. Without it, none is ever answered.
   */
  readonly extendedNegotiation?: ExtendedNegotiationAnswer;
  /** Our Maximum Length for received P-DATA-TF PDUs (default 64 KiB). */
  readonly maxPduLength?: number;
  /** Operations we perform at once on one association (default 16; 0 = unlimited). */
  readonly asyncOperations?: AsyncOperationsWindow;
  readonly artimTimeout?: number;
  readonly logger?: Logger;
  /** A reason to reject every association at once (server full): answered with this RJ. */
  readonly rejectAll?: readonly [number, number, number];
}

/** Why an association attempt ended before it was established, for the server's log line. */
export interface AcceptFailure {
  readonly rq?: AAssociateRq;
  readonly reason: string;
}

/**
 * Runs the acceptor side of association establishment on a new connection (Evt5 → AE-5, then AE-6 with our
 * policy deciding Evt7 or Evt8). Resolves with the Association, or with the reason it did not come about.
 */
export function acceptAssociation(socket: Socket, policy: AcceptorPolicy): Promise<Association | AcceptFailure> {
  const logger = policy.logger ?? silentLogger;
  const maxPduLength = policy.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
  return new Promise((resolve) => {
    let association: Association | undefined;
    let settled = false;
    let rq: AAssociateRq | undefined;
    const done = (result: Association | AcceptFailure): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const reject = (why: string, [result, source, reason]: readonly [number, number, number]): void => {
      ul.reject({ type: PduType.A_ASSOCIATE_RJ, result, source, reason });
      done({ rq, reason: `rejected: ${why}` });
    };
    const onIndication = (indication: Indication): void => {
      if (association) {
        association.handleIndication(indication);
        return;
      }
      switch (indication.kind) {
        case 'associate-rq': {
          rq = indication.pdu;
          if (policy.rejectAll) return reject('local limit exceeded', policy.rejectAll);
          if (rq.applicationContext !== DICOM_APPLICATION_CONTEXT) return reject(`application context ${rq.applicationContext} not supported`, Reject.APPLICATION_CONTEXT_NOT_SUPPORTED);
          if ((policy.checkCalledAeTitle ?? true) && rq.calledAeTitle !== policy.aeTitle) {
            return reject(`called AE title '${rq.calledAeTitle}' is not '${policy.aeTitle}'`, Reject.CALLED_AE_NOT_RECOGNIZED);
          }
          if (policy.allowedCallingAeTitles && !callingAllowed(rq.callingAeTitle, socket.remoteAddress ?? '', policy.allowedCallingAeTitles)) {
            return reject(`calling AE title '${rq.callingAeTitle}' is not allowed`, Reject.CALLING_AE_NOT_RECOGNIZED);
          }
          const negotiation = negotiateAsAcceptor(rq.presentationContexts, policy.supported, rq.userInformation.roleSelections ?? []);
          const extended = negotiateExtendedAsAcceptor(rq.userInformation.extendedNegotiations, negotiation.accepted.values(), policy.extendedNegotiation, logger);
          const asyncOps = negotiateAsync(rq.userInformation.asyncOperationsWindow, policy.asyncOperations ?? { maxOperationsInvoked: 16, maxOperationsPerformed: 16 });
          const ac: AAssociateAc = {
            type: PduType.A_ASSOCIATE_AC,
            protocolVersion: 1,
            calledAeTitle: rq.calledAeTitle,
            callingAeTitle: rq.callingAeTitle,
            applicationContext: DICOM_APPLICATION_CONTEXT,
            presentationContexts: negotiation.results,
            userInformation: {
              maxPduLength,
              implementationClassUid: IMPLEMENTATION_CLASS_UID,
              implementationVersionName: IMPLEMENTATION_VERSION_NAME,
              ...(rq.userInformation.asyncOperationsWindow ? { asyncOperationsWindow: asyncOps } : {}),
              ...(negotiation.roles.length ? { roleSelections: negotiation.roles } : {}),
              ...(extended.items.length ? { extendedNegotiations: extended.items } : {}),
            },
          };
          association = new Association(
            ul,
            {
              callingAeTitle: rq.callingAeTitle,
              calledAeTitle: rq.calledAeTitle,
              peerAddress: ul.remoteAddress,
              peerMaxPduLength: rq.userInformation.maxPduLength ?? 0,
              maxPduLength,
              peerImplementationClassUid: rq.userInformation.implementationClassUid,
              peerImplementationVersionName: rq.userInformation.implementationVersionName,
              contexts: negotiation.accepted,
              asyncOperations: asyncOps,
              extendedNegotiations: extended.negotiated,
            },
            { ...policy, logger },
          );
          ul.accept(ac);
          done(association);
          return;
        }
        case 'abort':
          done({ rq, reason: `aborted before the association was established (source ${indication.source}, reason ${indication.reason})` });
          return;
        case 'closed':
          done({ rq, reason: rq ? 'closed' : 'closed before any A-ASSOCIATE-RQ' });
          return;
        default:
          return;
      }
    };
    const ul = new UpperLayer({
      requestor: false,
      artimTimeout: policy.artimTimeout,
      limits: { maxPDataLength: maxPduLength + 6 },
      onIndication,
      onTransition: (t) => logger.debug({ fsm: describeTransition(t) }, 'transition'),
    });
    ul.acceptConnection(socket);
  });
}

function callingAllowed(aeTitle: string, host: string, allowed: NonNullable<AcceptorPolicy['allowedCallingAeTitles']>): boolean {
  const bare = host.replace(/^::ffff:/, '');
  return allowed.some((a) => (typeof a === 'string' ? a === aeTitle : a.aeTitle === aeTitle && (a.host === bare || a.host === host)));
}

/**
 * PS3.7 D.3.3.3: what the requestor may invoke is bounded by what we perform, and the other way round; the
 * smaller of each pair wins, 0 meaning unlimited. The result is given from the acceptor's side (what it invokes,
 * what it performs), as the A-ASSOCIATE-AC carries it.
 */
function negotiateAsync(theirs: AsyncOperationsWindow | undefined, ours: AsyncOperationsWindow): AsyncOperationsWindow {
  if (!theirs) return { maxOperationsInvoked: 1, maxOperationsPerformed: 1 };
  const min = (a: number, b: number): number => (a === 0 ? b : b === 0 ? a : Math.min(a, b));
  return {
    maxOperationsInvoked: min(theirs.maxOperationsPerformed, ours.maxOperationsInvoked),
    maxOperationsPerformed: min(theirs.maxOperationsInvoked, ours.maxOperationsPerformed),
  };
}
