/**
 * Issue 4, "Faults and bad input": `portico serve` killed with SIGKILL at random moments while DCMTK `storescu`
 * sends 300 instances (batches of 20, one association each, one storescu after the other), restarted each time on
 * the same data folder and port. storescu's verbose output says which file got a Success response. After the last
 * restart and a clean stop: every instance the sender was told is stored is present, readable, byte-identical and
 * indexed; no file in store/ without an index row, no row without a file; tmp/ empty.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from '../../src/encoding/read.js';
import { ExplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { ctDataset, firstDifference, newUid } from '../interop/net-instances.js';
import { assertPorticoBuilt, sleep, waitUntil } from '../interop/net-peers.js';
import { ensurePeers, tempDir } from '../interop/peers.js';
import { archiveState, type ArchiveState, inconsistencies, readStored } from '../interop/store-scp-archive.js';
import { proposeExactly, type SourceFile, sourceFile, storescuLive } from '../interop/store-scp-corpus.js';
import { kill9, type Serve, startServe } from '../interop/store-scp-serve.js';

const INSTANCES = 300;
const BATCH = 20;
/** PORTICO_KILL9_KILLS=20 for a longer run (each kill costs about a restart of the server, ~0.4 s). */
const KILLS = Number(process.env.PORTICO_KILL9_KILLS ?? 3);
/** The whole send-and-kill loop must end by then. */
const LOOP_MS = 45_000;

let work = '';
let removeWork: (() => Promise<void>) | undefined;
let server: Serve | undefined;
const files: SourceFile[] = [];

beforeAll(async () => {
  ensurePeers('storescu');
  assertPorticoBuilt();
  const tmp = await tempDir('kill-9');
  work = tmp.dir;
  removeWork = tmp.remove;
  await mkdir(join(work, 'files'));
  await mkdir(join(work, 'data'));
  // 10 studies × 3 series × 10 instances, 96 × 96 × 16 bit (about 19 KB each).
  const studies = Array.from({ length: 10 }, () => newUid());
  const series = Array.from({ length: 30 }, () => newUid());
  for (let i = 0; i < INSTANCES; i++) {
    const ds = ctDataset(i + 1, 96, 96);
    ds.set('StudyInstanceUID', studies[Math.floor(i / 30)]!);
    ds.set('SeriesInstanceUID', series[Math.floor(i / 10)]!);
    ds.set('PatientID', `KILL9-${Math.floor(i / 60)}`);
    const path = join(work, 'files', `i${String(i).padStart(3, '0')}.dcm`);
    await writeFile(path, writeDicom(ds, { transferSyntax: ExplicitVRLittleEndian }));
    files.push(await sourceFile(`i${i}`, path, 'portico'));
  }
});

afterAll(async () => {
  await server?.stop(3_000).catch(() => undefined);
  await removeWork?.();
});

describe('kill -9 of portico serve while storescu sends', () => {
  it(`${INSTANCES} instances, ${KILLS} kills at random moments: every acknowledged instance survives, store/ and index agree`, async () => {
    const dir = join(work, 'data');
    server = await startServe(dir);
    const port = server.port;
    const propose = await proposeExactly(join(work, 'propose.cfg'), files.slice(0, 1));
    const byPath = new Map(files.map((f) => [f.path, f]));
    const acknowledged = new Set<string>();
    const pending = [...files];
    const events: string[] = [];
    const deadline = Date.now() + LOOP_MS;
    let successes = 0;
    let stopSending = false;

    // The sender: batches from the pending files, one storescu after another, until every file is acknowledged.
    const sender = (async () => {
      let invocations = 0;
      while (pending.length > 0 && !stopSending && Date.now() < deadline) {
        const batch = pending.slice(0, BATCH);
        invocations++;
        const acknowledge = (path: string): void => {
          const f = byPath.get(path)!;
          if (acknowledged.has(f.sopInstanceUid)) return;
          successes++;
          acknowledged.add(f.sopInstanceUid);
          pending.splice(pending.indexOf(f), 1);
        };
        const r = await storescuLive(port, batch.map((f) => f.path), { aet: 'KILL9_SCU', args: [...propose, '-to', '5', '-ta', '5'], timeoutMs: 20_000 }, acknowledge);
        // The live lines and the final parse agree (nothing acknowledged that the log does not show).
        for (const path of r.succeeded) acknowledge(path);
        if (r.status !== 0) await sleep(50);
      }
      return invocations;
    })();

    // The killer: after a random number of further acknowledgements (so storescu is mid-batch), SIGKILL and restart.
    const recoveries: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const after = successes + 5 + Math.floor(Math.random() * 40);
      await waitUntil(`${after} acknowledged instances before kill ${k + 1}`, () => (successes >= after || pending.length === 0 ? true : undefined), LOOP_MS, 1);
      await sleep(Math.random() * 30);
      const victim = server;
      await kill9(victim);
      const dead: ArchiveState = await archiveState(dir);
      events.push(`kill ${k + 1} after ${successes} acknowledged: store ${dead.storeFiles.length} files, index ${dead.indexedPaths.length} rows, tmp ${dead.tmpFiles.length}`);
      server = await startServe(dir, { port });
      recoveries.push(server.stdout().match(/Recovered after an unclean stop[^\n]*/)?.[0] ?? '(no recovery line)');
    }
    const invocations = await sender;
    stopSending = true;
    events.push(`${invocations} storescu invocations`);

    expect(pending.map((f) => f.label), events.join('\n')).toEqual([]);
    expect(acknowledged.size).toBe(INSTANCES);
    // Each restart found the .running marker of the killed process and reconciled.
    expect(recoveries.every((r) => /^Recovered after an unclean stop: \d+ files indexed, \d+ missing files unindexed$/.test(r)), recoveries.join('\n')).toBe(true);

    expect(await server.stop(5_000)).toEqual({ code: 0, signal: null });
    const state = await archiveState(dir);
    expect(inconsistencies(state), events.join('\n')).toEqual({ orphanFiles: [], rowsWithoutFile: [] });
    expect(state.tmpFiles).toEqual([]);
    expect(state.errorFiles).toEqual([]);
    expect(state.counts).toMatchObject({ patients: 5, studies: 10, series: 30, instances: INSTANCES });
    const rows = new Map(state.instances.map((r) => [r.sopInstanceUid, r]));
    const problems: string[] = [];
    for (const f of files) {
      if (!acknowledged.has(f.sopInstanceUid)) continue;
      const row = rows.get(f.sopInstanceUid);
      if (!row) {
        problems.push(`${f.label}: acknowledged but not indexed`);
        continue;
      }
      try {
        const parsed = await readFile(join(dir, row.path));
        if (parsed.dataset.string('SOPInstanceUID') !== f.sopInstanceUid) problems.push(`${f.label}: ${row.path} holds another instance`);
        const stored = await readStored(join(dir, row.path));
        const d = firstDifference(stored.datasetBytes, f.bytes.subarray(f.file.datasetOffset));
        if (d) problems.push(`${f.label}: stored dataset ≠ sent: ${d}`);
      } catch (error) {
        problems.push(`${f.label}: ${row.path} unreadable: ${(error as Error).message}`);
      }
    }
    expect(problems, events.join('\n')).toEqual([]);
  });
});
