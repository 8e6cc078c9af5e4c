import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Archive } from '../archive/archive.js';
import { describeError } from './errors.js';
import type { Io } from './io.js';

interface LsOptions {
  readonly dir: string;
  readonly json?: boolean;
  readonly series?: boolean;
}

/** `portico ls`: what the archive holds, by patient and study (and series with --series). */
export function registerLs(program: Command, io: Io): void {
  program
    .command('ls')
    .description('list what the archive holds: patients, studies, series, counts')
    .option('--dir <folder>', 'data folder of portico serve', './portico-data')
    .option('--series', 'list the series of each study too')
    .option('--json', 'print JSON')
    .action(async (options: LsOptions) => {
      io.exitCode = Math.max(io.exitCode, await runLs(options, io));
    });
}

export async function runLs(options: LsOptions, io: Io): Promise<number> {
  const dir = resolve(options.dir);
  let index;
  try {
    index = await Archive.openIndex(dir);
  } catch (error) {
    io.err(`portico ls: cannot open the archive in ${dir}: ${describeError(error, false)}`);
    return 1;
  }
  try {
    const counts = await index.counts();
    const studies = await index.listStudies();
    const series = options.series ? await Promise.all(studies.map((s) => index.listSeries(s.studyInstanceUid))) : [];
    if (options.json) {
      io.out(`${JSON.stringify({ dir, counts, studies: studies.map((s, i) => (options.series ? { ...s, series: series[i] } : s)) }, null, 2)}\n`);
      return 0;
    }
    io.out(`${dir}: ${counts.patients} patients, ${counts.studies} studies, ${counts.series} series, ${counts.instances} instances, ${mb(counts.size)}\n`);
    studies.forEach((s, i) => {
      io.out(`${s.patientName || '(no name)'} [${s.patientId}]  ${s.studyDate || '--------'}  ${s.modalitiesInStudy || '-'}  ${s.studyDescription}  acc ${s.accessionNumber || '-'}  ${s.series} series, ${s.instances} instances, ${mb(s.size)}  ${s.studyInstanceUid}\n`);
      for (const se of series[i] ?? []) io.out(`    ${se.modality} #${se.seriesNumber} ${se.seriesDescription}  ${se.instances} instances, ${mb(se.size)}  ${se.seriesInstanceUid}\n`);
    });
    return 0;
  } finally {
    await index.close();
  }
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
