/**
 * Storage SCU (PS3.4 Annex B, PS3.7 §9.1.1): what to propose for a set of instances, which accepted context each
 * instance goes on, and the C-STORE requests themselves.
 *
 * An instance is sent in its own transfer syntax when the peer accepts it — a file's dataset bytes exactly as they
 * are on disk (full level-2 conformance: private attributes and all) — and otherwise converted on the fly between
 * the uncompressed syntaxes (Explicit/Implicit VR Little Endian, Explicit VR Big Endian, Deflated). A compressed
 * instance whose syntax the peer refused cannot be sent until decompression exists.
 */
import { AssociationAbortedError, NetworkError, NetworkTimeoutError } from '../../core/errors.js';
import { describeStatus, statusCategory } from '../../core/status.js';
import type { Association, DimseMessage } from '../../net/acse/association.js';
import type { AcceptedContext } from '../../net/acse/presentation-context.js';
import { cStoreRq } from '../../net/dimse/c-store.js';
import { counted, type DatasetBytes, datasetBytes, ReadBuffers, type StoreInstance, StoreSourceError } from './scu-instance.js';
import { chooseTransfer } from './scu-plan.js';
import { STORAGE_STATUS } from './status.js';

export {
  datasetInstance,
  type DatasetInstanceOptions,
  type InstanceSource,
  type StoreInstance,
  StoreSourceError,
} from './scu-instance.js';
export {
  type AssociationPlan,
  chooseTransfer,
  type ContextProposal,
  isConvertible,
  MAX_CONTEXTS,
  planAssociations,
  proposedContexts,
  type TransferChoice,
} from './scu-plan.js';

// -- Statuses -------------------------------------------------------------------------------------------------------

export type StoreOutcome = 'success' | 'warning' | 'failure';

/**
 * What a C-STORE response status means for the sender (PS3.4 Table B.2-1 and the seeds): success; warning
 * (B000, B006, B007: stored, reported); failure, of which A7xx (out of resources) is transient — worth sending
 * again later on a new association. Any status not success or warning (pending or cancel included) is a failure.
 */
export function classifyStoreStatus(status: number): { readonly outcome: StoreOutcome; readonly transient: boolean } {
  const category = statusCategory(status, STORAGE_STATUS);
  const outcome: StoreOutcome = category === 'success' ? 'success' : category === 'warning' ? 'warning' : 'failure';
  return { outcome, transient: outcome === 'failure' && (status & 0xff00) === 0xa700 };
}

// -- Sending --------------------------------------------------------------------------------------------------------

/** The result of one attempt to store one instance. */
export interface StoreResult {
  readonly instance: StoreInstance;
  readonly outcome: StoreOutcome;
  /** The C-STORE-RSP status; undefined when the instance was not sent (refused by negotiation, unreadable). */
  readonly status?: number;
  /** The response's Error Comment (0000,0902). */
  readonly errorComment?: string;
  /** One line: the status described, or why the instance was not sent. */
  readonly detail: string;
  /** A failure worth trying again on a new association (A7xx out of resources). */
  readonly transient: boolean;
  /** The transfer syntax it went in, when it was sent. */
  readonly transferSyntax?: string;
  /** It went in another syntax than its own. */
  readonly converted: boolean;
  /** Dataset bytes sent. */
  readonly bytes: number;
}

export interface StoreOptions {
  /** C-STORE priority (default MEDIUM). */
  readonly priority?: number;
  /** `abort`: at the first failure, abort the association and stop (the Ez Dicom Converter / DICOM Camera way). */
  readonly onFailure?: 'continue' | 'abort';
  /** Called as dataset bytes go out. */
  readonly onBytes?: (instance: StoreInstance, bytes: number) => void;
  /** Aborts the association and stops. */
  readonly signal?: AbortSignal;
}

/**
 * Sends instances on an established association, one C-STORE after another, and yields one result per instance
 * tried. It stops early — having aborted the association — with `onFailure: 'abort'` after a failure, and when
 * reading an instance failed half-way through its dataset (the message cannot be completed). When the association
 * fails (aborted by the peer, network error, no response in time: it is then aborted) it throws that error; the
 * instance being sent then has no result.
 */
export async function* storeInstances(association: Association, instances: Iterable<StoreInstance>, options: StoreOptions = {}): AsyncGenerator<StoreResult> {
  const stop = (): undefined => {
    association.abort();
    return undefined;
  };
  const list = [...instances];
  const buffers = new ReadBuffers();
  // The next instance is prepared (opened, its first bytes read) while this one goes out and its response comes.
  let next: Promise<Prepared> | undefined = list.length > 0 ? prepare(association, list[0]!, buffers) : undefined;
  try {
    for (let k = 0; k < list.length; k++) {
      const prepared = await next!;
      next = k + 1 < list.length ? prepare(association, list[k + 1]!, buffers) : undefined;
      const instance = prepared.instance;
      if (options.signal?.aborted) {
        if (prepared.kind === 'ready') await prepared.source.close();
        association.abort();
        throw new StoreSourceError('the transfer was cancelled');
      }
      if (prepared.kind !== 'ready') {
        yield localFailure(instance, prepared.kind === 'refused' ? prepared.reason : describeSourceError(instance, prepared.error));
        if (options.onFailure === 'abort') return stop();
        continue;
      }
      const { context, convert, source } = prepared;
      const sending = counted(source.stream, (n) => options.onBytes?.(instance, n));
      let response: DimseMessage;
      try {
        const command = cStoreRq({
          messageId: association.newMessageId(),
          affectedSopClassUid: instance.sopClassUid,
          affectedSopInstanceUid: instance.sopInstanceUid,
          priority: options.priority,
        });
        response = await association.requestOne(context.id, command, sending.stream);
      } catch (error) {
        if (sending.failed !== undefined) {
          // Reading the source failed half-way: the message cannot be finished, so the association must go.
          association.abort();
          yield localFailure(instance, describeSourceError(instance, sending.failed));
          return undefined;
        }
        if (!sending.started && association.outcome === undefined && !isAssociationFailure(error)) {
          // Failed before the request went out (its command could not be encoded): the association is intact.
          yield localFailure(instance, describeSourceError(instance, error));
          if (options.onFailure === 'abort') return stop();
          continue;
        }
        association.abort();
        throw error;
      } finally {
        await source.close();
      }
      const transferSyntax = context.transferSyntax;
      const status = response.command.status ?? 0xffff;
      const { outcome, transient } = classifyStoreStatus(status);
      const errorComment = response.command.errorComment?.trim() || undefined;
      yield {
        instance,
        outcome,
        status,
        ...(errorComment ? { errorComment } : {}),
        detail: `${describeStatus(status, STORAGE_STATUS)}${errorComment ? `: ${errorComment}` : ''}`,
        transient,
        transferSyntax,
        converted: convert,
        bytes: sending.bytes,
      };
      if (outcome === 'failure' && options.onFailure === 'abort') return stop();
    }
  } finally {
    // An instance prepared but not sent lets go of its file.
    if (next !== undefined) void next.then((p) => (p.kind === 'ready' ? p.source.close() : undefined)).catch(() => undefined);
  }
  return undefined;
}

/** An instance made ready to send: its context and its bytes, or why it cannot be sent. */
type Prepared =
  | { readonly kind: 'ready'; readonly instance: StoreInstance; readonly context: AcceptedContext; readonly convert: boolean; readonly source: DatasetBytes }
  | { readonly kind: 'refused'; readonly instance: StoreInstance; readonly reason: string }
  | { readonly kind: 'failed'; readonly instance: StoreInstance; readonly error: unknown };

/** Chooses the context and opens the dataset; never rejects. */
async function prepare(association: Association, instance: StoreInstance, buffers: ReadBuffers): Promise<Prepared> {
  const choice = chooseTransfer(instance, association.params.contexts.values());
  if (choice.kind === 'refused') return { kind: 'refused', instance, reason: choice.reason };
  const convert = choice.kind === 'convert';
  try {
    const source = await datasetBytes(instance, convert ? choice.context.transferSyntax : undefined, buffers);
    return { kind: 'ready', instance, context: choice.context, convert, source };
  } catch (error) {
    return { kind: 'failed', instance, error };
  }
}

const isAssociationFailure = (error: unknown): boolean =>
  error instanceof AssociationAbortedError || error instanceof NetworkError || error instanceof NetworkTimeoutError;

function localFailure(instance: StoreInstance, detail: string): StoreResult {
  return { instance, outcome: 'failure', detail, transient: false, converted: false, bytes: 0 };
}

function describeSourceError(instance: StoreInstance, error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return `${instance.label}: the file is gone`;
  const text = error instanceof Error ? error.message : String(error);
  return text.includes(instance.label) ? text : `${instance.label}: ${text}`;
}
