/**
 * Parse benchmark: Portico against dcmjs and dicom-parser on the same in-memory files in the same run, then the
 * header of a ~1 GiB file read from disk in a child process. Prints tables and writes a JSON report to a temp dir.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { PEER_CORPUS, peerGroups, pydicomGroup, syntheticGroups } from './corpus.js';
import { type HeaderResult, runHeaderTest } from './header.js';
import { type Group, type MeasureOptions, measureGroup, type Sample, sinkValue } from './measure.js';
import { dcmjsDefault, dicomParserValues, PARSERS, portico } from './parsers.js';
import { checkTargets, headerTable, targetTable, throughputTable, totals } from './report.js';
import { writeHugeMultiFrame } from './synthetic.js';

export interface ParseBenchOptions {
  /** Short rounds and a 256 MiB "huge" file: a smoke run, not a measurement. */
  readonly quick: boolean;
  /** Run the huge-file header test. */
  readonly huge: boolean;
  /** Also read the huge file with dcmjs and dicom-parser (they load all of it). */
  readonly hugePeers: boolean;
  /** Keep the temp dir with the generated files. */
  readonly keep: boolean;
}

const log = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};

export function machine(): Record<string, string | number> {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

export async function runParseBench(options: ParseBenchOptions): Promise<void> {
  const measure: MeasureOptions = options.quick ? { rounds: 1, roundMs: 150, warmupMs: 50 } : { rounds: 5, roundMs: 300, warmupMs: 300 };
  const dir = await mkdtemp(join(tmpdir(), 'portico-bench-'));
  const startedAt = new Date();
  log(`# Parse benchmark (${startedAt.toISOString()})`);
  const m = machine();
  log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`);
  log(`timing: ${measure.rounds} interleaved rounds of ≥ ${measure.roundMs} ms per (parser, group) after ≥ ${measure.warmupMs} ms warm-up; median round; files in memory, no I/O; MB = 1e6 B`);
  log(`generated files: ${dir}`);
  try {
    const pydicom = await pydicomGroup([portico, dcmjsDefault, dicomParserValues]);
    const groups: Group[] = [pydicom.group, ...(await syntheticGroups(dir)), ...(await peerGroups())];
    if (!existsSync(PEER_CORPUS)) log(`(no peer corpus at ${PEER_CORPUS}: make it with ../shared/peers/make-corpus.sh ${PEER_CORPUS} small large)`);
    if (pydicom.rejected.length) {
      log(`\npydicom files left out (${pydicom.rejected.length} of ${pydicom.total}; the parsers that threw):`);
      for (const r of pydicom.rejected) log(`  ${r.file}: ${r.failures.map((f) => `${f.parser}: ${f.error}`).join('; ')}`);
    }

    const samples: Sample[] = [];
    for (const g of groups) {
      log(`\nmeasuring ${g.id}: ${g.label}`);
      for (const s of measureGroup(g, PARSERS, measure)) {
        samples.push(s);
        log(`  ${s.parser.padEnd(13)} ${s.mbps.toFixed(1).padStart(10)} MB/s  ${s.msPerPass.toFixed(3).padStart(9)} ms/pass  rounds ${s.roundsMBps.map((x) => x.toFixed(0)).join(' / ')}  count ${s.values}`);
      }
    }

    let header: HeaderResult[] = [];
    let hugeBytes = 0;
    if (options.huge) {
      const hugePath = join(dir, 'huge.dcm');
      const frames = options.quick ? 512 : 2048;
      log(`\nwriting ${hugePath} (${frames} frames, streamed)…`);
      const t0 = performance.now();
      hugeBytes = await writeHugeMultiFrame(hugePath, frames);
      log(`  ${(hugeBytes / 2 ** 30).toFixed(2)} GiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      header = runHeaderTest(hugePath, options.hugePeers);
      const peerHuge = join(PEER_CORPUS, 'huge', 'HUGE.dcm');
      if (existsSync(peerHuge)) header.push(...runHeaderTest(peerHuge, false));
      await rm(hugePath, { force: true });
    }

    const ids = PARSERS.map((p) => p.id);
    log('\n## Throughput (MB/s, higher is better)\n');
    log(throughputTable(groups, samples, ids));
    log('\nportico = readDicom + every value decoded; portico+num = also DS/IS → numbers (as dcmjs does); dcmjs = readFile with its');
    log('defaults (decodes every value, copies binary values); dcmjs-nocopy = { noCopy: true }; dp-index = dicom-parser parseDicom');
    log('(offsets only); dp-values = parseDicom + every value through its accessors. P/x = portico ÷ x.');
    if (header.length) {
      log('\n## Header of a huge file (readFile; fresh child process per parser)\n');
      log(headerTable(header));
      log('\nPortico: readFile(path) + every header value decoded; Pixel Data stays in the file. dcmjs / dicom-parser have no');
      log('file reader: readFileSync + parse (the whole file enters memory). RSS delta = RSS after the first read − before.');
      log('ru_maxrss = resourceUsage().maxRSS: on Linux it keeps the high-water mark of the bench process copied at fork.');
    }
    const checks = checkTargets(groups, samples, ids, header);
    log('\n## Targets (information only; the bench does not fail on a miss)\n');
    log(targetTable(checks));

    const report = {
      date: startedAt.toISOString(),
      machine: m,
      options: { ...options, measure },
      groups: groups.map((g) => ({ id: g.id, label: g.label, files: g.files.map((f) => ({ name: f.name, bytes: f.bytes.length })) })),
      rejected: pydicom.rejected,
      parsers: PARSERS.map((p) => ({ id: p.id, label: p.label })),
      samples,
      totals: totals(samples, ids),
      header,
      hugeBytes,
      targets: checks,
      sink: sinkValue(),
    };
    const outDir = join(tmpdir(), 'portico-bench-results');
    await mkdir(outDir, { recursive: true });
    const outPath = join(outDir, 'parse-latest.json');
    await writeFile(outPath, `${JSON.stringify(report, null, 2)}\n`);
    log(`\nJSON report: ${outPath}`);
  } finally {
    if (options.keep) log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}
