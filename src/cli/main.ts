import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerDump } from './dump.js';
import { registerEcho } from './echo.js';
import { registerFind } from './find.js';
import { registerLs } from './ls.js';
import { registerMwl } from './mwl.js';
import { registerServe } from './serve.js';
import { registerStore } from './store.js';
import { registerWorklist } from './worklist.js';
import { type Io, processIo } from './io.js';

/** The package version, from the package.json above this file (src/cli when run from source, dist/src/cli when built). */
const version = (): string => {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'portico') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
};

/** Builds the `portico` command line. */
export function buildProgram(io: Io): Command {
  const program = new Command('portico')
    .description('DICOM gateway, toolkit and small archive')
    .version(version())
    .showHelpAfterError('(run portico --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();
  registerEcho(program, io);
  registerServe(program, io);
  registerLs(program, io);
  registerMwl(program, io);
  registerDump(program, io);
  registerStore(program, io);
  registerFind(program, io);
  registerWorklist(program, io);
  return program;
}

/** Runs the command line and returns the exit code (0 success, 1 failure, 2 usage error). */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return io.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return 2;
    }
    io.err(`portico: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
