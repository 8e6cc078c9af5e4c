/**
 * `portico serve --accept-all-storage` (issue 4: "or any storage class with acceptAllStorage: true"): a SOP class
 * the dictionary (DICOM 2024e) does not know — a private one — is stored like any other; without the option its
 * presentation context is rejected. A registered UID that is not a storage SOP class, and an abstract syntax that is
 * not a UID, stay refused either way. The sender is `portico store` (DCMTK's storescu refuses to send a SOP class
 * it does not know).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../src/data/dataset.js';
import { readDicom } from '../../src/encoding/read.js';
import { ExplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { connect } from '../../src/net/ae.js';
import { assertPorticoBuilt, HOST, portico, startPorticoServe } from './net-peers.js';
import { filesUnder } from './store-scp-archive.js';

const PRIVATE_SOP_CLASS = '1.2.826.0.1.3680043.8.498.777.1';
const PRINT_META_SOP_CLASS = '1.2.840.10008.5.1.1.9';
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

let dir = '';
let file = '';
let source: Uint8Array;

beforeAll(async () => {
  assertPorticoBuilt();
  dir = await mkdtemp(join(tmpdir(), 'portico-accept-all-'));
  const ds = new Dataset();
  ds.set('SOPClassUID', PRIVATE_SOP_CLASS);
  ds.set('SOPInstanceUID', '1.2.826.0.1.3680043.8.498.777.2.1');
  ds.set('StudyInstanceUID', '1.2.826.0.1.3680043.8.498.777.3');
  ds.set('SeriesInstanceUID', '1.2.826.0.1.3680043.8.498.777.4');
  ds.set('PatientName', 'Private^Class');
  ds.set('PatientID', 'PRIV1');
  ds.set('Modality', 'OT');
  ds.set('PixelData', new Uint8Array(64).fill(9), 'OB');
  source = writeDicom(ds, { transferSyntax: ExplicitVRLittleEndian });
  file = join(dir, 'private.dcm');
  await writeFile(file, source);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Which of these abstract syntaxes the server accepts on one association. */
async function accepted(port: number, abstractSyntaxes: readonly string[]): Promise<string[]> {
  const a = await connect({ aeTitle: 'PORTICO', host: HOST, port }, { aeTitle: 'PROBE', contexts: abstractSyntaxes.map((s) => ({ abstractSyntax: s, transferSyntaxes: [ExplicitVRLittleEndian] })) });
  const out = [...a.params.contexts.values()].map((c) => c.abstractSyntax);
  await a.release();
  return out;
}

describe('portico serve --accept-all-storage', () => {
  it('without it: a private SOP class is not accepted, and portico store says so', async () => {
    const serve = await startPorticoServe([]);
    try {
      expect(await accepted(serve.port, [PRIVATE_SOP_CLASS, SECONDARY_CAPTURE])).toEqual([SECONDARY_CAPTURE]);
      const sent = await portico(['store', `PORTICO@${HOST}:${serve.port}`, file]);
      expect(sent.stdout + sent.stderr).toContain(`peer does not accept ${PRIVATE_SOP_CLASS}`);
      expect(await filesUnder(join(serve.dir, 'store'))).toEqual([]);
    } finally {
      await serve.stop();
    }
  });

  it('with it: the private SOP class is stored as sent and indexed; non-storage and non-UID syntaxes stay refused', async () => {
    const serve = await startPorticoServe(['--accept-all-storage']);
    try {
      expect(serve.stdout()).toContain('any SOP class it does not know');
      expect(await accepted(serve.port, [PRIVATE_SOP_CLASS, PRINT_META_SOP_CLASS, 'not.a.uid', '1.2.3.'])).toEqual([PRIVATE_SOP_CLASS]);
      const sent = await portico(['store', `PORTICO@${HOST}:${serve.port}`, file, '--json']);
      expect(sent.status).toBe(0);
      expect(JSON.parse(sent.stdout)).toMatchObject({ ok: true, destinations: [{ sent: 1, failed: 0 }] });
      const ls = await portico(['ls', '--dir', serve.dir]);
      expect(ls.stdout).toContain('PRIV1');
      const files = await filesUnder(join(serve.dir, 'store'));
      expect(files).toHaveLength(1);
      const storedBytes = await readFile(join(serve.dir, 'store', files[0]!));
      const kept = readDicom(storedBytes);
      expect(kept.meta.string('MediaStorageSOPClassUID')).toBe(PRIVATE_SOP_CLASS);
      expect(Buffer.from(storedBytes.subarray(kept.datasetOffset))).toEqual(Buffer.from(source.subarray(readDicom(source).datasetOffset)));
    } finally {
      await serve.stop();
    }
  });
});
