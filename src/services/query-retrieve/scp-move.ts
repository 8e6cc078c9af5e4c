/**
 * The C-MOVE SCP of the Patient Root and Study Root models (PS3.4 C.4.2.3): the Identifier's unique keys select the
 * instances; the Move Destination must be one of the known AEs (else A801); Portico opens associations to it
 * (the SOP classes and transfer syntaxes of the selected files as stored, plus Explicit and Implicit VR Little Endian,
 * split when more than 128 contexts are needed) and sends each instance as a C-STORE sub-operation carrying the Move
 * Originator AE Title and Message ID. A C-CANCEL stops after the instance being sent: the association is released
 * and the final response is Cancel with the counts. No association at all: A702 with the reason.
 */
import { type Logger, silentLogger } from '../../core/logging.js';
import { connect, type Peer } from '../../net/ae.js';
import type { Association, DimseMessage } from '../../net/acse/association.js';
import { CommandField } from '../../net/dimse/command-elements.js';
import type { ScpContext, ScpResponse, ScpService } from '../../net/service.js';
import { chooseTransfer, planAssociations } from '../storage/scu-plan.js';
import type { StoreInstance } from '../storage/scu.js';
import { answerRetrieveNegotiation, negotiatedRelationalRetrieval } from './extended-negotiation.js';
import { checkRetrieveIdentifier, modelOfSopClass, type RetrieveRequest } from './levels.js';
import { failureResponse } from './scp-errors.js';
import { QR_TRANSFER_SYNTAXES } from './scp-find.js';
import { decodeRequestIdentifier } from './scp-identifier.js';
import type { QueryRetrieveProvider, RetrieveInstance } from './scp-provider.js';
import { isAssociationFailure, storeSubOperation, SubOperations } from './scp-sub-operations.js';
import { QueryRetrieveStatus } from './status.js';
import { PatientRootQueryRetrieveInformationModelMove, StudyRootQueryRetrieveInformationModelMove } from './uids.js';

export interface MoveScpOptions {
  readonly provider: QueryRetrieveProvider;
  /** Our AE title: the calling AE title of the associations to the destinations. */
  readonly aeTitle: string;
  /** The AEs instances may be moved to, by AE title. */
  readonly destinations: ReadonlyMap<string, Peer>;
  /**
   * Relational retrieve for every requestor: unique keys of the levels above may be absent (default: hierarchical,
   * unless the association negotiated relational-retrieval, PS3.4 C.5.2.1).
   */
  readonly relational?: boolean;
  readonly transferSyntaxes?: readonly string[];
  /** To connect to a destination and be accepted, in ms (default 30 s). */
  readonly connectTimeout?: number;
  /** For each C-STORE response, in ms (default 60 s). */
  readonly dimseTimeout?: number;
  readonly logger?: Logger;
}

export function moveScp(options: MoveScpOptions): ScpService {
  return {
    name: 'Query/Retrieve MOVE',
    sopClasses: [PatientRootQueryRetrieveInformationModelMove, StudyRootQueryRetrieveInformationModelMove],
    commands: [CommandField.C_MOVE_RQ],
    transferSyntaxes: options.transferSyntaxes ?? QR_TRANSFER_SYNTAXES,
    failureStatus: 0xc001,
    extendedNegotiation: answerRetrieveNegotiation,
    handle: (request, context) => move(request, context, options),
  };
}

/**
 * The Identifier of a C-MOVE or C-GET, decoded and checked against its model: relational when the server always is
 * or the association negotiated relational-retrieval (PS3.4 C.5.2.1, C.5.3.1). Throws what `failureResponse` answers.
 */
export function checkRetrieveRequest(request: DimseMessage, context: ScpContext, relational: boolean | undefined): RetrieveRequest {
  return checkRetrieveIdentifier(decodeRequestIdentifier(request.dataset, context.transferSyntax), modelOfSopClass(context.abstractSyntax)!.model, {
    relational: relational === true || negotiatedRelationalRetrieval(context.association, context.abstractSyntax),
  });
}

/** The instances a checked retrieve selects; A701 when they cannot be listed. */
export async function selectInstances(provider: QueryRetrieveProvider, request: RetrieveRequest, logger: Logger): Promise<readonly RetrieveInstance[] | ScpResponse> {
  try {
    return await provider.retrieveInstances(request);
  } catch (error) {
    const response = failureResponse(error, logger, 'listing the matches');
    if (response.status !== 0xc001) return response;
    return { status: QueryRetrieveStatus.OUT_OF_RESOURCES_CALCULATING_MATCHES, fields: response.fields };
  }
}

async function* move(request: DimseMessage, context: ScpContext, options: MoveScpOptions): AsyncGenerator<ScpResponse> {
  const logger = options.logger ?? silentLogger;
  let retrieve: RetrieveRequest;
  try {
    retrieve = checkRetrieveRequest(request, context, options.relational);
  } catch (error) {
    yield failureResponse(error, logger, 'C-MOVE');
    return;
  }
  const destinationName = (request.command.moveDestination ?? '').trim();
  const destination = options.destinations.get(destinationName);
  if (destination === undefined) {
    yield { status: QueryRetrieveStatus.MOVE_DESTINATION_UNKNOWN, fields: { errorComment: `move destination '${destinationName}' is unknown` } };
    return;
  }
  const selected = await selectInstances(options.provider, retrieve, logger);
  if (!Array.isArray(selected)) {
    yield selected as ScpResponse;
    return;
  }
  const instances = selected as readonly RetrieveInstance[];
  const ops = new SubOperations(instances.length);
  const originator = { aeTitle: context.association.params.callingAeTitle, messageId: request.command.messageId ?? 0 };
  // Placeholders for planning (the real header is read when each is sent): SOP class and syntax as indexed.
  const byPlaceholder = new Map<StoreInstance, RetrieveInstance>();
  const placeholders = instances.map((i) => {
    const p: StoreInstance = { sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, transferSyntax: i.transferSyntaxUid, size: 0, label: i.path, source: { kind: 'file', path: i.path, datasetOffset: 0 } };
    byPlaceholder.set(p, i);
    return p;
  });
  let cancelled = false;
  let comment: string | undefined;
  const failRest = (rest: readonly RetrieveInstance[]): void => {
    for (const i of rest) ops.record(i.sopInstanceUid, 'failure', comment);
  };
  const plans = planAssociations(placeholders);
  for (let p = 0; p < plans.length && !cancelled; p++) {
    const plan = plans[p]!;
    const targets = plan.instances.map((i) => byPlaceholder.get(i)!);
    if (context.signal.aborted) {
      cancelled = true;
      break;
    }
    let association: Association;
    try {
      association = await connect(destination, {
        aeTitle: options.aeTitle,
        contexts: plan.contexts,
        connectTimeout: options.connectTimeout ?? 30_000,
        dimseTimeout: options.dimseTimeout ?? 60_000,
        logger,
      });
    } catch (error) {
      comment = `cannot connect to ${destinationName}: ${(error as Error).message}`;
      logger.warn({ destination: destinationName, err: (error as Error).message }, 'C-MOVE: no association with the destination');
      failRest(plans.slice(p).flatMap((rest) => rest.instances.map((i) => byPlaceholder.get(i)!)));
      break;
    }
    let lost = false;
    try {
      for (let k = 0; k < targets.length; k++) {
        if (context.signal.aborted) {
          cancelled = true;
          break;
        }
        let result;
        try {
          result = await storeSubOperation(association, targets[k]!, { chooseTransfer: (i) => chooseTransfer(i, association.params.contexts.values()), moveOriginator: originator, priority: request.command.priority });
        } catch (error) {
          if (!isAssociationFailure(error)) throw error;
          comment = `${destinationName}: ${(error as Error).message}`;
          failRest(targets.slice(k));
          lost = true;
          break;
        }
        ops.record(targets[k]!.sopInstanceUid, result.outcome, result.detail);
        if (result.outcome !== 'success') logger.warn({ destination: destinationName, sopInstanceUid: targets[k]!.sopInstanceUid, detail: result.detail }, `C-MOVE sub-operation ${result.outcome}`);
        const pending = ops.pendingDue();
        if (pending) yield pending;
      }
    } finally {
      if (association.outcome === undefined) await association.release().catch(() => association.abort());
    }
    if (lost) {
      failRest(plans.slice(p + 1).flatMap((rest) => rest.instances.map((i) => byPlaceholder.get(i)!)));
      break;
    }
  }
  logger.info({ destination: destinationName, instances: instances.length, completed: ops.completed, failed: ops.failed, warning: ops.warning, cancelled }, 'C-MOVE done');
  yield await ops.final(context.transferSyntax, { cancelled, comment: cancelled ? undefined : comment });
}
