/**
 * `portico.yaml` through the command line: `serve --config` takes the file's values where no flag was given (a flag
 * wins), its remotes are C-MOVE destinations, and the client commands (`echo`, `store`, `find`) take a remote's name
 * as the peer and the file's AE title as theirs. A config that does not fit is refused with its key, exit code 2.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/data/dataset.js';
import { ExplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { assertPorticoBuilt, freePort, HOST, portico, PORTICO_BIN, type PorticoServe, REPO_ROOT, startDaemon, startPorticoServe } from './net-peers.js';
import { run } from './peers.js';

let dir = '';
let config = '';
let serve: PorticoServe;

beforeAll(async () => {
  assertPorticoBuilt();
  dir = await mkdtemp(join(tmpdir(), 'portico-config-cli-'));
  // The server's port comes from the command line (startPorticoServe), so the file's `port: 1` must lose to it; the
  // remote SELF is the server itself, found by port after it started (written again below).
  config = join(dir, 'portico.yaml');
  await writeFile(config, 'aet: GATEWAY\nport: 1\nquery: { maxMatches: 7 }\nstorage: { acceptAllStorage: true }\nremotes:\n  SINK: STORESCP@127.0.0.1:11113\n');
  serve = await startPorticoServe(['--config', config]);
  await writeFile(config, `aet: CALLER\nremotes:\n  SELF: { aet: GATEWAY, host: ${HOST}, port: ${serve.port} }\n  SINK: STORESCP@127.0.0.1:11113\n`);
}, 30_000);

afterAll(async () => {
  await serve?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('portico.yaml', () => {
  it('serve: the file where no flag was given, the flag where one was', () => {
    const out = serve.stdout();
    expect(out).toContain(`Portico GATEWAY listening on ${HOST}:${serve.port}`);
    expect(out).toContain('at most 7 matches');
    expect(out).toContain('any SOP class it does not know');
    expect(out).toContain('C-MOVE destinations: STORESCP@127.0.0.1:11113');
  });

  it('echo: a remote by name, with the file\'s AE title as the calling one', async () => {
    const r = await portico(['echo', 'SELF', '--config', config]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`C-ECHO GATEWAY@${HOST}:${serve.port}: success`));
    // The server logs the association: CALLER → GATEWAY.
    await expect(serve.waitForOutput(/association CALLER → GATEWAY/, 5000)).resolves.toBeTruthy();
  });

  it('without --config, portico.yaml of the current folder is read', async () => {
    const folder = join(dir, 'cwd');
    await mkdir(folder, { recursive: true });
    await copyFile(config, join(folder, 'portico.yaml'));
    const r = await run(process.execPath, [PORTICO_BIN, 'echo', 'SELF'], { cwd: folder, timeoutMs: 20_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`C-ECHO GATEWAY@${HOST}:${serve.port}: success`));
  });

  it('serve: a dir in the file is relative to the file, not to where serve runs', async () => {
    const folder = join(dir, 'elsewhere');
    await mkdir(folder, { recursive: true });
    const file = join(folder, 'site.yaml');
    await writeFile(file, `aet: SITE\nhost: ${HOST}\nport: ${await freePort()}\ndir: data\n`);
    const other = await startDaemon('portico serve', process.execPath, [PORTICO_BIN, 'serve', '--config', file, '--reserve-mb', '1'], {
      cwd: REPO_ROOT,
      ready: async (d) => /Storing into /.test(d.stdout()),
    });
    try {
      expect(other.stdout()).toContain(`Storing into ${join(folder, 'data')} `);
      expect(other.stdout()).toContain('Portico SITE listening');
    } finally {
      await other.stop();
    }
  });

  it('echo: an unknown name says which remotes there are; exit code 2', async () => {
    const r = await portico(['echo', 'NOPE', '--config', config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`'NOPE' is not a peer`);
    expect(r.stderr).toContain(`remotes in ${config}: SELF, SINK`);
  });

  it('store and find: a remote by name', async () => {
    const ds = new Dataset();
    ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
    ds.set('SOPInstanceUID', '1.2.826.0.1.3680043.8.498.888.1');
    ds.set('StudyInstanceUID', '1.2.826.0.1.3680043.8.498.888.2');
    ds.set('SeriesInstanceUID', '1.2.826.0.1.3680043.8.498.888.3');
    ds.set('PatientName', 'Config^Test');
    ds.set('PatientID', 'CFG1');
    ds.set('Modality', 'OT');
    const file = join(dir, 'sc.dcm');
    await writeFile(file, writeDicom(ds, { transferSyntax: ExplicitVRLittleEndian }));
    const stored = await portico(['store', 'SELF', file, '--config', config, '--json']);
    expect(stored.status).toBe(0);
    expect(JSON.parse(stored.stdout)).toMatchObject({ ok: true, destinations: [{ peer: `GATEWAY@${HOST}:${serve.port}`, sent: 1 }] });
    const found = await portico(['find', 'SELF', '--config', config, '-k', 'PatientID=CFG1', '-k', 'PatientName', '--json']);
    expect(found.status).toBe(0);
    expect(found.stdout).toContain('Config^Test');
  });

  it('a config that does not fit: the file, the key and the problem; exit code 2', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'aet: GATEWAY\nstorage: { reserveMB: 10 }\n');
    const r = await portico(['echo', 'SELF', '--config', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`portico echo: ${bad}: storage: Unrecognized key: "reserveMB"`);
    const missing = await portico(['serve', '--config', join(dir, 'nothere.yaml')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nothere.yaml: cannot read the config file');
  });
});
