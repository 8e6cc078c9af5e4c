import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Dataset } from '../data/dataset.js';
import type { Peer } from '../net/ae.js';
import { find, findIdentifier, hierarchyWarnings, type FindStream, type QueryLevel, type QueryRoot } from '../services/query-retrieve/scu-find.js';
import { describeError } from './errors.js';
import type { Io } from './io.js';
import { CONFIG_HELP, peerOrName, withConfigAndPeer } from './config-option.js';
import { aeTitle, clientConnection, positiveInt, seconds } from './peer-option.js';
import { type QueryKey, parseQueryKey, queryKeysDataset, QueryKeyError, topLevelTags } from './query-keys.js';
import { columnsWith, countMatches, FIND_COLUMNS, FIND_SHOWN, renderJson, renderTable } from './query-output.js';

export interface FindCliOptions {
  readonly root: QueryRoot;
  readonly level: QueryLevel;
  readonly key?: readonly QueryKey[];
  readonly json?: boolean;
  readonly limit?: number;
  readonly aet: string;
  readonly timeout: number;
  readonly verbose?: boolean;
}

const HELP_AFTER = `
Keys (-k, repeatable; as DCMTK findscu's -k):
  -k PatientName=DOE^J*             matching key: single value, wild cards * and ?
  -k StudyDate=20240101-20240131    range (dates, times), open ends allowed: 20240101-
  -k StudyInstanceUID=1.2.3\\1.2.4   list of UIDs
  -k PatientBirthDate               return key: sent empty, its value comes back
  -k 0010,0020=ID42                 a tag instead of a keyword; (0010,0020) works too
  -k ReferencedStudySequence[0].ReferencedSOPInstanceUID    a key inside a sequence (or Seq/Keyword)
Without -k, each level asks for its usual return keys (STUDY: patient name, ID, birth date, sex, study date and
time, accession number, study ID and UID, description, referring physician, modalities, series and instance
counts). At SERIES and IMAGE level, name the study (-k StudyInstanceUID=...) for peers that only do hierarchical
search. Ctrl-C sends C-CANCEL, prints what arrived and exits with 130. Exit code 0 on success (also with no
matches), 1 on failure, 2 for a usage error.

Examples:
  portico find ORTHANC@localhost:4242 -k PatientName='DOE*' -k StudyDate=20240101-
  portico find PACS@10.0.0.5:104 --level series -k StudyInstanceUID=1.2.840.99.1 --json
  portico find PACS@10.0.0.5:104 --root patient --level patient -k PatientID=ID42
`;

/** `portico find <peer>`: Query/Retrieve C-FIND SCU. */
export function registerFind(program: Command, io: Io): void {
  program
    .command('find')
    .description('query a peer with C-FIND (Study Root or Patient Root) and print the matches')
    .argument('<peer>', 'AET@host:port, or the name of a remote in the config', peerOrName)
    .addOption(new Option('--root <model>', 'information model: study or patient').choices(['study', 'patient']).default('study'))
    .addOption(new Option('--level <level>', 'query level: patient, study, series or image').argParser(level).default('STUDY', 'study'))
    .option('-k, --key <key>', 'a matching key Key=Value or a return key Key (repeatable)', collectKey)
    .option('--json', 'print the matches as a DICOM JSON array')
    .option('--limit <n>', 'stop after n matches (sends C-CANCEL)', positiveInt)
    .option('--aet <title>', 'our calling AE title', aeTitle, 'PORTICO')
    .option('--timeout <seconds>', 'time to connect, and to wait for each response', seconds, 30)
    .option('--config <file>', CONFIG_HELP)
    .option('-v, --verbose', 'log association and PDU detail (JSON lines on stderr)')
    .addHelpText('after', HELP_AFTER)
    .action(async (target: string, options: FindCliOptions & { readonly config?: string }, command: Command) => {
      if (options.root === 'study' && options.level === 'PATIENT') {
        command.error('portico find: the Study Root model has no PATIENT level: use --root patient --level patient', { exitCode: 2 });
      }
      await withConfigAndPeer('find', target, options, command, io, (peer, merged) => runFind(peer, merged, io));
    });
}

function level(text: string): QueryLevel {
  const value = text.trim().toUpperCase();
  if (value !== 'PATIENT' && value !== 'STUDY' && value !== 'SERIES' && value !== 'IMAGE') {
    throw new InvalidArgumentError(`'${text}' is not a level: patient, study, series or image`);
  }
  return value;
}

/** commander collector for `-k`: each key parsed and checked as it comes. */
export function collectKey(text: string, previous: readonly QueryKey[] | undefined): QueryKey[] {
  try {
    return [...(previous ?? []), parseQueryKey(text)];
  } catch (error) {
    if (error instanceof QueryKeyError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

/** `AET@host:port`. */
export const peerName = (peer: Peer): string => `${peer.aeTitle}@${peer.host.includes(':') ? `[${peer.host}]` : peer.host}:${peer.port}`;

/** An error line that names the peer once. */
export function errorLine(peer: Peer, error: unknown, verbose: boolean): string {
  if (verbose) return describeError(error, true);
  const text = describeError(error, false);
  return text.includes(`${peer.host}:${peer.port}`) ? text : `${peerName(peer)}: ${text}`;
}

/** What ran: the matches that arrived, how it ended, and the error if it failed. */
export interface QueryRun {
  readonly matches: readonly Dataset[];
  readonly error: unknown;
  readonly interrupted: boolean;
  readonly seconds: number;
}

/**
 * Iterates a query, keeping what arrives; Ctrl-C (SIGINT) aborts `controller` (C-CANCEL) while it runs. Never
 * throws: the error is in the result.
 */
export async function runQuery(stream: FindStream, controller: AbortController): Promise<QueryRun> {
  const started = performance.now();
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  const matches: Dataset[] = [];
  let error: unknown;
  try {
    for await (const match of stream) matches.push(match);
  } catch (e) {
    error = e;
  } finally {
    process.off('SIGINT', onSignal);
  }
  return { matches, error, interrupted, seconds: (performance.now() - started) / 1000 };
}

/** The end of the summary line: how the query stopped early, and FF01. */
export function summaryTail(stream: FindStream, limit: number | undefined): string {
  const s = stream.summary;
  if (!s) return '';
  const parts: string[] = [];
  if (s.cancelled === 'limit') parts.push(`stopped at --limit ${limit} (C-CANCEL sent)`);
  if (s.cancelled === 'signal') parts.push('interrupted (C-CANCEL sent)');
  if (s.timedOut) parts.push('no final response after C-CANCEL, association aborted');
  if (s.optionalKeysNotSupported) parts.push('the peer did not support some optional keys (FF01)');
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

export async function runFind(peer: Peer, options: FindCliOptions, io: Io): Promise<number> {
  const say = (line: string): void => io.err(`portico find: ${line}`);
  const identifier = findIdentifier(options.root, options.level, queryKeysDataset(options.key ?? []));
  for (const warning of hierarchyWarnings(options.root, options.level, identifier)) say(`warning: ${warning}`);
  const controller = new AbortController();
  const stream = find(
    peer,
    { root: options.root, level: options.level, identifier, signal: controller.signal, limit: options.limit, cancelTimeoutMs: Math.min(options.timeout, 10) * 1000 },
    clientConnection(options),
  );
  const run = await runQuery(stream, controller);
  if (options.json) io.out(renderJson(run.matches));
  else {
    const extra = topLevelTags(options.key ?? []);
    io.out(renderTable(run.matches, columnsWith(FIND_COLUMNS[options.level], extra, FIND_SHOWN[options.level])));
    const model = options.root === 'study' ? 'Study Root' : 'Patient Root';
    const tail = run.error === undefined ? summaryTail(stream, options.limit) : '; failed';
    io.out(`${countMatches(run.matches.length)} (${options.level} level, ${model}) from ${peerName(peer)} in ${run.seconds.toFixed(2)} s${tail}\n`);
  }
  if (run.error !== undefined) {
    say(errorLine(peer, run.error, options.verbose === true));
    return 1;
  }
  return run.interrupted ? 130 : 0;
}
