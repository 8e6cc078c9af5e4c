/**
 * Measurements of the network benchmark. The Portico client runs in this process (the library: `connect`, `echo`,
 * `release`); DCMTK's echoscu and Portico's CLI run as processes. Every loop stops at a count or a deadline,
 * whichever comes first, and after too many failures.
 */
import type { Association } from '../src/net/acse/association.js';
import { connect } from '../src/net/ae.js';
import { echo } from '../src/services/verification/scu.js';
import { HOST, type ProcessRun } from './net-procs.js';
import { associateRq, rawAssociation } from './net-raw.js';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_VR_LE = '1.2.840.10008.1.2';
const CONTEXTS = [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_VR_LE] }] as const;

/** An SCP to talk to. */
export interface Target {
  readonly id: string;
  readonly aeTitle: string;
  readonly port: number;
}

/** Stop at `count` iterations or after `ms`, whichever comes first. */
export interface Limit {
  readonly count: number;
  readonly ms: number;
}

/** Gives up a loop after this many failed iterations. */
const MAX_FAILURES = 20;

export function open(target: Target, timeoutMs = 10_000): Promise<Association> {
  return connect(
    { aeTitle: target.aeTitle, host: HOST, port: target.port },
    { aeTitle: 'BENCH', contexts: CONTEXTS, connectTimeout: timeoutMs, dimseTimeout: timeoutMs },
  );
}

/** A Portico C-ECHO on a fresh association, for readiness probes: true when it worked. */
export async function probe(port: number, aeTitle: string): Promise<boolean> {
  try {
    const a = await open({ id: 'probe', aeTitle, port }, 2_000);
    try {
      await echo(a);
      await a.release();
    } catch {
      a.abort();
      return false;
    }
    return true;
  } catch {
    return false;
  }
}

export const errorText = (error: unknown): string => String((error as Error)?.message ?? error).slice(0, 160);

// -- 1. C-ECHOs on one association -----------------------------------------------------------------------------------

export interface EchoLoopResult {
  readonly echoes: number;
  /** Time of the echo loop only (connect and release not included). */
  readonly ms: number;
  readonly perSecond: number;
  readonly latencies: readonly number[];
  readonly clientCpuMs: number;
}

/** Portico in-process: connect, C-ECHO in a loop (awaiting each response), release. */
export async function echoLoop(target: Target, limit: Limit): Promise<EchoLoopResult> {
  const a = await open(target);
  const latencies: number[] = [];
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + limit.ms;
    for (let i = 0; i < limit.count && performance.now() < deadline; i++) latencies.push((await echo(a)).roundTripMs);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(cpu0);
    await a.release();
    return { echoes: latencies.length, ms, perSecond: (latencies.length * 1000) / ms, latencies, clientCpuMs: (c.user + c.system) / 1000 };
  } catch (error) {
    a.abort();
    throw error;
  }
}

/** The raw PDU client (net-raw.ts): one association, C-ECHOs in a loop; the time runs from the first RQ to the last RSP. */
export async function rawEchoLoop(target: Target, limit: Limit): Promise<EchoLoopResult> {
  const latencies: number[] = [];
  let t0 = 0;
  let last = 0;
  const cpu0 = process.cpuUsage();
  await rawAssociation({
    port: target.port,
    rq: associateRq(target.aeTitle),
    echoes: limit.count,
    timeoutMs: 10_000,
    onAccepted: async () => {
      t0 = performance.now();
    },
    echoMs: limit.ms,
    onEcho: (ms) => {
      latencies.push(ms);
      last = performance.now();
    },
  });
  const c = process.cpuUsage(cpu0);
  const ms = last - t0;
  return { echoes: latencies.length, ms, perSecond: (latencies.length * 1000) / ms, latencies, clientCpuMs: (c.user + c.system) / 1000 };
}

export interface ProcessEchoResult {
  readonly echoes: number;
  /** Whole process, spawn to exit, with `echoes` C-ECHOs. */
  readonly ms: number;
  /** Median of three runs with one C-ECHO: process start, association, release, exit. */
  readonly baseMs: number;
  /** echoes / ms: process start included. */
  readonly grossPerSecond: number;
  /** (echoes − 1) / (ms − baseMs): the C-ECHOs alone. */
  readonly perSecond: number;
}

/** A client process with `--repeat n`, timed whole, and the same with one C-ECHO to subtract the fixed cost. */
export async function processEchoRate(
  run: (repeat: number, timeoutMs: number) => Promise<ProcessRun>,
  echoes: number,
  what: string,
): Promise<ProcessEchoResult> {
  const base: number[] = [];
  for (let i = 0; i < 3; i++) base.push(checked(await run(1, 30_000), what).ms);
  const baseMs = median(base);
  const ms = checked(await run(echoes, 120_000), what).ms;
  return { echoes, ms, baseMs, grossPerSecond: (echoes * 1000) / ms, perSecond: ((echoes - 1) * 1000) / (ms - baseMs) };
}

function checked(r: ProcessRun, what: string): ProcessRun {
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
  return r;
}

// -- 2. Associations per second --------------------------------------------------------------------------------------

export interface CycleResult {
  readonly cycles: number;
  readonly failures: number;
  readonly firstError?: string;
  readonly ms: number;
  readonly perSecond: number;
  /** CPU of this process (the in-process client), ms. */
  readonly clientCpuMs: number;
}

/** Runs `cycle` with `workers` loops in parallel until `limit.count` cycles are done or `limit.ms` pass. */
async function runCycles(cycle: () => Promise<void>, workers: number, limit: Limit): Promise<CycleResult> {
  let claimed = 0;
  let done = 0;
  let failures = 0;
  let firstError: string | undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + limit.ms;
  const worker = async (): Promise<void> => {
    while (claimed < limit.count && performance.now() < deadline && failures < MAX_FAILURES) {
      claimed++;
      try {
        await cycle();
        done++;
      } catch (error) {
        failures++;
        firstError ??= errorText(error);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  const ms = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  return { cycles: done, failures, ...(firstError ? { firstError } : {}), ms, perSecond: (done * 1000) / ms, clientCpuMs: (c.user + c.system) / 1000 };
}

/** Portico in-process: connect + 1 C-ECHO + release, `workers` at a time. */
export function libraryCycles(target: Target, workers: number, limit: Limit): Promise<CycleResult> {
  return runCycles(
    async () => {
      const a = await open(target);
      try {
        await echo(a);
        await a.release();
      } catch (error) {
        a.abort();
        throw error;
      }
    },
    workers,
    limit,
  );
}

/** The raw PDU client: associate + 1 C-ECHO + release, `workers` at a time. */
export function rawCycles(target: Target, workers: number, limit: Limit): Promise<CycleResult> {
  const rq = associateRq(target.aeTitle);
  return runCycles(() => rawAssociation({ port: target.port, rq, echoes: 1, timeoutMs: 10_000 }), workers, limit);
}

/** A client process per association (echoscu, `portico echo`), `parallel` at a time. */
export function processCycles(run: () => Promise<ProcessRun>, parallel: number, limit: Limit, what: string): Promise<CycleResult> {
  return runCycles(
    async () => {
      checked(await run(), what);
    },
    parallel,
    limit,
  );
}

// -- 3. Concurrent associations --------------------------------------------------------------------------------------

export interface ConcurrentResult {
  readonly associations: number;
  readonly opened: number;
  readonly openFailures: number;
  readonly echoFailures: number;
  readonly firstError?: string;
  /** Time to open all associations (all connects started at once). */
  readonly openMs: number;
  /** Time from the start of the echoes (all associations open) to the last response. */
  readonly echoMs: number;
  readonly echoes: number;
  readonly perSecond: number;
  /** Round trip of every C-ECHO, ms, sorted. */
  readonly latencies: readonly number[];
}

/**
 * Opens `associations` at once; when all are open, every one sends `echoes` C-ECHOs back to back (closed loop: each
 * waits for its response before the next), so that `associations` requests are in flight all the time. Then
 * releases them all.
 */
export async function concurrentEchoes(target: Target, associations: number, echoes: number, deadlineMs: number): Promise<ConcurrentResult> {
  let firstError: string | undefined;
  const t0 = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: associations }, () => open(target, 30_000)));
  const openMs = performance.now() - t0;
  const open_: Association[] = [];
  let openFailures = 0;
  for (const s of settled) {
    if (s.status === 'fulfilled') open_.push(s.value);
    else {
      openFailures++;
      firstError ??= errorText(s.reason);
    }
  }
  const latencies: number[] = [];
  let echoFailures = 0;
  const t1 = performance.now();
  const deadline = t1 + deadlineMs;
  await Promise.all(
    open_.map(async (a) => {
      for (let i = 0; i < echoes && performance.now() < deadline; i++) {
        try {
          latencies.push((await echo(a)).roundTripMs);
        } catch (error) {
          echoFailures++;
          firstError ??= errorText(error);
          return;
        }
      }
    }),
  );
  const echoMs = performance.now() - t1;
  await Promise.all(
    open_.map(async (a) => {
      try {
        await a.release();
      } catch {
        a.abort();
      }
    }),
  );
  latencies.sort((x, y) => x - y);
  return {
    associations,
    opened: open_.length,
    openFailures,
    echoFailures,
    ...(firstError ? { firstError } : {}),
    openMs,
    echoMs,
    echoes: latencies.length,
    perSecond: (latencies.length * 1000) / echoMs,
    latencies,
  };
}

/** The same test with the raw PDU client: all associations accepted, then the C-ECHOs start together. */
export async function rawConcurrentEchoes(target: Target, associations: number, echoes: number, deadlineMs: number): Promise<ConcurrentResult> {
  const rq = associateRq(target.aeTitle);
  const latencies: number[] = [];
  let accepted = 0;
  let openFailures = 0;
  let echoFailures = 0;
  let firstError: string | undefined;
  let open!: () => void;
  const allOpen = new Promise<void>((resolve) => (open = resolve));
  const arrived = (): void => {
    if (accepted + openFailures === associations) open();
  };
  const t0 = performance.now();
  let t1 = 0;
  let last = 0;
  void allOpen.then(() => (t1 = performance.now()));
  await Promise.all(
    Array.from({ length: associations }, async () => {
      let wasAccepted = false;
      try {
        await rawAssociation({
          port: target.port,
          rq,
          echoes,
          timeoutMs: 30_000,
          echoMs: deadlineMs,
          onAccepted: () => {
            wasAccepted = true;
            accepted++;
            arrived();
            return allOpen;
          },
          onEcho: (ms) => {
            latencies.push(ms);
            last = performance.now();
          },
        });
      } catch (error) {
        firstError ??= errorText(error);
        if (wasAccepted) echoFailures++;
        else {
          openFailures++;
          arrived();
        }
      }
    }),
  );
  latencies.sort((x, y) => x - y);
  const echoMs = last - t1;
  return {
    associations,
    opened: accepted,
    openFailures,
    echoFailures,
    ...(firstError ? { firstError } : {}),
    openMs: t1 - t0,
    echoMs,
    echoes: latencies.length,
    perSecond: (latencies.length * 1000) / echoMs,
    latencies,
  };
}

// -- Statistics ------------------------------------------------------------------------------------------------------

export const median = (xs: readonly number[]): number => {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : Number.NaN;
