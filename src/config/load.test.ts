import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from './load.js';
import { remotePeers, resolvePeer, unknownPeerMessage } from './remotes.js';
import { thrownBy } from '../../test/support/thrown.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const errorOf = (run: () => unknown): ConfigError => thrownBy(ConfigError, run);

const FULL = `
aet: GATEWAY
port: 4242
host: 127.0.0.1
dir: /srv/portico
remotes:
  PACS: { aet: MAINPACS, host: pacs.example.org, port: 104 }
  viewer-2: VIEWER@[::1]:11112
storage: { duplicates: overwrite, reserveMb: 2048, acceptAllStorage: true }
query: { maxMatches: 500, relational: true }
network:
  maxAssociations: 20
  maxPdu: 16384
  checkCalledAet: false
  allow: [CT1, MR1@10.0.0.9]
  artimTimeout: 10
  idleTimeout: 60
`;

describe('parseConfig: portico.yaml', () => {
  it('reads every key, remotes in both forms', () => {
    const config = parseConfig(FULL, 'portico.yaml');
    expect(config).toMatchObject({
      aet: 'GATEWAY',
      port: 4242,
      dir: '/srv/portico',
      storage: { duplicates: 'overwrite', reserveMb: 2048, acceptAllStorage: true },
      query: { maxMatches: 500, relational: true },
      network: { maxAssociations: 20, checkCalledAet: false, allow: ['CT1', 'MR1@10.0.0.9'], idleTimeout: 60 },
    });
    expect([...remotePeers(config)]).toEqual([
      ['PACS', { aeTitle: 'MAINPACS', host: 'pacs.example.org', port: 104 }],
      ['viewer-2', { aeTitle: 'VIEWER', host: '::1', port: 11112 }],
    ]);
  });

  it('an empty file is an empty config (every default)', () => {
    expect(parseConfig('', 'portico.yaml')).toEqual({});
    expect(parseConfig('# nothing yet\n', 'portico.yaml')).toEqual({});
  });

  it('names the file, the key and the problem: a misspelt key, a port out of range, a bad AE title, a bad remote', () => {
    expect(errorOf(() => parseConfig('aet: A\nstorage: { reserveMB: 10 }\n', 'p.yaml')).message).toMatch(/^p\.yaml: storage: .*reserveMB/);
    expect(errorOf(() => parseConfig('port: 70000\n', 'p.yaml')).message).toMatch(/^p\.yaml: port: /);
    expect(errorOf(() => parseConfig('aet: SEVENTEEN_CHARS_X\n', 'p.yaml')).message).toMatch(/^p\.yaml: aet: /);
    expect(errorOf(() => parseConfig('aet: "A\\\\B"\n', 'p.yaml')).message).toMatch(/^p\.yaml: aet: an AE title/);
    expect(errorOf(() => parseConfig('remotes: { PACS: pacs.example.org }\n', 'p.yaml')).message).toMatch(/^p\.yaml: remotes\.PACS: (a remote is|'pacs)/);
    expect(errorOf(() => parseConfig('remotes: { "bad name": A@h:1 }\n', 'p.yaml')).message).toMatch(/remotes/);
    expect(errorOf(() => parseConfig('query: { maxMatches: -1 }\n', 'p.yaml')).message).toMatch(/^p\.yaml: query\.maxMatches: /);
  });

  it('refuses what is not YAML, duplicate keys, and a document that is not a mapping', () => {
    expect(errorOf(() => parseConfig('aet: [unclosed\n', 'p.yaml')).message).toMatch(/^p\.yaml: not valid YAML \(line \d+, column \d+\)/);
    expect(errorOf(() => parseConfig('port: 1\nport: 2\n', 'p.yaml')).message).toMatch(/not valid YAML/);
    expect(errorOf(() => parseConfig('- a\n- b\n', 'p.yaml')).message).toMatch(/^p\.yaml: \(top level\): /);
  });

  it('bounds aliases (a "billion laughs" document is refused, not expanded)', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(errorOf(() => parseConfig(laughs, 'p.yaml')).message).toMatch(/not valid YAML|p\.yaml/);
  });
});

describe('loadConfig: which file', () => {
  it('--config names a file that must exist; without it portico.yaml of the folder is read if there is one', async () => {
    await expect(loadConfig(join(dir, 'missing.yaml'))).rejects.toThrow(/missing\.yaml: cannot read the config file/);
    const empty = await mkdtemp(join(dir, 'none-'));
    expect(await loadConfig(undefined, empty)).toBeUndefined();
    await writeFile(join(empty, 'portico.yaml'), 'aet: FROMFOLDER\n');
    expect(await loadConfig(undefined, empty)).toEqual({ path: join(empty, 'portico.yaml'), config: { aet: 'FROMFOLDER' } });
    await writeFile(join(dir, 'other.yml'), 'port: 104\n');
    expect((await loadConfig('other.yml', dir))?.config).toEqual({ port: 104 });
  });

  it('refuses a folder and a file far too large to be a config', async () => {
    await expect(loadConfig(dir)).rejects.toThrow(/not a file/);
    await writeFile(join(dir, 'huge.yaml'), `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    await expect(loadConfig(join(dir, 'huge.yaml'))).rejects.toThrow(/too large for a config file/);
  });
});

describe('resolvePeer', () => {
  const config = parseConfig(FULL, 'portico.yaml');
  it('AET@host:port as written, or a remote by name', () => {
    expect(resolvePeer('ORTHANC@localhost:4242', config)).toEqual({ aeTitle: 'ORTHANC', host: 'localhost', port: 4242 });
    expect(resolvePeer('PACS', config)).toEqual({ aeTitle: 'MAINPACS', host: 'pacs.example.org', port: 104 });
    expect(resolvePeer('NOPE', config)).toBeUndefined();
    expect(resolvePeer('PACS', undefined)).toBeUndefined();
  });

  it('says which remotes there are when a name is unknown', () => {
    expect(unknownPeerMessage('NOPE', { path: '/etc/portico.yaml', config })).toMatch(/remotes in \/etc\/portico\.yaml: PACS, viewer-2$/);
    expect(unknownPeerMessage('NOPE', undefined)).toMatch(/^'NOPE' is not a peer: write it AET@host:port/);
  });
});
