import { InvalidArgumentError } from 'commander';
import { createLogger, type Logger, silentLogger } from '../core/logging.js';

/**
 * How the client commands (echo, find, worklist, store) open their associations: our AE title, `--timeout` for the
 * connection and for each response, and association detail logged with `--verbose`.
 */
export function clientConnection(options: { readonly aet: string; readonly timeout: number; readonly verbose?: boolean }): {
  readonly aeTitle: string;
  readonly connectTimeout: number;
  readonly dimseTimeout: number;
  readonly logger: Logger;
} {
  return {
    aeTitle: options.aet,
    connectTimeout: options.timeout * 1000,
    dimseTimeout: options.timeout * 1000,
    logger: options.verbose ? createLogger({ verbose: true }) : silentLogger,
  };
}

export function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`'${text}' is not a positive whole number`);
  return n;
}

export function seconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`'${text}' is not a number of seconds`);
  return n;
}

export function aeTitle(text: string): string {
  if (text.length === 0 || text.length > 16 || /[\\\x00-\x1f]/.test(text) || text.trim() === '') {
    throw new InvalidArgumentError(`'${text}' is not an AE title (1-16 characters, no backslash or control characters)`);
  }
  return text;
}
