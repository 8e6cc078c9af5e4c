import { type Command, InvalidArgumentError } from 'commander';
import { tagForKeyword } from '../dictionary/attributes.js';
import type { Peer } from '../net/ae.js';
import { worklist, worklistDate, worklistIdentifier } from '../services/worklist/scu.js';
import { collectKey, errorLine, peerName, runQuery, summaryTail } from './find.js';
import type { Io } from './io.js';
import { CONFIG_HELP, peerOrName, withConfigAndPeer } from './config-option.js';
import { aeTitle, clientConnection, positiveInt, seconds } from './peer-option.js';
import { checkValue, type QueryKey, QueryKeyError, queryKeysDataset, topLevelTags } from './query-keys.js';
import { columnsWith, countMatches, renderJson, renderTable, WORKLIST_COLUMNS, WORKLIST_SHOWN } from './query-output.js';

export interface WorklistCliOptions {
  readonly date: string;
  readonly modality?: string;
  readonly stationAet?: string;
  readonly key?: readonly QueryKey[];
  readonly json?: boolean;
  readonly limit?: number;
  readonly aet: string;
  readonly timeout: number;
  readonly verbose?: boolean;
}

const HELP_AFTER = `
Asks for every return key of DICOM Izer's and DICOM Camera's worklist tables (patient, visit, imaging service
request, requested procedure, and the scheduled procedure step: station, dates, modality, physician, description,
location, ID, status). Matching: --date (Scheduled Procedure Step Start Date: today by default, YYYYMMDD, a range
YYYYMMDD-YYYYMMDD with open ends allowed, or any), --modality, --station-aet, and -k as for portico find; keys of
the scheduled step are written ScheduledProcedureStepSequence[0].Keyword=Value (or ScheduledProcedureStepSequence/
Keyword=Value). A failure status (A700, A900, Cxxx, any other) aborts the association and exits with 1; Ctrl-C
sends C-CANCEL, prints what arrived and exits with 130.

Examples:
  portico worklist RIS@ris.example.org:104 --modality XL
  portico worklist RIS@10.0.0.7:104 --date 20240101-20240107 --station-aet CAMERA1 --json
  portico worklist RIS@10.0.0.7:104 -k PatientName='DOE*' -k ScheduledProcedureStepSequence[0].ScheduledPerformingPhysicianName
`;

const vrCheck = (keyword: string, vr: 'CS' | 'AE') => (text: string): string => {
  try {
    if (text.trim() === '') throw new QueryKeyError(`--${keyword === 'Modality' ? 'modality' : 'station-aet'} needs a value`);
    checkValue(keyword, tagForKeyword(keyword)!, vr, text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return text;
};

function dateOption(text: string): string {
  try {
    worklistDate(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return text;
}

/** `portico worklist <peer>`: Modality Worklist C-FIND SCU. */
export function registerWorklist(program: Command, io: Io): void {
  program
    .command('worklist')
    .description('query a worklist (Modality Worklist C-FIND) and print the scheduled procedure steps')
    .argument('<peer>', 'AET@host:port, or the name of a remote in the config', peerOrName)
    .option('--date <date>', 'Scheduled Procedure Step Start Date: today, YYYYMMDD, YYYYMMDD-YYYYMMDD or any', dateOption, 'today')
    .option('--modality <modality>', 'Modality of the scheduled step (e.g. XL, OT, US)', vrCheck('Modality', 'CS'))
    .option('--station-aet <title>', 'Scheduled Station AE Title', vrCheck('ScheduledStationAETitle', 'AE'))
    .option('-k, --key <key>', 'a matching key Key=Value or a return key Key (repeatable)', collectKey)
    .option('--json', 'print the worklist items as a DICOM JSON array')
    .option('--limit <n>', 'stop after n items (sends C-CANCEL)', positiveInt)
    .option('--aet <title>', 'our calling AE title', aeTitle, 'PORTICO')
    .option('--timeout <seconds>', 'time to connect, and to wait for each response', seconds, 30)
    .option('--config <file>', CONFIG_HELP)
    .option('-v, --verbose', 'log association and PDU detail (JSON lines on stderr)')
    .addHelpText('after', HELP_AFTER)
    .action(async (target: string, options: WorklistCliOptions & { readonly config?: string }, command: Command) => {
      await withConfigAndPeer('worklist', target, options, command, io, (peer, merged) => runWorklist(peer, merged, io));
    });
}

export async function runWorklist(peer: Peer, options: WorklistCliOptions, io: Io, now: Date = new Date()): Promise<number> {
  const identifier = worklistIdentifier({
    date: options.date,
    modality: options.modality,
    stationAeTitle: options.stationAet,
    keys: queryKeysDataset(options.key ?? []),
    now,
  });
  const controller = new AbortController();
  const stream = worklist(
    peer,
    { identifier, signal: controller.signal, limit: options.limit, cancelTimeoutMs: Math.min(options.timeout, 10) * 1000 },
    clientConnection(options),
  );
  const run = await runQuery(stream, controller);
  if (options.json) io.out(renderJson(run.matches));
  else {
    io.out(renderTable(run.matches, columnsWith(WORKLIST_COLUMNS, topLevelTags(options.key ?? []), WORKLIST_SHOWN)));
    const date = worklistDate(options.date, now);
    const tail = run.error === undefined ? summaryTail(stream, options.limit) : '; failed';
    io.out(`${countMatches(run.matches.length, 'worklist item', 'worklist items')} for ${date === '' ? 'any date' : date} from ${peerName(peer)} in ${run.seconds.toFixed(2)} s${tail}\n`);
  }
  if (run.error !== undefined) {
    io.err(`portico worklist: ${errorLine(peer, run.error, options.verbose === true)}`);
    return 1;
  }
  return run.interrupted ? 130 : 0;
}
