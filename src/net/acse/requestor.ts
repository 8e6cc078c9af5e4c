import { connect as tcpConnect, type Socket } from 'node:net';
import { AssociationAbortedError, AssociationRejectedError, NetworkError, NetworkTimeoutError } from '../../core/errors.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../core/implementation.js';
import { type Logger, silentLogger } from '../../core/logging.js';
import { type AAssociateRq, type AsyncOperationsWindow, PduType, type RoleSelection, type SopClassExtendedNegotiation, type UserIdentityRq } from '../pdu/types.js';
import { describeTransition, type Indication, UpperLayer } from '../ul/upper-layer.js';
import { Association, type AssociationOptions } from './association.js';
import { DEFAULT_MAX_PDU_LENGTH, DICOM_APPLICATION_CONTEXT, describeReject } from './constants.js';
import { acceptedAsRequestor, proposeContexts } from './presentation-context.js';
import { extendedAsRequestor } from './sop-class-extended-negotiation.js';

export interface RequestAssociationOptions extends AssociationOptions {
  readonly host: string;
  readonly port: number;
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  /** What to propose: one presentation context per entry. */
  readonly contexts: readonly { readonly abstractSyntax: string; readonly transferSyntaxes: readonly string[] }[];
  readonly roleSelections?: readonly RoleSelection[];
  /**
   * SOP Class Extended Negotiation sub-items to propose (PS3.7 D.3.3.5), at most one per SOP class; the acceptor's
   * answers are then `association.extendedNegotiation(sopClassUid)`.
   */
  readonly extendedNegotiations?: readonly SopClassExtendedNegotiation[];
  readonly asyncOperations?: AsyncOperationsWindow;
  readonly userIdentity?: UserIdentityRq;
  /** Our Maximum Length for received P-DATA-TF PDUs (default 64 KiB). */
  readonly maxPduLength?: number;
  /** Time to connect and get the A-ASSOCIATE-AC/RJ, in ms (default 30 s). */
  readonly connectTimeout?: number;
  readonly artimTimeout?: number;
  readonly logger?: Logger;
}

/**
 * Opens an association as requestor: TCP connect (Evt1/Evt2), A-ASSOCIATE-RQ, and the acceptor's answer.
 * Rejects with AssociationRejectedError (A-ASSOCIATE-RJ), AssociationAbortedError, NetworkError (refused,
 * reset) or NetworkTimeoutError.
 */
export function requestAssociation(options: RequestAssociationOptions): Promise<Association> {
  const logger = options.logger ?? silentLogger;
  const maxPduLength = options.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH;
  const proposed = proposeContexts(options.contexts);
  const rq: AAssociateRq = {
    type: PduType.A_ASSOCIATE_RQ,
    protocolVersion: 1,
    calledAeTitle: options.calledAeTitle,
    callingAeTitle: options.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: proposed,
    userInformation: {
      maxPduLength,
      implementationClassUid: IMPLEMENTATION_CLASS_UID,
      implementationVersionName: IMPLEMENTATION_VERSION_NAME,
      ...(options.asyncOperations ? { asyncOperationsWindow: options.asyncOperations } : {}),
      ...(options.roleSelections?.length ? { roleSelections: options.roleSelections } : {}),
      ...(options.extendedNegotiations?.length ? { extendedNegotiations: options.extendedNegotiations } : {}),
      ...(options.userIdentity ? { userIdentityRq: options.userIdentity } : {}),
    },
  };
  return new Promise<Association>((resolve, reject) => {
    let association: Association | undefined;
    let settled = false;
    const where = `${options.calledAeTitle}@${options.host}:${options.port}`;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const onIndication = (indication: Indication): void => {
      if (association) {
        association.handleIndication(indication);
        return;
      }
      switch (indication.kind) {
        case 'associate-ac': {
          const ac = indication.pdu;
          const contexts = acceptedAsRequestor(proposed, ac.presentationContexts, ac.userInformation.roleSelections);
          association = new Association(
            ul,
            {
              callingAeTitle: options.callingAeTitle,
              calledAeTitle: options.calledAeTitle,
              peerAddress: `${options.host}:${options.port}`,
              peerMaxPduLength: ac.userInformation.maxPduLength ?? 0,
              maxPduLength,
              peerImplementationClassUid: ac.userInformation.implementationClassUid,
              peerImplementationVersionName: ac.userInformation.implementationVersionName,
              contexts,
              asyncOperations: ac.userInformation.asyncOperationsWindow ?? { maxOperationsInvoked: 1, maxOperationsPerformed: 1 },
              extendedNegotiations: extendedAsRequestor(options.extendedNegotiations, ac.userInformation.extendedNegotiations),
            },
            { ...options, logger },
          );
          settled = true;
          clearTimeout(timer);
          resolve(association);
          return;
        }
        case 'associate-rj': {
          const { result, source, reason } = indication.pdu;
          fail(new AssociationRejectedError(result, source, reason, `${where}: ${describeReject(result, source, reason)}`));
          return;
        }
        case 'abort':
          fail(new AssociationAbortedError(indication.source, indication.reason, `${where}: the association was aborted while being negotiated (source ${indication.source}, reason ${indication.reason})`));
          return;
        case 'closed':
          fail(new NetworkError(`${where}: the connection was closed before the association was accepted`));
          return;
        default:
          return;
      }
    };
    const ul = new UpperLayer({
      requestor: true,
      artimTimeout: options.artimTimeout,
      limits: { maxPDataLength: maxPduLength + 6 },
      onIndication,
      onTransition: (t) => logger.debug({ fsm: describeTransition(t) }, 'transition'),
    });
    const socket: Socket = tcpConnect({ host: options.host, port: options.port });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ECONNREFUSED' ? 'connection refused' : error.code === 'ECONNRESET' ? 'connection reset' : error.code === 'ENOTFOUND' ? 'host not found' : error.message;
      fail(new NetworkError(`${where}: ${why}`, { cause: error }));
    });
    const timer = setTimeout(() => fail(new NetworkTimeoutError(`${where}: no answer within ${(options.connectTimeout ?? 30_000) / 1000} s`)), options.connectTimeout ?? 30_000);
    ul.requestConnection(socket, rq);
    socket.once('connect', () => ul.connected());
  });
}
