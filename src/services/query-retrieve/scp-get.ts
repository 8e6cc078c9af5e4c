/**
 * The C-GET SCP of the Patient Root and Study Root models (PS3.4 C.4.3.3): the Identifier's unique keys select the
 * instances, which go back as C-STORE sub-operations on the same association, to the requestor acting as Storage
 * SCP — on the contexts for which SCP/SCU Role Selection gave it the SCP role (PS3.7 D.3.3.4). An instance is sent
 * as stored when its transfer syntax was accepted, else converted between the uncompressed syntaxes; with no context
 * for its SOP class (or only for syntaxes it cannot be converted to) it is a failed sub-operation, in the Failed SOP
 * Instance UID List. A C-CANCEL stops after the instance being sent (final response Cancel with the counts).
 */
import { type Logger, silentLogger } from '../../core/logging.js';
import type { DimseMessage } from '../../net/acse/association.js';
import type { AcceptedContext } from '../../net/acse/presentation-context.js';
import { CommandField } from '../../net/dimse/command-elements.js';
import type { ScpContext, ScpResponse, ScpService } from '../../net/service.js';
import { chooseTransfer } from '../storage/scu-plan.js';
import { answerRetrieveNegotiation } from './extended-negotiation.js';
import type { RetrieveRequest } from './levels.js';
import { failureResponse } from './scp-errors.js';
import { QR_TRANSFER_SYNTAXES } from './scp-find.js';
import { checkRetrieveRequest, selectInstances } from './scp-move.js';
import type { QueryRetrieveProvider, RetrieveInstance } from './scp-provider.js';
import { storeSubOperation, SubOperations } from './scp-sub-operations.js';
import { PatientRootQueryRetrieveInformationModelGet, StudyRootQueryRetrieveInformationModelGet } from './uids.js';

export interface GetScpOptions {
  readonly provider: QueryRetrieveProvider;
  /**
   * Relational retrieve for every requestor: unique keys of the levels above may be absent (default: hierarchical,
   * unless the association negotiated relational-retrieval, PS3.4 C.5.3.1).
   */
  readonly relational?: boolean;
  readonly transferSyntaxes?: readonly string[];
  readonly logger?: Logger;
}

export function getScp(options: GetScpOptions): ScpService {
  return {
    name: 'Query/Retrieve GET',
    sopClasses: [PatientRootQueryRetrieveInformationModelGet, StudyRootQueryRetrieveInformationModelGet],
    commands: [CommandField.C_GET_RQ],
    transferSyntaxes: options.transferSyntaxes ?? QR_TRANSFER_SYNTAXES,
    allowsRequestorScp: true,
    failureStatus: 0xc001,
    extendedNegotiation: answerRetrieveNegotiation,
    handle: (request, context) => get(request, context, options),
  };
}

/**
 * The contexts on which we may send C-STORE-RQs as the association's acceptor: those where the requestor took the
 * SCP role, seen as if they were ours to use as SCU (what `chooseTransfer` looks for).
 */
export function storageContextsForGet(contexts: Iterable<AcceptedContext>): AcceptedContext[] {
  return [...contexts].filter((c) => c.requestorScp).map((c) => ({ ...c, requestorScu: true }));
}

async function* get(request: DimseMessage, context: ScpContext, options: GetScpOptions): AsyncGenerator<ScpResponse> {
  const logger = options.logger ?? silentLogger;
  let retrieve: RetrieveRequest;
  try {
    retrieve = checkRetrieveRequest(request, context, options.relational);
  } catch (error) {
    yield failureResponse(error, logger, 'C-GET');
    return;
  }
  const selected = await selectInstances(options.provider, retrieve, logger);
  if (!Array.isArray(selected)) {
    yield selected as ScpResponse;
    return;
  }
  const instances = selected as readonly RetrieveInstance[];
  const association = context.association;
  const contexts = storageContextsForGet(association.params.contexts.values());
  const ops = new SubOperations(instances.length);
  let cancelled = false;
  for (const target of instances) {
    if (context.signal.aborted) {
      cancelled = true;
      break;
    }
    // An association failure throws: nothing can be sent or answered on it any more.
    const result = await storeSubOperation(association, target, { chooseTransfer: (i) => chooseTransfer(i, contexts), priority: request.command.priority });
    ops.record(target.sopInstanceUid, result.outcome, result.detail);
    if (result.outcome !== 'success') logger.warn({ sopInstanceUid: target.sopInstanceUid, detail: result.detail }, `C-GET sub-operation ${result.outcome}`);
    const pending = ops.pendingDue();
    if (pending) yield pending;
  }
  logger.info({ peer: association.params.callingAeTitle, instances: instances.length, completed: ops.completed, failed: ops.failed, warning: ops.warning, cancelled }, 'C-GET done');
  yield await ops.final(context.transferSyntax, { cancelled });
}
