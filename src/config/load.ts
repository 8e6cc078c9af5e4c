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
import { DEFAULT_CONFIG_FILE, type LoadedConfig } from './remotes.js';
import { configSchema, type PorticoConfig } from './schema.js';

export type { LoadedConfig } from './remotes.js';

/** A config file is a few kilobytes; anything this large is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export class ConfigError extends DicomError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_CONFIG', message, options);
  }
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
