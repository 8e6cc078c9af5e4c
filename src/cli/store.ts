import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Peer } from '../net/ae.js';
import { Priority } from '../net/dimse/command-elements.js';
import { type CollectedInstances, collectInstances } from '../services/storage/file-source.js';
import { type DestinationReport, sendToDestination } from '../services/storage/scu-destination.js';
import { describeError } from './errors.js';
import type { Io } from './io.js';
import { resolvePeer } from '../config/remotes.js';
import { CONFIG_HELP, withConfig, withConfigValues } from './config-option.js';
import { aeTitle, clientConnection, positiveInt, seconds } from './peer-option.js';
import { noProgress, type StoreProgress, terminalProgress } from './store-progress.js';
import { jsonReport, notSentLine, peerName, resultLine, skippedLine, summaryLine, withoutPeer } from './store-report.js';

export interface StoreCliOptions {
  readonly aet: string;
  readonly timeout: number;
  readonly maxPdu: number;
  readonly retries: number;
  readonly retryDelay: number;
  readonly onFailure: 'continue' | 'abort';
  readonly priority: number;
  readonly json?: boolean;
  readonly progress: boolean;
  readonly verbose?: boolean;
}

const HELP_AFTER = `
Arguments that read as a peer (AET@host:port) are destinations; the others are files, folders (searched
recursively; files that are not DICOM are skipped with a warning) and DICOMDIRs (the files their records
reference). Each instance is sent in its own transfer syntax when the peer accepts it (the file's bytes
unchanged), else converted to Explicit or Implicit VR Little Endian; compressed instances the peer does not
accept in their syntax fail until decompression is available. Destinations are sent to in parallel and
reported separately. Exit code 0 when every instance reached every destination (warnings included), 1 when
any failed, 2 for a usage error.

Examples:
  portico store PACS@pacs.example.org:104 study/
  portico store PACS@10.0.0.5:104 ARCHIVE@10.0.0.6:11112 /media/cdrom/DICOMDIR
  portico store PACS@10.0.0.5:104 photos/ --retries 4 --retry-delay 60     # 5 tries, 1 minute apart
  portico store PACS@10.0.0.5:104 a.dcm b.dcm --on-failure abort --json
`;

/** `portico store <peer>... <file|dir|DICOMDIR>...`: C-STORE SCU. */
export function registerStore(program: Command, io: Io): void {
  const command = program
    .command('store')
    .description('send files, folders and DICOMDIRs to one or more peers with C-STORE')
    .argument('<peer|path...>', 'one or more peers (AET@host:port, or names of remotes in the config), then files, folders or DICOMDIRs')
    .option('--aet <title>', 'our calling AE title', aeTitle, 'PORTICO')
    .option('--timeout <seconds>', 'time to connect, and to wait for each response', seconds, 60)
    .option('--max-pdu <bytes>', 'largest P-DATA PDU we receive (what we send follows the peer\'s limit)', maxPdu, 65536)
    .option('--retries <n>', 'new associations for instances not sent (connection failures, A7xx out of resources)', nonNegativeInt, 0)
    .option('--retry-delay <seconds>', 'wait before each retry', nonNegativeSeconds, 60)
    .option('--on-failure <action>', 'after a failed instance: continue with the next, or abort the association and stop', onFailure, 'continue')
    .addOption(new Option('--priority <level>', 'C-STORE priority: low, medium or high').argParser(priority).default(Priority.MEDIUM, 'medium'))
    .option('--json', 'print one JSON report (per destination: counts, bytes, seconds, every file\'s status)')
    .option('--no-progress', 'no progress bar (there is one only on a terminal)')
    .option('--config <file>', CONFIG_HELP)
    .option('-v, --verbose', 'log association and PDU detail (JSON lines on stderr)')
    .addHelpText('after', HELP_AFTER);
  command.action(async (targets: string[], options: StoreCliOptions & { readonly config?: string }) => {
    await withConfig('store', options.config, io, (loaded) => {
      // A peer is AET@host:port or a remote of the config (a remote's name wins over a file of the same name).
      const peers: Peer[] = [];
      const paths: string[] = [];
      for (const t of targets) {
        const peer = resolvePeer(t, loaded?.config);
        if (peer) peers.push(peer);
        else paths.push(t);
      }
      if (peers.length === 0) command.error('portico store: no peer given: name at least one destination (AET@host:port, or a remote of the config) before the files', { exitCode: 2 });
      if (paths.length === 0) command.error('portico store: no files given: name files, folders or DICOMDIRs after the peers', { exitCode: 2 });
      return runStore(peers, paths, withConfigValues(options, command, { aet: loaded?.config.aet }), io);
    });
  });
}

export async function runStore(peers: readonly Peer[], paths: readonly string[], options: StoreCliOptions, io: Io): Promise<number> {
  const say = (line: string): void => io.err(`portico store: ${line}`);
  let collected: CollectedInstances;
  try {
    collected = await collectInstances(paths);
  } catch (error) {
    say(describeError(error, options.verbose === true));
    return 1;
  }
  const { instances, skipped } = collected;
  for (const s of skipped) if (s.reason !== 'dicomdir') say(skippedLine(s));
  const skippedBadly = skipped.some((s) => s.reason !== 'not-dicom' && s.reason !== 'dicomdir');
  if (instances.length === 0) {
    say(`nothing to send: no DICOM instances in ${paths.join(', ')}`);
    if (options.json) io.out(`${JSON.stringify(jsonReport([], 0, skipped))}\n`);
    return 1;
  }

  const names = peers.map(peerName);
  const bytes = instances.reduce((n, i) => n + i.size, 0);
  const tty = process.stderr.isTTY === true && options.progress && !options.json;
  const progress: StoreProgress = tty ? terminalProgress(names, instances.length, bytes, process.stderr) : noProgress(io.err);
  const connection = clientConnection(options);
  // Ctrl-C: the instances being sent finish, the associations are aborted, the rest is reported as not sent.
  const cancel = new AbortController();
  const onSignal = (): void => cancel.abort();
  process.once('SIGINT', onSignal);
  let reports: DestinationReport[];
  try {
    reports = await Promise.all(
      peers.map((peer, n) =>
        sendToDestination(
          peer,
          instances,
          {
            ...connection,
            maxPduLength: options.maxPdu,
            retries: options.retries,
            retryDelay: options.retryDelay * 1000,
            onFailure: options.onFailure,
            priority: options.priority,
            logger: connection.logger.child({ peer: names[n] }),
            signal: cancel.signal,
          },
          {
            onResult: (r) => {
              const line = resultLine(names[n]!, r);
              if (line !== undefined) progress.log(`portico store: ${line}`);
            },
            onProgress: (p) => progress.update(names[n]!, p),
            onRetry: (r) =>
              progress.log(
                `portico store: ${names[n]}: ${withoutPeer(names[n]!, r.reason)}; retrying ${r.instances} instance${r.instances === 1 ? '' : 's'} in ${r.delayMs / 1000} s (retry ${r.retry} of ${r.of})`,
              ),
          },
        ),
      ),
    );
  } finally {
    process.off('SIGINT', onSignal);
    progress.stop();
  }

  for (const [n, report] of reports.entries()) {
    const line = notSentLine(names[n]!, report);
    if (line !== undefined) say(line);
  }
  if (options.json) io.out(`${JSON.stringify(jsonReport(reports, instances.length, skipped))}\n`);
  else for (const [n, report] of reports.entries()) io.out(`${summaryLine(names[n]!, report)}\n`);
  return reports.some((r) => r.failed > 0) || skippedBadly ? 1 : 0;
}

function nonNegativeInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || text.trim() === '') throw new InvalidArgumentError(`'${text}' is not a whole number ≥ 0`);
  return n;
}

function nonNegativeSeconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || text.trim() === '') throw new InvalidArgumentError(`'${text}' is not a number of seconds ≥ 0`);
  return n;
}

function maxPdu(text: string): number {
  const n = positiveInt(text);
  if (n < 4096 || n > 0xffffffff) throw new InvalidArgumentError(`'${text}' is not a PDU length from 4096 to 4294967295`);
  return n;
}

function onFailure(text: string): 'continue' | 'abort' {
  if (text === 'continue' || text === 'abort') return text;
  throw new InvalidArgumentError(`'${text}' is not continue or abort`);
}

function priority(text: string): number {
  const p = { low: Priority.LOW, medium: Priority.MEDIUM, high: Priority.HIGH }[text.toLowerCase()];
  if (p === undefined) throw new InvalidArgumentError(`'${text}' is not low, medium or high`);
  return p;
}
