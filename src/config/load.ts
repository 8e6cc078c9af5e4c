/**
 * Finding and reading `portico.yaml`: the file `--config` names (it must exist), else `portico.yaml` in the current
 * folder when there is one, else none (every default applies). A file that is not YAML, or does not fit the schema,
 * is a ConfigError whose message names the file, the key and what is wrong, one line per problem (at most five).
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse, YAMLError } from 'yaml';
import type { ZodError } from 'zod';
import { DicomError } from '../core/errors.js';
import { type Peer, parsePeer } from '../net/ae.js';
import { configSchema, type PorticoConfig, remotePeers } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'portico.yaml';

/** A config file is a few kilobytes; anything this large is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export class ConfigError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_CONFIG', message, options);
  }
}

export interface LoadedConfig {
  /** Absolute path of the file read. */
  readonly path: string;
  readonly config: PorticoConfig;
}

/** The config `explicit` names, or `portico.yaml` in `cwd` when it exists, or undefined. Throws ConfigError. */
export async function loadConfig(explicit: string | undefined, cwd: string = process.cwd()): Promise<LoadedConfig | undefined> {
  const path = resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ConfigError(`${path}: not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if (explicit === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`${path}: cannot read the config file: ${(error as Error).message}`, { cause: error });
  }
  if (size > MAX_CONFIG_BYTES) throw new ConfigError(`${path}: ${size} bytes is too large for a config file`);
  return { path, config: parseConfig(await readFile(path, 'utf8'), path) };
}

/** Parses and checks the text of a config file (`name` for the messages). Throws ConfigError. */
export function parseConfig(text: string, name: string): PorticoConfig {
  let data: unknown;
  try {
    // Duplicate keys are errors (uniqueKeys), aliases are bounded (maxAliasCount): no "billion laughs".
    data = parse(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    const where = error instanceof YAMLError && error.linePos ? ` (line ${error.linePos[0].line}, column ${error.linePos[0].col})` : '';
    const what = firstLine((error as Error).message).replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${name}: not valid YAML${where}: ${what}`, { cause: error });
  }
  // An empty file is an empty config.
  const result = configSchema.safeParse(data ?? {});
  if (!result.success) throw new ConfigError(describeIssues(result.error, name));
  return result.data;
}

function describeIssues(error: ZodError, name: string): string {
  const lines = error.issues.slice(0, 5).map((issue) => `${name}: ${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
  if (error.issues.length > 5) lines.push(`${name}: and ${error.issues.length - 5} more`);
  return lines.join('\n');
}

const firstLine = (text: string): string => text.split('\n')[0]!.trim();

/**
 * A peer named on the command line: `AET@host:port`, or the name of a remote in the config. Undefined when it is
 * neither (the caller says so, naming the remotes there are).
 */
export function resolvePeer(text: string, config: PorticoConfig | undefined): Peer | undefined {
  return parsePeer(text) ?? remotePeers(config).get(text);
}

/** What to tell a user whose peer is neither form. */
export function unknownPeerMessage(text: string, config: LoadedConfig | undefined): string {
  const names = [...remotePeers(config?.config).keys()];
  const known = names.length > 0 ? `; remotes in ${config!.path}: ${names.join(', ')}` : config ? `; ${config.path} names no remotes` : '';
  return `'${text}' is not a peer: write it AET@host:port (e.g. ORTHANC@localhost:4242) or name a remote of the config${known}`;
}
