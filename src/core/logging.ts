import { pino } from 'pino';

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

/** pino, writing JSON lines or readable text: `2026-11-22T08:41:38.123Z INFO message key=value ...`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const stream = { write: options.json ? write : (line: string) => write(formatText(line)) };
  return pino({ level: options.verbose ? 'debug' : 'info', base: undefined }, stream) as unknown as Logger;
}

/** One pino JSON record as a text line. */
export function formatText(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, ...rest } = record;
  const when = typeof time === 'number' ? new Date(time).toISOString() : '';
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${when} ${LEVELS[level as number] ?? level} ${msg ?? ''}${fields ? ` ${fields}` : ''}\n`;
}
