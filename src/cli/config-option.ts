/**
 * `--config portico.yaml` on the commands that talk to peers or serve: the file's values stand in for the defaults
 * of the flags the user did not give (a flag given wins), and a peer may be the name of a remote in it.
 */
import { existsSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_CONFIG_FILE, type LoadedConfig, REMOTE_NAME, resolvePeer, unknownPeerMessage } from '../config/remotes.js';
import type { Peer } from '../net/ae.js';
import { parsePeer } from '../net/ae.js';
import type { Io } from './io.js';

export const CONFIG_HELP = 'settings and remote AEs (default: ./portico.yaml when there is one)';

/** commander parser for `<peer>`: `AET@host:port`, or a name to look up in the config once it is read. */
export function peerOrName(text: string): string {
  if (parsePeer(text) === undefined && !REMOTE_NAME.test(text)) {
    throw new InvalidArgumentError(`'${text}' is not a peer: write it AET@host:port (e.g. ORTHANC@localhost:4242) or name a remote of the config`);
  }
  return text;
}

/**
 * The config of a command (`--config`, or ./portico.yaml), or `false` after printing why it cannot be used
 * (`portico <name>: <file>: <key>: <problem>`).
 */
async function readConfig(name: string, explicit: string | undefined, io: Io): Promise<LoadedConfig | undefined | false> {
  // The schema and the YAML parser cost ~0.1 s to load: only when there is a file to read.
  if (explicit === undefined && !existsSync(DEFAULT_CONFIG_FILE)) return undefined;
  const { ConfigError, loadConfig } = await import('../config/load.js');
  try {
    return await loadConfig(explicit);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of error.message.split('\n')) io.err(`portico ${name}: ${line}`);
    return false;
  }
}

/**
 * Runs a command with its config (`--config`, or ./portico.yaml) and keeps the exit code `run` returns; 2, after
 * printing why, when the config cannot be used.
 */
export async function withConfig(name: string, explicit: string | undefined, io: Io, run: (loaded: LoadedConfig | undefined) => Promise<number>): Promise<void> {
  const loaded = await readConfig(name, explicit, io);
  io.exitCode = Math.max(io.exitCode, loaded === false ? 2 : await run(loaded));
}

/**
 * The action of a command with one `<peer>` (echo, find, worklist): the peer resolved against the config and the
 * config's AE title where `--aet` was not given, then `run`; exit code 2 when the config or the peer cannot be used.
 */
export function withConfigAndPeer<T extends { readonly aet: string; readonly config?: string }>(
  name: string,
  target: string,
  options: T,
  command: Command,
  io: Io,
  run: (peer: Peer, options: T) => Promise<number>,
): Promise<void> {
  return withConfig(name, options.config, io, async (loaded) => {
    const peer = peerFor(name, target, loaded, io);
    if (peer === false) return 2;
    // The config's `aet` is a checked AE title, as `--aet` gives (TypeScript cannot see that T['aet'] is plain string).
    return run(peer, withConfigValues(options, command, { aet: loaded?.config.aet } as Partial<T>));
  });
}

/** A peer argument resolved against the config, or `false` after printing why it is none. */
function peerFor(name: string, text: string, config: LoadedConfig | undefined, io: Io): Peer | false {
  const peer = resolvePeer(text, config?.config);
  if (peer !== undefined) return peer;
  io.err(`portico ${name}: ${unknownPeerMessage(text, config)}`);
  return false;
}

/**
 * `options` with `values` (from the config) where the command line did not set the option: a flag given keeps its
 * value, a default or an unset option takes the config's.
 */
export function withConfigValues<T extends object>(options: T, command: Command, values: { readonly [K in keyof T]?: T[K] | undefined }): T {
  const out = { ...options } as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && command.getOptionValueSource(key) !== 'cli') out[key] = value;
  }
  return out as T;
}
