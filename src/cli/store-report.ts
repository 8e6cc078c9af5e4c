/** What `portico store` prints: one line per problem, a summary per destination, or one JSON report. */
import { formatStatus, statusName } from '../core/status.js';
import type { Peer } from '../net/ae.js';
import type { SkippedFile } from '../services/storage/file-source.js';
import type { DestinationReport, FinalResult } from '../services/storage/scu-destination.js';
import { STORAGE_STATUS } from '../services/storage/status.js';

const MB = 1_000_000;

export const peerName = (peer: Peer): string => `${peer.aeTitle}@${peer.host.includes(':') ? `[${peer.host}]` : peer.host}:${peer.port}`;

/** `text` without a leading `destination: ` (network errors name the peer; our lines already do). */
export const withoutPeer = (destination: string, text: string): string => (text.startsWith(`${destination}: `) ? text.slice(destination.length + 2) : text);

/** The line for an instance that was not simply stored, or undefined (stored; or not sent, said once per destination). */
export function resultLine(destination: string, r: FinalResult): string | undefined {
  if (r.outcome === 'success' || r.notSent) return undefined;
  const label = r.instance.label;
  const detail = withoutPeer(destination, r.detail.startsWith(`${label}: `) ? r.detail.slice(label.length + 2) : r.detail);
  return `${destination}: ${label}: ${r.outcome === 'warning' ? 'warning' : 'failed'}: ${detail}`;
}

/** One line for the instances a destination never got (connection refused, stopped after a failure). */
export function notSentLine(destination: string, report: DestinationReport): string | undefined {
  const notSent = report.results.filter((r) => r.notSent);
  if (notSent.length === 0) return undefined;
  const reasons = [...new Set(notSent.map((r) => r.detail.replace(/^not sent: /, '')))];
  const why = reasons.map((reason) => withoutPeer(destination, reason)).join('; ');
  return `${destination}: ${plural(notSent.length, 'instance')} not sent: ${why}`;
}

/** `Sent 998 of 1000 instances (2 failed) to PACS@host:104 in 12.3 s, 41.2 MB/s`. */
export function summaryLine(destination: string, report: DestinationReport): string {
  const notes = [report.failed > 0 ? `${report.failed} failed` : '', report.warnings > 0 ? `${report.warnings} with warnings` : ''].filter(Boolean);
  const retried = report.retries > 0 ? ` after ${plural(report.retries, 'retry', 'retries')}` : '';
  return (
    `Sent ${report.sent} of ${plural(report.total, 'instance')}${notes.length ? ` (${notes.join(', ')})` : ''} to ${destination}` +
    ` in ${formatSeconds(report.seconds)}${retried}, ${mbPerSecond(report).toFixed(1)} MB/s`
  );
}

export const skippedLine = (s: SkippedFile): string => `warning: ${s.message}, skipped`;

const mbPerSecond = (r: DestinationReport): number => (r.seconds > 0 ? r.bytes / MB / r.seconds : 0);

const formatSeconds = (s: number): string => `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The `--json` report. */
export function jsonReport(destinations: readonly DestinationReport[], instances: number, skipped: readonly SkippedFile[]): object {
  return {
    ok: destinations.every((d) => d.failed === 0) && skipped.every((s) => s.reason === 'not-dicom' || s.reason === 'dicomdir'),
    instances,
    skipped: skipped.map((s) => ({ path: s.path, reason: s.reason, message: s.message })),
    destinations: destinations.map((d) => ({
      peer: peerName(d.peer),
      ok: d.failed === 0,
      total: d.total,
      sent: d.sent,
      warnings: d.warnings,
      failed: d.failed,
      bytes: d.bytes,
      seconds: Math.round(d.seconds * 1000) / 1000,
      mbPerSecond: Math.round(mbPerSecond(d) * 100) / 100,
      associations: d.associations,
      retries: d.retries,
      stopped: d.stopped,
      ...(d.connectionError !== undefined ? { connectionError: d.connectionError } : {}),
      files: d.results.map(fileEntry),
    })),
  };
}

function fileEntry(r: FinalResult): object {
  return {
    file: r.instance.label,
    sopClassUid: r.instance.sopClassUid,
    sopInstanceUid: r.instance.sopInstanceUid,
    outcome: r.outcome,
    ...(r.status !== undefined ? { status: formatStatus(r.status), statusName: statusName(r.status, STORAGE_STATUS) } : {}),
    ...(r.errorComment !== undefined ? { errorComment: r.errorComment } : {}),
    detail: r.detail,
    ...(r.transferSyntax !== undefined ? { transferSyntax: r.transferSyntax } : {}),
    converted: r.converted,
    attempts: r.attempts,
    bytes: r.bytes,
  };
}
