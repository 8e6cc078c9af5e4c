/**
 * One C-FIND as SCU on an established association (PS3.7 §9.1.2, §9.3.2): the request with its Identifier, each
 * pending response (FF00H, FF01H) decoded and yielded as a match, and the final response checked. Stopping early —
 * a `limit` reached, the caller's `signal` aborted, the caller leaving its `for await` — sends C-CANCEL-RQ
 * (PS3.7 §9.3.2.3) and waits for the final response (Cancel FE00H, or Success when the SCP had already finished),
 * so that the association can go on; when that response does not come in time, the association is aborted.
 *
 * Shared by the Query/Retrieve FIND SCU (`scu-find.ts`) and the Modality Worklist SCU (`../worklist/scu.ts`).
 */
import { DicomError } from '../../core/errors.js';
import type { StatusTable } from '../../core/status.js';
import type { Dataset } from '../../data/dataset.js';
import type { Association, DimseMessage } from '../../net/acse/association.js';
import { cCancelRq } from '../../net/dimse/c-cancel.js';
import { cFindRq } from '../../net/dimse/c-find.js';
import { uidName } from '../../dictionary/uids.js';
import { FindFailedError, FindNotAcceptedError, FindQueryError, FindResponseError } from './scu-find-errors.js';
import { decodeIdentifier, encodeIdentifier } from './scu-find-identifier.js';

/** Why a C-FIND was cancelled. */
export type FindCancelReason = 'limit' | 'signal' | 'stopped';

/** How a C-FIND ended (`FindStream.summary`, once the iteration is over). */
export interface FindSummary {
  /** The final response's status: 0000H, or FE00H after a C-CANCEL; undefined when the request was never sent or no final response came in time. */
  readonly status: number | undefined;
  /** Matches yielded. */
  readonly matches: number;
  /** Why C-CANCEL was sent, if it was. */
  readonly cancelled: FindCancelReason | undefined;
  /** Pending responses that came after the C-CANCEL and were dropped. */
  readonly dropped: number;
  /** No final response came within the cancel timeout: the association was aborted. */
  readonly timedOut: boolean;
  /** Some pending response was FF01H: the SCP did not support one or more optional keys. */
  readonly optionalKeysNotSupported: boolean;
}

export interface CFindOptions {
  /** The information model's FIND SOP class (the abstract syntax of the presentation context). */
  readonly sopClassUid: string;
  /** The Identifier, sent as it is (plus a Specific Character Set when a value needs one). */
  readonly identifier: Dataset;
  /** The service's statuses, for messages. */
  readonly statuses: StatusTable;
  /** Names the operation in errors: 'C-FIND', 'worklist C-FIND'. */
  readonly operation: string;
  /** Aborting it sends C-CANCEL; the iteration then ends cleanly. */
  readonly signal?: AbortSignal;
  /** Matches wanted at most: the one that reaches it is the last yielded, then C-CANCEL is sent. */
  readonly limit?: number;
  /** C-FIND priority (default MEDIUM). */
  readonly priority?: number;
  /** How long to wait for the final response after C-CANCEL before aborting the association (default 10 s). */
  readonly cancelTimeoutMs?: number;
  /** On a failure status, abort the association (DICOM Camera Table 3-15) rather than leave it open. */
  readonly abortOnFailure?: boolean;
  /** Reshapes each decoded match before it is yielded (the worklist SCU conforms items to the request). */
  readonly transform?: (match: Dataset) => Dataset;
}

const TIMEOUT = Symbol('timeout');
const noop = (): void => undefined;

/**
 * The matches of one C-FIND, for one `for await`. `summary` tells how it ended once the iteration is over (also
 * when the caller stopped early). Failures throw: `FindFailedError` (a failure status), `FindResponseError` (a
 * response that cannot be used), `FindNotAcceptedError`, and the association's own errors (aborted, timeout).
 */
export class FindStream implements AsyncIterable<Dataset> {
  #summary: FindSummary | undefined;
  #started = false;
  readonly #run: (report: (summary: FindSummary) => void) => AsyncGenerator<Dataset, void, undefined>;

  constructor(run: (report: (summary: FindSummary) => void) => AsyncGenerator<Dataset, void, undefined>) {
    this.#run = run;
  }

  /** How the C-FIND ended; undefined until the iteration is over (or when it failed). */
  get summary(): FindSummary | undefined {
    return this.#summary;
  }

  [Symbol.asyncIterator](): AsyncGenerator<Dataset, void, undefined> {
    if (this.#started) throw new DicomError('ERR_FIND_REUSED', 'a C-FIND stream can be iterated only once');
    this.#started = true;
    return this.#run((summary) => (this.#summary = summary));
  }

  /** Every match, in order. */
  async toArray(): Promise<Dataset[]> {
    const all: Dataset[] = [];
    for await (const match of this) all.push(match);
    return all;
  }
}

/** Checks `limit` and `cancelTimeoutMs` (positive whole numbers) before anything is sent. */
export function checkFindOptions(options: { readonly limit?: number; readonly cancelTimeoutMs?: number }): void {
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) {
    throw new FindQueryError(`limit must be a whole number ≥ 1, not ${String(options.limit)}`);
  }
  if (options.cancelTimeoutMs !== undefined && !(options.cancelTimeoutMs > 0)) {
    throw new FindQueryError(`cancelTimeoutMs must be > 0, not ${String(options.cancelTimeoutMs)}`);
  }
}

/** A C-FIND on an association the caller owns; the association stays open unless the C-FIND broke it. */
export function cFind(association: Association, options: CFindOptions): FindStream {
  checkFindOptions(options);
  return new FindStream((report) => runCFind(association, options, report));
}

async function* runCFind(association: Association, options: CFindOptions, report: (summary: FindSummary) => void): AsyncGenerator<Dataset, void, undefined> {
  const context = association.contextFor(options.sopClassUid);
  if (!context) {
    throw new FindNotAcceptedError(options.sopClassUid, `${association.params.calledAeTitle} did not accept the ${uidName(options.sopClassUid)}`);
  }
  const { signal, limit } = options;
  let matches = 0;
  let dropped = 0;
  let optionalKeysNotSupported = false;
  let cancelled: FindCancelReason | undefined;
  const summary = (status: number | undefined, timedOut = false): FindSummary => ({ status, matches, cancelled, dropped, timedOut, optionalKeysNotSupported });
  if (signal?.aborted) {
    cancelled = 'signal';
    report(summary(undefined));
    return;
  }

  const identifier = encodeIdentifier(options.identifier, context.transferSyntax);
  const messageId = association.newMessageId();
  const command = cFindRq({ messageId, affectedSopClassUid: options.sopClassUid, priority: options.priority });
  const responses = association.request(context.id, command, identifier)[Symbol.asyncIterator]();

  // After C-CANCEL, the final response must come within the cancel timeout.
  let timer: NodeJS.Timeout | undefined;
  let expire: () => void = noop;
  const expired = new Promise<typeof TIMEOUT>((resolve) => (expire = () => resolve(TIMEOUT)));
  let finished = false;
  const cancel = (why: FindCancelReason): void => {
    if (cancelled !== undefined || finished || association.outcome !== undefined) return;
    cancelled = why;
    association.send(context.id, cCancelRq({ messageIdBeingRespondedTo: messageId })).catch(noop);
    timer = setTimeout(expire, options.cancelTimeoutMs ?? 10_000);
  };
  const onAbort = (): void => cancel('signal');
  signal?.addEventListener('abort', onAbort, { once: true });

  /** The next response, or TIMEOUT once a C-CANCEL went unanswered too long. */
  const next = async (): Promise<IteratorResult<DimseMessage> | typeof TIMEOUT> => {
    const pending = responses.next();
    pending.catch(noop);
    return Promise.race([pending, expired]);
  };
  /** Reads responses until the final one: the matches are not wanted any more. */
  const drain = async (): Promise<FindSummary> => {
    for (;;) {
      const r = await next();
      if (r === TIMEOUT) {
        association.abort();
        return summary(undefined, true);
      }
      if (r.done) throw new FindResponseError('the association ended before the final C-FIND response');
      const status = r.value.command.status ?? 0;
      if (status !== 0xff00 && status !== 0xff01) return final(r.value);
      dropped++;
    }
  };
  /** The final response: Success, Cancel after our C-CANCEL, or a failure. */
  const final = (message: DimseMessage): FindSummary => {
    finished = true;
    const status = message.command.status ?? 0;
    if (status === 0x0000 || (status === 0xfe00 && cancelled !== undefined)) return summary(status);
    if (options.abortOnFailure) association.abort();
    throw new FindFailedError(status, options.statuses, {
      operation: options.operation,
      sopClassUid: options.sopClassUid,
      errorComment: message.command.errorComment,
      offendingElements: message.command.offendingElements,
      matches,
    });
  };

  try {
    for (;;) {
      if (cancelled !== undefined) {
        report(await drain());
        return;
      }
      const r = await next();
      if (r === TIMEOUT) continue; // only after a cancel: drain() handles it
      if (r.done) throw new FindResponseError('the association ended before the final C-FIND response');
      const message = r.value;
      const status = message.command.status ?? 0;
      if (status !== 0xff00 && status !== 0xff01) {
        report(final(message));
        return;
      }
      if (cancelled !== undefined) {
        dropped++;
        continue;
      }
      if (message.dataset === undefined) throw new FindResponseError(`a pending C-FIND response (${status === 0xff00 ? 'FF00' : 'FF01'}) without an identifier`);
      const decoded = decodeIdentifier(message.dataset, context.transferSyntax);
      const match = options.transform ? options.transform(decoded) : decoded;
      matches++;
      if (status === 0xff01) optionalKeysNotSupported = true;
      if (limit !== undefined && matches >= limit) cancel('limit');
      yield match;
    }
  } catch (error) {
    // A response we cannot use or an association that failed (timeout, protocol error): its state is unknown.
    if (!(error instanceof FindFailedError) && association.outcome === undefined) association.abort();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished && association.outcome === undefined) {
      // The caller left the loop early: cancel, and read up to the final response so the association stays usable.
      cancel('stopped');
      report(await drain().catch(() => summary(undefined)));
    }
    clearTimeout(timer);
  }
}
