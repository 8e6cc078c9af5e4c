import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST_CLI = fileURLToPath(new URL('../../dist/src/cli/', import.meta.url));

/** The npm packages (CommonJS ones, through require's cache) that importing the built `dist/src/cli/<name>.js` loads. */
function packagesLoadedBy(name: string, then = ''): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    await import(${JSON.stringify(`${DIST_CLI}${name}.js`)});
    ${then}
    const names = Object.keys(require.cache).map((k) => k.replace(/.*node_modules[\\\\/]/, '').split(/[\\\\/]/)[0]);
    console.log(JSON.stringify([...new Set(names)].sort()));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })) as string[];
}

describe('start-up of the command line (built dist/)', () => {
  // iconv-lite (12 ms) and cli-progress (7 ms) load when first needed: a character set beyond ASCII and Latin-1, a
  // progress bar on a terminal. pino, zod and yaml likewise (JSON logs, a config file).
  it.each(['store', 'echo', 'find', 'worklist', 'serve'])('importing %s loads commander only', (name) => {
    expect(packagesLoadedBy(name)).toEqual(['commander']);
  });

  it('loads iconv-lite when a value in another character set is decoded', () => {
    const then = `
      const { SpecificCharacterSet } = await import(${JSON.stringify(fileURLToPath(new URL('../../dist/src/data/charset/specific-character-set.js', import.meta.url)))});
      const text = SpecificCharacterSet.from('ISO_IR 101').decode(new Uint8Array([0xb3, 0xf3, 0x64, 0xbc]), 'PN');
      if (text !== 'łódź') throw new Error('decoded ' + text);
    `;
    expect(packagesLoadedBy('store', then)).toContain('iconv-lite');
  });
});
