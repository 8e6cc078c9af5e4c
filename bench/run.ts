/**
 * `npm run bench`: runs the benchmark parts (parse, net, store, query) and prints their tables.
 *
 *   node --expose-gc dist/bench/run.js [--only parse|net|store|query] [--quick] [--no-huge] [--no-huge-peers] [--keep]
 */
import { parseArgs } from 'node:util';
import { runNetBench } from './net.js';
import { runParseBench } from './parse.js';
import { runQueryBench } from './query.js';
import { runStoreBench } from './store.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    'no-huge': { type: 'boolean', default: false },
    'no-huge-peers': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

const PARTS: Readonly<Record<string, () => Promise<void>>> = {
  parse: () =>
    runParseBench({
      quick: values.quick ?? false,
      huge: !values['no-huge'],
      hugePeers: !values['no-huge-peers'],
      keep: values.keep ?? false,
    }),
  net: () => runNetBench({ quick: values.quick ?? false }),
  store: () => runStoreBench({ quick: values.quick ?? false, huge: !values['no-huge'], keep: values.keep ?? false }),
  query: () => runQueryBench({ quick: values.quick ?? false, keep: values.keep ?? false }),
};

if (!(globalThis as { gc?: unknown }).gc) process.stderr.write('note: run with --expose-gc for a GC between parsers\n');
const only = values.only ?? Object.keys(PARTS);
for (const name of only) {
  const part = PARTS[name];
  if (!part) throw new Error(`unknown bench part '${name}' (have: ${Object.keys(PARTS).join(', ')})`);
  await part();
}
