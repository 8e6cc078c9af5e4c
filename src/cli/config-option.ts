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
export async function readConfig(name: string, explicit: string | undefined, io: Io): Promise<LoadedConfig | undefined | false> {
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
 * For a command with one `<peer>`: its config and the peer resolved against it, or `false` after printing why not
 * (the caller exits 2).
 */
export async function configAndPeer(name: string, target: string, explicit: string | undefined, io: Io): Promise<{ readonly loaded: LoadedConfig | undefined; readonly peer: Peer } | false> {
  const loaded = await readConfig(name, explicit, io);
  if (loaded === false) return false;
  const peer = peerFor(name, target, loaded, io);
  return peer === false ? false : { loaded, peer };
}

/** A peer argument resolved against the config, or `false` after printing why it is none. */
export function peerFor(name: string, text: string, config: LoadedConfig | undefined, io: Io): Peer | false {
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
