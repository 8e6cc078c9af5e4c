/**
 * The query benchmark's C-FIND client, in a worker thread of its own. The bench's main thread holds the generated
 * data (tens of MB of plans and worklist rows); a client sharing that heap pays its major collections inside the
 * timed queries, milliseconds that belong to neither SCP. In a worker the client has a heap of its own, as small as
 * a real SCU's. Messages: `run` (one query kind against one SCP, answered with its KindRun) and `close` (release the
 * association the runs share).
 */
import { parentPort } from 'node:worker_threads';
import { fromDicomJson } from '../src/encoding/dicom-json.js';
import type { Association } from '../src/net/acse/association.js';
import { closeAssociation, type KindLimits, type Model, type QuerySpec, runKindHere, type Target } from './query-measure.js';
import type { WorkerRequest, WorkerSpec } from './query-worker.js';

const port = parentPort;
if (port === null) throw new Error('query-client.js runs as a worker thread');

const state: { association?: Association } = {};

const spec = (s: WorkerSpec): QuerySpec => ({ kind: s.kind, param: s.param, expected: s.expected, identifier: fromDicomJson(s.identifier) });

async function handle(message: WorkerRequest): Promise<unknown> {
  if (message.op === 'close') return closeAssociation(state);
  const { target, model, specs, limits } = message as { target: Target; model: Model; specs: readonly WorkerSpec[]; limits: KindLimits };
  return runKindHere(target, model, specs.map(spec), limits, state);
}

port.on('message', (message: WorkerRequest & { readonly id: number }) => {
  handle(message).then(
    (result) => port.postMessage({ id: message.id, result }),
    (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
