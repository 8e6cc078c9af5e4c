import { createRequire } from 'node:module';
import type * as IconvLite from 'iconv-lite';

let loaded: typeof IconvLite | undefined;

/**
 * iconv-lite, loaded on first use: importing it costs 12 ms of start-up, which a command that meets no character set
 * beyond ASCII and Latin-1 (`portico echo`, `portico store` of most files) never needs.
 */
export function iconv(): typeof IconvLite {
  return (loaded ??= createRequire(import.meta.url)('iconv-lite') as typeof IconvLite);
}
