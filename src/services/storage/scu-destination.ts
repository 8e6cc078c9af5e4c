/**
 * Sending a set of instances to one destination, the way the seeds' senders do: associations planned from the
 * instances (split when more than 128 presentation contexts are needed), every instance tried once, and — with
 * `retries` — the instances that could not be sent (connection refused, association aborted, no answer in time,
 * A7xx out of resources) tried again on a new association after `retryDelay` (the DICOM Camera's policy, 5 tries
 * 1 minute apart, is `retries: 4, retryDelay: 60_000`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AssociationAbortedError, AssociationRejectedError, NetworkError, NetworkTimeoutError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logging.js';
import { type ClientAssociation, connect, type Peer } from '../../net/ae.js';
import { MAX_CONTEXTS, planAssociations, type StoreInstance, type StoreOptions, type StoreResult, storeInstances } from './scu.js';

export interface DestinationOptions {
  /** Our calling AE title (default PORTICO). */
  readonly aeTitle?: string;
  /** Our Maximum Length for received PDUs; what we send is cut to the peer's. */
  readonly maxPduLength?: number;
  /** Time to connect and be accepted, in ms (default 30 s). */
  readonly connectTimeout?: number;
  /** Time to wait for each C-STORE response, in ms (default 60 s). */
  readonly dimseTimeout?: number;
  /** New associations tried for instances not sent because of the connection or a transient status (default 0). */
  readonly retries?: number;
  /** Wait before each retry, in ms (default 60 s). */
  readonly retryDelay?: number;
  readonly onFailure?: StoreOptions['onFailure'];
  readonly priority?: number;
  /** Most presentation contexts proposed on one association (default and maximum 128). */
  readonly maxContexts?: number;
  readonly logger?: Logger;
  /** Stops the transfer: the association is aborted, the rest is reported as not sent. */
  readonly signal?: AbortSignal;
}

/** The last word on one instance. */
export interface FinalResult extends StoreResult {
  /** C-STORE requests sent for it (0 when it never went out). */
  readonly attempts: number;
  /** It was never tried: the connection failed, or the transfer stopped before it (`detail` says why). */
  readonly notSent?: true;
}

export interface DestinationProgress {
  readonly total: number;
  /** Instances with a final result. */
  readonly done: number;
  readonly failed: number;
  readonly bytesTotal: number;
  /** Bytes of the instances done plus what went out of the one being sent. */
  readonly bytesDone: number;
}

export interface RetryNotice {
  /** 1 for the first retry. */
  readonly retry: number;
  readonly of: number;
  readonly instances: number;
  readonly delayMs: number;
  /** Why: the connection error, or the transient status. */
  readonly reason: string;
}

export interface DestinationEvents {
  readonly onResult?: (result: FinalResult) => void;
  readonly onProgress?: (progress: DestinationProgress) => void;
  readonly onRetry?: (notice: RetryNotice) => void;
}

export interface DestinationReport {
  readonly peer: Peer;
  readonly total: number;
  /** Stored, warnings included. */
  readonly sent: number;
  readonly warnings: number;
  readonly failed: number;
  /** Dataset bytes of the instances stored. */
  readonly bytes: number;
  readonly seconds: number;
  readonly associations: number;
  readonly retries: number;
  /** One per instance, in the order given. */
  readonly results: readonly FinalResult[];
  /** Why instances were left unsent, when the connection was the reason. */
  readonly connectionError?: string;
  /** `onFailure: 'abort'` stopped the transfer after a failure. */
  readonly stopped: boolean;
}

/** Sends instances to one peer; never throws for what happens on the network — everything is in the report. */
export async function sendToDestination(
  peer: Peer,
  instances: readonly StoreInstance[],
  options: DestinationOptions = {},
  events: DestinationEvents = {},
): Promise<DestinationReport> {
  const started = performance.now();
  const retries = options.retries ?? 0;
  const retryDelay = options.retryDelay ?? 60_000;
  const final = new Map<StoreInstance, FinalResult>();
  const attempts = new Map<StoreInstance, number>();
  /** The last failure of instances waiting for a retry (A7xx, or the association lost while sending them). */
  const lastFailure = new Map<StoreInstance, StoreResult>();
  /** Instances that were being sent when an association was lost: retried after the others. */
  const suspects = new Set<StoreInstance>();
  /** Associations lost in a row without one instance answered. */
  let lostInARow = 0;
  const bytesTotal = instances.reduce((n, i) => n + i.size, 0);
  let bytesDone = 0;
  let inflight = 0;
  let failed = 0;
  let associations = 0;
  let retriesUsed = 0;
  let connectionError: string | undefined;
  let stopped = false;

  const progress = (): void =>
    events.onProgress?.({ total: instances.length, done: final.size, failed, bytesTotal, bytesDone: bytesDone + inflight });
  const settle = (result: StoreResult, notTried = false): void => {
    if (final.has(result.instance)) return;
    const r: FinalResult = { ...result, attempts: attempts.get(result.instance) ?? 0, ...(notTried ? { notSent: true as const } : {}) };
    final.set(result.instance, r);
    if (r.outcome === 'failure') failed++;
    bytesDone += result.instance.size;
    inflight = 0;
    events.onResult?.(r);
    progress();
  };
  const notSent = (instance: StoreInstance, why: string): void => {
    const last = lastFailure.get(instance);
    if (last) settle(last);
    else settle({ instance, outcome: 'failure', detail: `not sent: ${why}`, transient: false, converted: false, bytes: 0 }, true);
  };

  progress();
  let pending: readonly StoreInstance[] = instances;
  while (pending.length > 0) {
    const again: StoreInstance[] = [];
    let reason: string | undefined;
    let permanent = false;
    const queue = planAssociations(pending, options.maxContexts ?? MAX_CONTEXTS);
    while (queue.length > 0) {
      const plan = queue.shift()!;
      const later = (): StoreInstance[] => [...queue.splice(0).flatMap((p) => p.instances)];
      if (options.signal?.aborted) {
        stopped = true;
        for (const i of [...plan.instances, ...later()]) notSent(i, 'cancelled');
        break;
      }
      let association: ClientAssociation;
      try {
        association = await connect(peer, {
          aeTitle: options.aeTitle,
          contexts: plan.contexts,
          maxPduLength: options.maxPduLength,
          connectTimeout: options.connectTimeout ?? 30_000,
          dimseTimeout: options.dimseTimeout ?? 60_000,
          logger: options.logger ?? silentLogger,
        });
      } catch (error) {
        reason = errorText(error);
        permanent = !isTransient(error);
        again.push(...plan.instances, ...later());
        break;
      }
      associations++;
      const remaining = new Set(plan.instances);
      const current: { sending?: StoreInstance; answered: number } = { answered: 0 };
      let lost: unknown;
      let stoppedBy: StoreResult | undefined;
      try {
        const results = storeInstances(association, plan.instances, {
          priority: options.priority,
          onFailure: options.onFailure,
          signal: options.signal,
          onBytes: (instance, n) => {
            current.sending = instance;
            inflight = Math.min(instance.size, inflight + n);
            progress();
          },
        });
        for await (const r of results) {
          current.answered++;
          current.sending = undefined;
          remaining.delete(r.instance);
          attempts.set(r.instance, (attempts.get(r.instance) ?? 0) + (r.status === undefined ? 0 : 1));
          if (r.transient && retriesUsed < retries) {
            lastFailure.set(r.instance, r);
            again.push(r.instance);
            reason ??= r.detail;
            inflight = 0;
            progress();
          } else {
            settle(r);
          }
          if (r.outcome === 'failure' && options.onFailure === 'abort') stoppedBy = r;
        }
      } catch (error) {
        lost = error;
      }
      if (association.outcome === undefined) await association.release().catch(() => association.abort());
      if (lost !== undefined) {
        if (options.signal?.aborted) {
          stopped = true;
          for (const i of [...remaining, ...later()]) notSent(i, 'cancelled');
          break;
        }
        reason = errorText(lost);
        const suspect = current.sending !== undefined && remaining.has(current.sending) ? current.sending : undefined;
        if (suspect !== undefined) {
          // The peer may have dropped the association because of this instance (a file it cannot parse): it is
          // charged the attempt and retried after the others, which go on a new association at once — unless
          // associations keep being lost before anything is answered, which is a connection problem.
          remaining.delete(suspect);
          suspects.add(suspect);
          attempts.set(suspect, (attempts.get(suspect) ?? 0) + 1);
          const failure: StoreResult = { instance: suspect, outcome: 'failure', detail: `${reason} (while it was being sent)`, transient: false, converted: false, bytes: 0 };
          inflight = 0;
          if (retriesUsed < retries) {
            lastFailure.set(suspect, failure);
            again.push(suspect);
            progress();
          } else {
            settle(failure);
          }
          lostInARow = current.answered > 0 ? 0 : lostInARow + 1;
          if (remaining.size > 0 && lostInARow < 3) {
            queue.unshift(...planAssociations([...remaining], options.maxContexts ?? MAX_CONTEXTS));
            continue;
          }
        }
        again.push(...remaining, ...later());
        break;
      }
      if (stoppedBy !== undefined) {
        if (stoppedBy.transient && retriesUsed < retries) {
          // A transient failure under --on-failure abort: the association is gone; the rest waits for the retry.
          again.push(...remaining, ...later());
          break;
        }
        stopped = true;
        const why = `stopped after ${stoppedBy.instance.label} failed (on failure: abort)`;
        for (const i of [...again.splice(0), ...remaining, ...later()]) notSent(i, why);
        break;
      }
      // The association had to be aborted (an instance could not be read half-way): the rest go on a new one.
      if (remaining.size > 0) queue.unshift(...planAssociations([...remaining], options.maxContexts ?? MAX_CONTEXTS));
    }
    if (again.length === 0 || stopped) break;
    if (permanent || retriesUsed >= retries) {
      if (reason !== undefined && again.some((i) => !lastFailure.has(i))) connectionError = reason;
      for (const i of again) notSent(i, reason ?? 'not sent');
      break;
    }
    retriesUsed++;
    const order = new Map(instances.map((i, n) => [i, n]));
    const rank = (i: StoreInstance): number => order.get(i)! + (suspects.has(i) ? instances.length : 0);
    pending = [...new Set(again)].sort((a, b) => rank(a) - rank(b));
    events.onRetry?.({ retry: retriesUsed, of: retries, instances: pending.length, delayMs: retryDelay, reason: reason ?? 'transient failure' });
    try {
      await sleep(retryDelay, undefined, options.signal ? { signal: options.signal } : undefined);
    } catch {
      stopped = true;
      for (const i of pending) notSent(i, 'cancelled');
      break;
    }
  }
  // Nothing may be left without a word (defensive: every path above settles what it leaves).
  for (const i of instances) if (!final.has(i)) notSent(i, connectionError ?? 'not sent');

  const results = instances.map((i) => final.get(i)!);
  const stored = results.filter((r) => r.outcome !== 'failure');
  return {
    peer,
    total: instances.length,
    sent: stored.length,
    warnings: results.filter((r) => r.outcome === 'warning').length,
    failed: results.length - stored.length,
    bytes: stored.reduce((n, r) => n + r.bytes, 0),
    seconds: (performance.now() - started) / 1000,
    associations,
    retries: retriesUsed,
    results,
    ...(connectionError !== undefined ? { connectionError } : {}),
    stopped,
  };
}

/** Connection trouble worth another try: refused, reset, timed out, aborted, or a transient rejection. */
function isTransient(error: unknown): boolean {
  if (error instanceof AssociationRejectedError) return error.result === 2;
  return error instanceof NetworkError || error instanceof NetworkTimeoutError || error instanceof AssociationAbortedError;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
