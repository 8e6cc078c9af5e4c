/**
 * Portico and Orthanc (Debian's, with a temporary configuration): `portico echo` → Orthanc (text and --json, and
 * a wrong called AE title rejected since DicomCheckCalledAet is on), Portico releasing and aborting with Orthanc's
 * log as the witness, Portico's C-STORE read back through Orthanc's REST API, and Orthanc as SCU (C-ECHO and
 * C-STORE to the modality "portico") against Portico's SCP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDicomJson } from '../../src/encoding/dicom-json.js';
import { readDicom } from '../../src/encoding/read.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { connect, type DicomServer, listen } from '../../src/net/ae.js';
import { cStoreRq } from '../../src/net/dimse/c-store.js';
import { verificationScp } from '../../src/services/verification/scp.js';
import { echo } from '../../src/services/verification/scu.js';
import { VerificationSOPClass } from '../../src/services/verification/uids.js';
import { CT_IMAGE_STORAGE, ctDataset } from './net-instances.js';
import { assertPorticoBuilt, HOST, type Orthanc, portico, startOrthanc, waitUntil } from './net-peers.js';
import { AssociationLog, type ReceivedInstance, recordingStorageScp } from './net-wire.js';
import { ensurePeers, ORTHANC, tempDir } from './peers.js';

let orthanc: Orthanc | undefined;
let scp: DicomServer | undefined;
let scpLog: AssociationLog;
const received: ReceivedInstance[] = [];
let removeDir: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ensurePeers(ORTHANC);
  assertPorticoBuilt();
  const tmp = await tempDir('net-orthanc');
  removeDir = tmp.remove;
  scp = await listen({
    aeTitle: 'PORTICO',
    port: 0,
    host: HOST,
    services: [verificationScp([ExplicitVRLittleEndian, ImplicitVRLittleEndian]), recordingStorageScp([CT_IMAGE_STORAGE], [ExplicitVRLittleEndian, ImplicitVRLittleEndian], received)],
  });
  scpLog = new AssociationLog(scp);
  orthanc = await startOrthanc(tmp.dir, { checkCalledAet: true, modalities: { portico: ['PORTICO', HOST, scp.port] } });
});

afterAll(async () => {
  await orthanc?.stop(5_000);
  await scp?.close(500);
  await removeDir?.();
});

/** Orthanc's log since `from` (its own lines start with I/W/E + date). */
const orthancLogSince = (from: number): string => orthanc!.output().slice(from);
const orthancErrors = (log: string): string[] => log.split('\n').filter((l) => /^E\d{4} /.test(l));

describe('portico echo → Orthanc', () => {
  it('exits 0 and prints the round trip', async () => {
    const r = await portico(['echo', `ORTHANC@${HOST}:${orthanc!.dicomPort}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^C-ECHO ORTHANC@127\.0\.0\.1:\d+: success in \d+\.\d\d ms\n$/);
  });

  it('--json --repeat 3: one JSON object, three round trips', async () => {
    const r = await portico(['echo', `ORTHANC@${HOST}:${orthanc!.dicomPort}`, '--json', '--repeat', '3']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { ok: boolean; echoes: number; roundTripMs: number[] };
    expect(result).toMatchObject({ ok: true, echoes: 3 });
    expect(result.roundTripMs).toHaveLength(3);
  });

  it('a wrong called AE title: non-zero exit with the reject reason (Orthanc checks the called AET)', async () => {
    const from = orthanc!.output().length;
    const r = await portico(['echo', `NOT-ORTHANC@${HOST}:${orthanc!.dicomPort}`]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      `portico echo: NOT-ORTHANC@${HOST}:${orthanc!.dicomPort}: association rejected (permanent) by the service user: called AE title not recognized`,
    );
    await waitUntil('Orthanc to log the rejection', () => (/bad called AET in the request \(NOT-ORTHANC\)/.test(orthancLogSince(from)) ? true : undefined));
  });

  it('a wrong called AE title with --json: ok false and the reason', async () => {
    const r = await portico(['echo', `NOT-ORTHANC@${HOST}:${orthanc!.dicomPort}`, '--json']);
    expect(r.status).not.toBe(0);
    const result = JSON.parse(r.stdout) as { ok: boolean; error: string };
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/called AE title not recognized/);
  });
});

describe('Portico SCU → Orthanc: release and abort', () => {
  const verification = [{ abstractSyntax: VerificationSOPClass, transferSyntaxes: [ExplicitVRLittleEndian, ImplicitVRLittleEndian] }];

  it('a release: Orthanc logs "Association Release" for our AE and no error', async () => {
    const from = orthanc!.output().length;
    const association = await connect({ aeTitle: 'ORTHANC', host: HOST, port: orthanc!.dicomPort }, { aeTitle: 'PORTICO_REL', contexts: verification });
    await echo(association);
    await association.release();
    expect(await association.ended).toBe('released');
    await waitUntil('Orthanc to log the release', () => (/Association Release with AET PORTICO_REL/.test(orthancLogSince(from)) ? true : undefined));
    const log = orthancLogSince(from);
    expect(log).toMatch(/Finishing association with AET PORTICO_REL on IP 127\.0\.0\.1: DUL Peer Requested Release/);
    expect(log).not.toMatch(/Aborted with AET PORTICO_REL/);
    expect(orthancErrors(log)).toEqual([]);
  });

  it('an abort: Orthanc logs "Association Aborted" for our AE and no error', async () => {
    const from = orthanc!.output().length;
    const association = await connect({ aeTitle: 'ORTHANC', host: HOST, port: orthanc!.dicomPort }, { aeTitle: 'PORTICO_ABT', contexts: verification });
    await echo(association);
    association.abort();
    expect(await association.ended).toBe('aborted');
    await waitUntil('Orthanc to log the abort', () => (/Association Aborted with AET PORTICO_ABT/.test(orthancLogSince(from)) ? true : undefined));
    expect(orthancErrors(orthancLogSince(from))).toEqual([]);
  });
});

describe('C-STORE between Portico and Orthanc', () => {
  it('Portico → Orthanc: Success, and the instance Orthanc serves back has our dataset', async () => {
    const dataset = ctDataset(7);
    const sopInstanceUid = dataset.string('SOPInstanceUID')!;
    const association = await connect(
      { aeTitle: 'ORTHANC', host: HOST, port: orthanc!.dicomPort },
      { aeTitle: 'PORTICO', contexts: [{ abstractSyntax: CT_IMAGE_STORAGE, transferSyntaxes: [ExplicitVRLittleEndian] }] },
    );
    try {
      const context = association.contextFor(CT_IMAGE_STORAGE, [ExplicitVRLittleEndian]);
      expect(context).toBeDefined();
      const bytes = writeDicom(dataset, { transferSyntax: ExplicitVRLittleEndian, part10: false });
      const command = cStoreRq({ messageId: association.newMessageId(), affectedSopClassUid: CT_IMAGE_STORAGE, affectedSopInstanceUid: sopInstanceUid });
      const response = await association.requestOne(context!.id, command, bytes);
      expect(response.command.status).toBe(0);
      await association.release();
    } catch (error) {
      association.abort();
      throw error;
    }
    const found = (await orthanc!.rest('/tools/find', {
      method: 'POST',
      body: JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: sopInstanceUid } }),
    })) as string[];
    expect(found).toHaveLength(1);
    const file = readDicom(await orthanc!.restBytes(`/instances/${found[0]}/file`));
    expect(file.meta.string('TransferSyntaxUID')).toBe(ExplicitVRLittleEndian);
    expect(file.meta.string('MediaStorageSOPInstanceUID')).toBe(sopInstanceUid);
    expect(toDicomJson(file.dataset)).toEqual(toDicomJson(dataset));
  });

  it('Orthanc → Portico: C-ECHO to the modality "portico" succeeds', async () => {
    const before = scpLog.records.length;
    await orthanc!.rest('/modalities/portico/echo', { method: 'POST', body: '{}' });
    const record = await scpLog.nth(before + 1);
    expect(record).toMatchObject({ callingAeTitle: 'ORTHANC', calledAeTitle: 'PORTICO', outcome: 'released', requests: 1 });
  });

  it('Orthanc → Portico: C-STORE of the instance it holds arrives intact', async () => {
    const dataset = ctDataset(8);
    const sopInstanceUid = dataset.string('SOPInstanceUID')!;
    const uploaded = (await orthanc!.rest('/instances', { method: 'POST', body: writeDicom(dataset, { transferSyntax: ExplicitVRLittleEndian }) })) as {
      ID: string;
    };
    expect(uploaded.ID).toBeTruthy();
    await orthanc!.rest('/modalities/portico/store', { method: 'POST', body: JSON.stringify({ Resources: [uploaded.ID], Synchronous: true }) });
    const got = await waitUntil('Portico to receive the instance', () => received.find((r) => r.sopInstanceUid === sopInstanceUid));
    expect(got).toMatchObject({ sopClassUid: CT_IMAGE_STORAGE, callingAeTitle: 'ORTHANC' });
    expect(toDicomJson(readDicom(got.dataset).dataset)).toEqual(toDicomJson(dataset));
  });
});
