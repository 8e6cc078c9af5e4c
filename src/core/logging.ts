import { createRequire } from 'node:module';
import type { pino as Pino } from 'pino';

/** pino, loaded when a JSON logger is made: the text logger is ours, and every command starts ~25 ms sooner. */
const loadPino = (): typeof Pino => (createRequire(import.meta.url)('pino') as { pino: typeof Pino }).pino;

/** The logger every layer takes (pino's shape). `--verbose` turns on `debug`, where PDUs and transitions go. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled?(level: string): boolean;
}

/** A logger that drops everything (library default: a library does not print unless asked). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  isLevelEnabled: () => false,
};

export interface LoggerOptions {
  readonly verbose?: boolean;
  /** JSON lines (pino's own format) instead of one readable text line per record. */
  readonly json?: boolean;
  /** Where lines go (default stderr). */
  readonly write?: (line: string) => void;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * JSON lines through pino (`json`), or readable text lines written directly: `2026-11-22T08:41:38.123Z INFO message
 * key=value ...` (formatting text from pino's JSON would serialize and parse every record twice).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  if (options.json) return loadPino()({ level: options.verbose ? 'debug' : 'info', base: undefined }, { write }) as unknown as Logger;
  return new TextLogger(write, options.verbose === true, {});
}

class TextLogger implements Logger {
  constructor(
    readonly write: (line: string) => void,
    readonly verbose: boolean,
    readonly bindings: Record<string, unknown>,
  ) {}

  #log(level: number, obj: object | string, msg?: string): void {
    const fields = typeof obj === 'string' ? this.bindings : { ...this.bindings, ...obj };
    const text = typeof obj === 'string' ? obj : (msg ?? '');
    this.write(textLine(Date.now(), level, text, fields));
  }

  debug(obj: object | string, msg?: string): void {
    if (this.verbose) this.#log(20, obj, msg);
  }
  info(obj: object | string, msg?: string): void {
    this.#log(30, obj, msg);
  }
  warn(obj: object | string, msg?: string): void {
    this.#log(40, obj, msg);
  }
  error(obj: object | string, msg?: string): void {
    this.#log(50, obj, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new TextLogger(this.write, this.verbose, { ...this.bindings, ...bindings });
  }
  isLevelEnabled(level: string): boolean {
    return level !== 'debug' && level !== 'trace' ? true : this.verbose;
  }
}

function textLine(time: number, level: number, msg: string, record: Record<string, unknown>): string {
  const fields = Object.entries(record)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${new Date(time).toISOString()} ${LEVELS[level] ?? level} ${msg}${fields ? ` ${fields}` : ''}\n`;
}

/** One pino JSON record as a text line (for reading JSON logs back). */
export function formatText(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, ...rest } = record;
  return textLine(typeof time === 'number' ? time : Date.now(), level as number, String(msg ?? ''), rest);
}
