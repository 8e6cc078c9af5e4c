import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { type Io, processIo } from './io.js';

type Register = (program: Command, io: Io) => void;

/**
 * The commands, in the order help lists them, loaded on demand: `portico store …` loads the storage SCU and none of
 * the archive, query or worklist code (compiling every module costs Node ~0.3 s, longer than a small transfer).
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  echo: async () => (await import('./echo.js')).registerEcho,
  serve: async () => (await import('./serve.js')).registerServe,
  ls: async () => (await import('./ls.js')).registerLs,
  mwl: async () => (await import('./mwl.js')).registerMwl,
  dump: async () => (await import('./dump.js')).registerDump,
  store: async () => (await import('./store.js')).registerStore,
  find: async () => (await import('./find.js')).registerFind,
  worklist: async () => (await import('./worklist.js')).registerWorklist,
};

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

/** Builds the `portico` command line: every command, or only `command` when it names one. */
export async function buildProgram(io: Io, command?: string): Promise<Command> {
  const program = new Command('portico')
    .description('DICOM gateway, toolkit and small archive')
    .version(version())
    .showHelpAfterError('(run portico --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();
  const names = command !== undefined && Object.hasOwn(COMMANDS, command) ? [command] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((name) => COMMANDS[name]!()))) register(program, io);
  return program;
}

/** Runs the command line and returns the exit code (0 success, 1 failure, 2 usage error). */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = await buildProgram(io, argv[2]);
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
