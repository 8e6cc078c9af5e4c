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

/** JSON lines on stderr (pino), `debug` with verbose. */
export function createLogger(options: { verbose?: boolean; destination?: number } = {}): Logger {
  return pino({ level: options.verbose ? 'debug' : 'info', base: undefined }, pino.destination({ fd: options.destination ?? 2, sync: true })) as unknown as Logger;
}
