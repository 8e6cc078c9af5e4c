/**
 * The C-STORE sub-operations of a C-MOVE or C-GET (PS3.4 C.4.2.3, C.4.3.3) and their bookkeeping: each selected
 * instance is read from its file when its turn comes (only its header first), sent in its own transfer syntax when
 * the association has a context for it (the bytes as stored), else converted between the uncompressed syntaxes,
 * else counted as failed. Pending responses carry the Remaining / Completed / Failed / Warning counts, at most one
 * every `PENDING_INTERVAL_MS` (a study of thousands of instances does not get thousands of responses); the final one
 * is Success, Warning B000 (some failed or had warnings), A702 (all failed) or Cancel FE00, with the Failed SOP
 * Instance UID List (0008,0058) as its Identifier whenever some failed.
 */
import { stat } from 'node:fs/promises';
import { AssociationAbortedError, NetworkError, NetworkTimeoutError } from '../../core/errors.js';
import { Dataset } from '../../data/dataset.js';
import type { Association, DimseMessage } from '../../net/acse/association.js';
import { cStoreRq } from '../../net/dimse/c-store.js';
import type { ScpResponse } from '../../net/service.js';
import { readHeader } from '../storage/file-source.js';
import { counted, datasetBytes } from '../storage/scu-instance.js';
import type { TransferChoice } from '../storage/scu-plan.js';
import { classifyStoreStatus, type StoreInstance, type StoreOutcome } from '../storage/scu.js';
import { FAILED_SOP_INSTANCE_UID_LIST } from './levels.js';
import { encodeBare } from './scp-identifier.js';
import type { RetrieveInstance } from './scp-provider.js';
import { QueryRetrieveStatus } from './status.js';

/** Pending responses are sent no more often than this. */
export const PENDING_INTERVAL_MS = 100;

/** Sub-operation counts are US (PS3.7 Table 9.3-8): what does not fit is reported as 65535. */
const us = (n: number): number => Math.min(n, 0xffff);

/** The running counts of one C-MOVE / C-GET, and the responses that report them. */
export class SubOperations {
  completed = 0;
  failed = 0;
  warning = 0;
  readonly failedUids: string[] = [];
  /** Why the first failed one failed (for the final Error Comment). */
  firstFailure: string | undefined;
  #lastPending = Number.NEGATIVE_INFINITY;

  constructor(
    readonly total: number,
    readonly now: () => number = () => performance.now(),
  ) {}

  get remaining(): number {
    return this.total - this.completed - this.failed - this.warning;
  }

  record(sopInstanceUid: string, outcome: StoreOutcome, detail?: string): void {
    if (outcome === 'success') this.completed++;
    else if (outcome === 'warning') this.warning++;
    else {
      this.failed++;
      this.failedUids.push(sopInstanceUid);
      this.firstFailure ??= detail;
    }
  }

  /** A pending response, when the last one is at least PENDING_INTERVAL_MS old and sub-operations remain. */
  pendingDue(): ScpResponse | undefined {
    const now = this.now();
    if (this.remaining === 0 || now - this.#lastPending < PENDING_INTERVAL_MS) return undefined;
    this.#lastPending = now;
    return { status: QueryRetrieveStatus.PENDING, fields: { ...this.#counts(), remainingSuboperations: us(this.remaining) } };
  }

  /**
   * The final response: Cancel with the Remaining count when cancelled; else Success, Warning B000 (some failed or
   * had a warning status) or A702 (every one failed). The Failed SOP Instance UID List goes with any failure.
   */
  async final(transferSyntax: string, options: { readonly cancelled?: boolean; readonly comment?: string } = {}): Promise<ScpResponse> {
    let status: number;
    let comment = options.comment;
    if (options.cancelled) status = QueryRetrieveStatus.CANCEL;
    else if (this.failed === 0 && this.warning === 0) status = 0x0000;
    else if (this.completed === 0 && this.warning === 0) {
      status = QueryRetrieveStatus.OUT_OF_RESOURCES_SUB_OPERATIONS;
      comment ??= `all ${this.failed} sub-operations failed${this.#why()}`;
    } else {
      status = QueryRetrieveStatus.SUB_OPERATIONS_COMPLETE_WITH_FAILURES;
      comment ??= `${this.failed} failed, ${this.warning} with warnings${this.#why()}`;
    }
    const fields = {
      ...this.#counts(),
      ...(options.cancelled ? { remainingSuboperations: us(this.remaining) } : {}),
      ...(comment !== undefined && status !== 0x0000 ? { errorComment: comment } : {}),
    };
    if (this.failedUids.length === 0) return { status, fields };
    const list = new Dataset();
    list.set(FAILED_SOP_INSTANCE_UID_LIST, this.failedUids, 'UI');
    return { status, fields, dataset: await encodeBare(list, transferSyntax) };
  }

  #why(): string {
    return this.firstFailure === undefined ? '' : `: ${this.firstFailure}`;
  }

  #counts(): { completedSuboperations: number; failedSuboperations: number; warningSuboperations: number } {
    return { completedSuboperations: us(this.completed), failedSuboperations: us(this.failed), warningSuboperations: us(this.warning) };
  }
}

/** What became of one sub-operation. */
export interface SubOperationResult {
  readonly outcome: StoreOutcome;
  /** The C-STORE-RSP status; undefined when nothing was sent. */
  readonly status?: number;
  /** Why it failed or warned, for the log. */
  readonly detail?: string;
}

export interface SubOperationOptions {
  /** The context an instance goes on, converted or not, or why it cannot go. */
  readonly chooseTransfer: (instance: StoreInstance) => TransferChoice;
  /** C-MOVE: the Move Originator AE Title and Message ID the C-STORE-RQs carry. */
  readonly moveOriginator?: { readonly aeTitle: string; readonly messageId: number };
  readonly priority?: number;
}

/** The association can no longer carry sub-operations (aborted, closed, no response in time). */
export const isAssociationFailure = (error: unknown): boolean =>
  error instanceof AssociationAbortedError || error instanceof NetworkError || error instanceof NetworkTimeoutError;

/**
 * Sends one stored instance as a C-STORE sub-operation. Resolves with its outcome — a failure when the file is
 * gone or changed, or when no context fits it. Throws when the association fails (it is then aborted).
 */
export async function storeSubOperation(association: Association, target: RetrieveInstance, options: SubOperationOptions): Promise<SubOperationResult> {
  let instance: StoreInstance;
  try {
    const { size } = await stat(target.path);
    const header = await readHeader({ path: target.path, size });
    if (!('instance' in header)) return { outcome: 'failure', detail: header.skip.message };
    instance = header.instance;
  } catch (error) {
    return { outcome: 'failure', detail: `${target.path}: ${(error as Error).message}` };
  }
  if (instance.sopInstanceUid !== target.sopInstanceUid) {
    return { outcome: 'failure', detail: `${target.path} holds ${instance.sopInstanceUid}, not ${target.sopInstanceUid}` };
  }
  const choice = options.chooseTransfer(instance);
  if (choice.kind === 'refused') return { outcome: 'failure', detail: choice.reason };
  let source;
  try {
    source = await datasetBytes(instance, choice.kind === 'convert' ? choice.context.transferSyntax : undefined);
  } catch (error) {
    return { outcome: 'failure', detail: (error as Error).message };
  }
  const sending = counted(source.stream, () => undefined);
  let response: DimseMessage;
  try {
    const command = cStoreRq({
      messageId: association.newMessageId(),
      affectedSopClassUid: instance.sopClassUid,
      affectedSopInstanceUid: instance.sopInstanceUid,
      priority: options.priority,
      moveOriginatorAeTitle: options.moveOriginator?.aeTitle,
      moveOriginatorMessageId: options.moveOriginator?.messageId,
    });
    response = await association.requestOne(choice.context.id, command, sending.stream);
  } catch (error) {
    if (!sending.started && association.outcome === undefined && !isAssociationFailure(error)) {
      return { outcome: 'failure', detail: (error as Error).message };
    }
    // Half a message went out (or the association broke): it cannot carry another one.
    association.abort();
    if (sending.failed !== undefined) return { outcome: 'failure', detail: `${target.path}: ${(sending.failed as Error).message}` };
    throw error;
  } finally {
    await source.close();
  }
  const status = response.command.status ?? 0xffff;
  const { outcome } = classifyStoreStatus(status);
  const comment = response.command.errorComment;
  return { outcome, status, ...(outcome === 'success' ? {} : { detail: `status ${status.toString(16).padStart(4, '0')}${comment ? `: ${comment}` : ''}` }) };
}
