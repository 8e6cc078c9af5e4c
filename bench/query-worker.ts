/** The bench's side of the C-FIND client worker (query-client.ts): start it, send it work, stop it. */
import { Worker } from 'node:worker_threads';
import type { DicomJson } from '../src/encoding/dicom-json.js';
import { toDicomJson } from '../src/encoding/dicom-json.js';
import type { KindId, KindLimits, KindRun, Model, QuerySpec, Target } from './query-measure.js';

/** A QuerySpec as it crosses to the worker: the identifier as DICOM JSON. */
export interface WorkerSpec {
  readonly kind: KindId;
  readonly param: string;
  readonly expected: number;
  readonly identifier: DicomJson;
}

export type WorkerRequest =
  | { readonly op: 'run'; readonly target: Target; readonly model: Model; readonly specs: readonly WorkerSpec[]; readonly limits: KindLimits }
  | { readonly op: 'close' };

export class QueryClient {
  readonly #worker = new Worker(new URL('./query-client.js', import.meta.url));
  readonly #waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #next = 1;

  constructor() {
    this.#worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const w = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new Error(m.error));
      else w?.resolve(m.result);
    });
    this.#worker.on('error', (error) => {
      for (const w of this.#waiting.values()) w.reject(error);
      this.#waiting.clear();
    });
  }

  #call(request: WorkerRequest): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  /** Warm-up, then the timed queries of one kind, on the worker's association with `target` (opened when needed). */
  async runKind(target: Target, model: Model, specs: readonly QuerySpec[], limits: KindLimits): Promise<KindRun> {
    const sent = specs.map((s): WorkerSpec => ({ kind: s.kind, param: s.param, expected: s.expected, identifier: toDicomJson(s.identifier) }));
    return (await this.#call({ op: 'run', target: { aeTitle: target.aeTitle, port: target.port }, model, specs: sent, limits })) as KindRun;
  }

  /** Releases the association the runs shared. */
  async closeAssociation(): Promise<void> {
    await this.#call({ op: 'close' });
  }

  async stop(): Promise<void> {
    await this.#worker.terminate();
  }
}
