import { describe, expect, it } from 'vitest';
import type { DestinationReport, FinalResult } from '../services/storage/scu-destination.js';
import type { StoreInstance } from '../services/storage/scu.js';
import { jsonReport, notSentLine, peerName, resultLine, summaryLine } from './store-report.js';

const peer = { aeTitle: 'PACS', host: 'pacs.example.org', port: 104 };
const instance = (n: number): StoreInstance => ({
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  sopInstanceUid: `1.2.3.${n}`,
  transferSyntax: '1.2.840.10008.1.2.1',
  size: 1_000_000,
  label: `/data/im${n}.dcm`,
  source: { kind: 'file', path: `/data/im${n}.dcm`, datasetOffset: 132 },
});
const ok = (n: number): FinalResult => ({ instance: instance(n), outcome: 'success', status: 0, detail: '0x0000 Success (success)', transient: false, converted: false, bytes: 1_000_000, attempts: 1 });

function report(results: FinalResult[], extra: Partial<DestinationReport> = {}): DestinationReport {
  const stored = results.filter((r) => r.outcome !== 'failure');
  return {
    peer,
    total: results.length,
    sent: stored.length,
    warnings: results.filter((r) => r.outcome === 'warning').length,
    failed: results.length - stored.length,
    bytes: stored.length * 1_000_000,
    seconds: 12.3,
    associations: 1,
    retries: 0,
    results,
    stopped: false,
    ...extra,
  };
}

describe('portico store report lines', () => {
  const failed: FinalResult = { ...ok(2), outcome: 'failure', status: 0xa900, errorComment: 'Wrong IOD', detail: '0xA900 Error: Data Set does not match SOP Class (failure): Wrong IOD', bytes: 0 };
  const warned: FinalResult = { ...ok(3), outcome: 'warning', status: 0xb000, detail: '0xB000 Coercion of Data Elements (warning)' };
  const notSent: FinalResult = { ...ok(4), outcome: 'failure', status: undefined, detail: 'not sent: PACS@pacs.example.org:104: connection refused', bytes: 0, attempts: 0, notSent: true };

  it('the summary: sent of total, failures and warnings, destination, seconds, MB/s', () => {
    expect(summaryLine('PACS@pacs.example.org:104', report([ok(1), failed, warned]))).toBe(
      'Sent 2 of 3 instances (1 failed, 1 with warnings) to PACS@pacs.example.org:104 in 12.3 s, 0.2 MB/s',
    );
    expect(summaryLine('P@h:1', report([ok(1)], { seconds: 0.5, retries: 1 }))).toBe('Sent 1 of 1 instance to P@h:1 in 0.50 s after 1 retry, 2.0 MB/s');
  });

  it('one line per warning and failure; none for successes and for instances never sent (said once)', () => {
    expect(resultLine('D', ok(1))).toBeUndefined();
    expect(resultLine('D', failed)).toBe('D: /data/im2.dcm: failed: 0xA900 Error: Data Set does not match SOP Class (failure): Wrong IOD');
    expect(resultLine('D', warned)).toBe('D: /data/im3.dcm: warning: 0xB000 Coercion of Data Elements (warning)');
    expect(resultLine('D', notSent)).toBeUndefined();
    expect(notSentLine('PACS@pacs.example.org:104', report([ok(1), notSent, { ...notSent, instance: instance(5) }]))).toBe(
      'PACS@pacs.example.org:104: 2 instances not sent: connection refused',
    );
  });

  it('the JSON report: per destination counts, bytes, seconds and every file with its status', () => {
    const json = jsonReport([report([ok(1), failed])], 2, [{ path: '/data/notes.txt', reason: 'not-dicom', message: '/data/notes.txt: not DICOM' }]) as {
      ok: boolean;
      destinations: { files: object[] }[];
    };
    expect(json).toMatchObject({
      ok: false,
      instances: 2,
      skipped: [{ path: '/data/notes.txt', reason: 'not-dicom' }],
      destinations: [{ peer: 'PACS@pacs.example.org:104', ok: false, total: 2, sent: 1, warnings: 0, failed: 1, bytes: 1_000_000, seconds: 12.3, associations: 1 }],
    });
    expect(json.destinations[0]!.files[1]).toEqual({
      file: '/data/im2.dcm',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: '1.2.3.2',
      outcome: 'failure',
      status: '0xA900',
      statusName: 'Error: Data Set does not match SOP Class',
      errorComment: 'Wrong IOD',
      detail: '0xA900 Error: Data Set does not match SOP Class (failure): Wrong IOD',
      converted: false,
      attempts: 1,
      bytes: 0,
    });
  });

  it('IPv6 peers are written with brackets', () => {
    expect(peerName({ aeTitle: 'X', host: '::1', port: 104 })).toBe('X@[::1]:104');
  });
});
