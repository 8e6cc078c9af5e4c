/**
 * Storage SCU (PS3.4 Annex B, PS3.7 §9.1.1): what to propose for a set of instances, which accepted context each
 * instance goes on, and the C-STORE requests themselves.
 *
 * An instance is sent in its own transfer syntax when the peer accepts it — a file's dataset bytes exactly as they
 * are on disk (full level-2 conformance: private attributes and all) — and otherwise converted on the fly between
 * the uncompressed syntaxes (Explicit/Implicit VR Little Endian, Explicit VR Big Endian, Deflated). A compressed
 * instance whose syntax the peer refused cannot be sent until decompression exists.
 */
import { open } from 'node:fs/promises';
import { AssociationAbortedError, DicomError, NetworkError, NetworkTimeoutError } from '../../core/errors.js';
import { describeStatus, statusCategory } from '../../core/status.js';
import type { BulkDataRef } from '../../data/bulk-data.js';
import type { Dataset } from '../../data/dataset.js';
import { uidName } from '../../dictionary/uids.js';
import { readFile } from '../../encoding/read.js';
import {
  DeflatedExplicitVRLittleEndian,
  ExplicitVRBigEndian,
  ExplicitVRLittleEndian,
  ImplicitVRLittleEndian,
  lookupTransferSyntax,
} from '../../encoding/transfer-syntax.js';
import { dicomChunks, encodeDicom } from '../../encoding/write.js';
import type { Association, DimseMessage } from '../../net/acse/association.js';
import type { AcceptedContext } from '../../net/acse/presentation-context.js';
import { cStoreRq } from '../../net/dimse/c-store.js';
import { STORAGE_STATUS } from './status.js';

// -- Instances ------------------------------------------------------------------------------------------------------

/** Where an instance's dataset comes from: the bytes after a file's meta group, or a dataset built in memory. */
export type InstanceSource =
  | { readonly kind: 'file'; readonly path: string; readonly datasetOffset: number }
  | { readonly kind: 'dataset'; readonly dataset: Dataset };

/** One SOP instance to store. */
export interface StoreInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /**
   * The transfer syntax the instance is in: a file's own, or for a dataset the one its Pixel Data is encoded for
   * (an encapsulated syntax for compressed pixel data; any uncompressed one otherwise).
   */
  readonly transferSyntax: string;
  /** Dataset bytes in its own transfer syntax (for progress and throughput). */
  readonly size: number;
  /** How reports name it: the file's path, or what the caller calls the dataset. */
  readonly label: string;
  readonly source: InstanceSource;
}

export interface DatasetInstanceOptions {
  /** How reports name it (default: its SOP Instance UID). */
  readonly label?: string;
  /** The transfer syntax its Pixel Data is encoded for (default Explicit VR Little Endian). */
  readonly transferSyntax?: string;
}

/** An instance from a dataset built in memory (a converter's output). Throws when it has no SOP Class/Instance UID. */
export function datasetInstance(dataset: Dataset, options: DatasetInstanceOptions = {}): StoreInstance {
  const sopClassUid = dataset.string('SOPClassUID');
  const sopInstanceUid = dataset.string('SOPInstanceUID');
  if (!sopClassUid || !sopInstanceUid) throw new StoreSourceError(`${options.label ?? 'dataset'}: no SOP Class UID or SOP Instance UID`);
  const transferSyntax = options.transferSyntax ?? ExplicitVRLittleEndian;
  let size = 0;
  for (const chunk of encodeDicom(dataset, { part10: false, transferSyntax })) size += chunk.length;
  return { sopClassUid, sopInstanceUid, transferSyntax, size, label: options.label ?? sopInstanceUid, source: { kind: 'dataset', dataset } };
}

/** An instance that cannot be read or sent as asked (a file that changed, a dataset without UIDs). */
export class StoreSourceError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_STORE_SOURCE', message, options);
  }
}

// -- Negotiation ----------------------------------------------------------------------------------------------------

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
  for (const instance of instances) {
    if (options.signal?.aborted) {
      association.abort();
      throw new StoreSourceError('the transfer was cancelled');
    }
    const choice = chooseTransfer(instance, association.params.contexts.values());
    if (choice.kind === 'refused') {
      yield localFailure(instance, choice.reason);
      if (options.onFailure === 'abort') return stop();
      continue;
    }
    const transferSyntax = choice.context.transferSyntax;
    let source: DatasetBytes;
    try {
      source = await datasetBytes(instance, choice.kind === 'as-is' ? undefined : transferSyntax);
    } catch (error) {
      yield localFailure(instance, describeSourceError(instance, error));
      if (options.onFailure === 'abort') return stop();
      continue;
    }
    const sending = counted(source.stream, (n) => options.onBytes?.(instance, n));
    let response: DimseMessage;
    try {
      const command = cStoreRq({
        messageId: association.newMessageId(),
        affectedSopClassUid: instance.sopClassUid,
        affectedSopInstanceUid: instance.sopInstanceUid,
        priority: options.priority,
      });
      response = await association.requestOne(choice.context.id, command, sending.stream);
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
      converted: choice.kind === 'convert',
      bytes: sending.bytes,
    };
    if (outcome === 'failure' && options.onFailure === 'abort') return stop();
  }
  return undefined;
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

/** An instance's dataset as a byte stream, and how to let go of what it holds if it is never read to the end. */
interface DatasetBytes {
  readonly stream: AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

const CHUNK = 1 << 20;

/**
 * The dataset bytes of an instance: unchanged from the file (or encoded in its own syntax) when `convertTo` is
 * undefined — except that an odd-length deflated dataset gets the padding byte PS3.5 A.5 asks for (DCMTK aborts
 * on odd fragments) — else re-encoded in `convertTo`. Whatever can fail before sending (the file changed, a parse error,
 * a value that cannot be encoded) throws here, before the C-STORE-RQ goes out.
 */
async function datasetBytes(instance: StoreInstance, convertTo: string | undefined): Promise<DatasetBytes> {
  const source = instance.source;
  if (source.kind === 'dataset') {
    const chunks = encodeDicom(source.dataset, { part10: false, transferSyntax: convertTo ?? instance.transferSyntax });
    return { stream: flatten(chunks), close: async () => undefined };
  }
  if (convertTo !== undefined) {
    const file = await readFile(source.path);
    return { stream: dicomChunks(file.dataset, { part10: false, transferSyntax: convertTo }), close: async () => undefined };
  }
  const handle = await open(source.path, 'r');
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  try {
    const { size } = await handle.stat();
    if (size - source.datasetOffset !== instance.size) {
      throw new StoreSourceError(`${source.path}: the file changed since it was read (${size - source.datasetOffset} dataset bytes, not ${instance.size})`);
    }
  } catch (error) {
    await close();
    throw error;
  }
  const padDeflated = instance.size % 2 === 1 && lookupTransferSyntax(instance.transferSyntax)?.deflated === true;
  const stream = (async function* (): AsyncGenerator<Uint8Array> {
    try {
      let position = source.datasetOffset;
      let left = instance.size;
      while (left > 0) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
        const { bytesRead } = await handle.read(buf, 0, buf.length, position);
        if (bytesRead === 0) throw new StoreSourceError(`${source.path}: the file ends early (at byte ${position})`);
        position += bytesRead;
        left -= bytesRead;
        yield buf.subarray(0, bytesRead);
      }
      // A deflated dataset of odd length (PS3.5 A.5 wants it padded): the padding byte, which inflating ignores.
      if (padDeflated) yield new Uint8Array(1);
    } finally {
      await close();
    }
  })();
  return { stream, close };
}

async function* flatten(chunks: readonly (Uint8Array | BulkDataRef)[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) {
    if (c instanceof Uint8Array) yield c;
    else yield* c.chunks();
  }
}

interface Counted {
  readonly stream: AsyncIterable<Uint8Array>;
  /** The association started reading it: the C-STORE-RQ command is out. */
  readonly started: boolean;
  /** Why reading the source failed, if it did. */
  readonly failed: unknown;
  readonly bytes: number;
}

/** Wraps a byte stream to count what goes out and to tell a failing source from a failing association. */
function counted(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): Counted {
  const state = { started: false, failed: undefined as unknown, bytes: 0 };
  const stream = (async function* (): AsyncGenerator<Uint8Array> {
    state.started = true;
    const iterator = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await iterator.next();
        } catch (error) {
          state.failed = error ?? new StoreSourceError('reading failed');
          throw error;
        }
        if (next.done) return;
        state.bytes += next.value.length;
        onBytes(next.value.length);
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  })();
  return {
    stream,
    get started() {
      return state.started;
    },
    get failed() {
      return state.failed;
    },
    get bytes() {
      return state.bytes;
    },
  };
}
