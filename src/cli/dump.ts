import type { Command } from 'commander';
import { PIXEL_DATA } from '../data/tag.js';
import { type DicomJson, stringifyDicomJson, toDicomJson } from '../encoding/dicom-json.js';
import { readFile } from '../encoding/read.js';
import { formatDump } from './dump-format.js';
import { describeError } from './errors.js';
import type { Io } from './io.js';

interface DumpOptions {
  readonly json?: boolean;
  readonly stopBeforePixels?: boolean;
  readonly verbose?: boolean;
}

/** `portico dump <file>...`: dcmdump-like text, or DICOM JSON with --json. Exit 1 if any file could not be read. */
export function registerDump(program: Command, io: Io): void {
  program
    .command('dump')
    .description('print the elements of DICOM files (dcmdump-like), or their DICOM JSON')
    .argument('<file...>', 'DICOM files (Part 10 or bare datasets)')
    .option('--json', 'print DICOM JSON (PS3.18 Annex F) instead of text')
    .option('--stop-before-pixels', 'do not read Pixel Data')
    .option('-v, --verbose', 'show stack traces on errors')
    .action(async (files: string[], options: DumpOptions) => {
      io.exitCode = Math.max(io.exitCode, await runDump(files, options, io));
    });
}

export async function runDump(files: readonly string[], options: DumpOptions, io: Io): Promise<number> {
  let failed = 0;
  const jsonOut: DicomJson[] = [];
  for (const file of files) {
    try {
      const dicom = await readFile(file, options.stopBeforePixels ? { stopAtTag: PIXEL_DATA } : {});
      if (options.json) jsonOut.push(toDicomJson(dicom.dataset));
      else io.out(formatDump(dicom, file));
    } catch (error) {
      failed++;
      io.err(`portico dump: ${describeError(error, options.verbose === true)}`);
    }
  }
  if (options.json && jsonOut.length > 0) io.out(`${stringifyDicomJson(files.length === 1 ? jsonOut[0]! : jsonOut, 2)}\n`);
  return failed > 0 ? 1 : 0;
}
