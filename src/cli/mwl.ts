import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { WorklistError } from '../archive/worklist/errors.js';
import { datasetFromKeywords } from '../archive/worklist/keywords.js';
import { readWorklistFile, type WorklistFileFormat } from '../archive/worklist/parse.js';
import type { WorklistEntry, WorklistRemoval } from '../archive/worklist/types.js';
import { dateToDA, parseDA, parseTM } from '../data/date-time.js';
import { describeError } from './errors.js';
import type { Io } from './io.js';
import { entryJson, formatAdded, formatTable } from './mwl-format.js';
import { openWorklist } from './mwl-store.js';
import { aeTitle, positiveInt } from './peer-option.js';

interface DirOptions {
  readonly dir: string;
}

interface AddOptions extends DirOptions {
  readonly patientName: string;
  readonly patientId: string;
  readonly accession: string;
  readonly birthDate?: string;
  readonly sex?: string;
  readonly modality?: string;
  readonly stationAet?: string;
  readonly stationName?: string;
  readonly date?: string;
  readonly time?: string;
  readonly procedure?: string;
  readonly physician?: string;
  readonly referringPhysician?: string;
  readonly requestedProcedureId?: string;
  readonly studyUid?: string;
  readonly key?: readonly string[];
  readonly json?: boolean;
}

interface ImportOptions extends DirOptions {
  readonly format?: WorklistFileFormat;
  readonly json?: boolean;
}

interface ListOptions extends DirOptions {
  readonly date?: string;
  readonly modality?: string;
  readonly stationAet?: string;
  readonly limit?: number;
  readonly json?: boolean;
}

interface RemoveOptions extends DirOptions {
  readonly id?: readonly number[];
  readonly before?: string;
}

const DIR_HELP = 'data folder of portico serve';
const DEFAULT_DIR = './portico-data';

const today = (): string => dateToDA(new Date());

/** `today` or YYYYMMDD. */
function dateArgument(text: string): string {
  const value = text.trim().toLowerCase() === 'today' ? today() : text.trim();
  try {
    parseDA(value);
    if (/^\d{8}$/.test(value)) return value;
  } catch {
    // reported below
  }
  throw new InvalidArgumentError(`'${text}' is not a date: write YYYYMMDD or today`);
}

/** `today`, YYYYMMDD, or a range of them: `A-B`, `A-`, `-B`. */
function dateRangeArgument(text: string): string {
  const parts = text.split('-');
  if (parts.length > 2 || parts.every((p) => p.trim() === '')) throw new InvalidArgumentError(`'${text}' is not a date or date range: write YYYYMMDD, today, or FROM-TO`);
  return parts.map((p) => (p.trim() === '' ? '' : dateArgument(p))).join('-');
}

function timeArgument(text: string): string {
  try {
    parseTM(text);
    if (/^\d{2,6}(\.\d{1,6})?$/.test(text.trim())) return text.trim();
  } catch {
    // reported below
  }
  throw new InvalidArgumentError(`'${text}' is not a time: write HHMM or HHMMSS`);
}

const codeString = (what: string) => (text: string): string => {
  const value = text.trim().toUpperCase();
  if (!/^[A-Z0-9 _]{1,16}$/.test(value)) throw new InvalidArgumentError(`'${text}' is not ${what}`);
  return value;
};

function sexArgument(text: string): string {
  const value = text.trim().toUpperCase();
  if (!['M', 'F', 'O'].includes(value)) throw new InvalidArgumentError(`'${text}' is not M, F or O`);
  return value;
}

const collect = (value: string, previous: readonly string[] | undefined): readonly string[] => [...(previous ?? []), value];

function idArgument(text: string, previous: readonly number[] | undefined): readonly number[] {
  return [...(previous ?? []), positiveInt(text)];
}

/** `portico mwl add|import|list|remove`: the worklist entries of a data folder's database. */
export function registerMwl(program: Command, io: Io): void {
  const mwl = program
    .command('mwl')
    .description('manage the Modality Worklist entries that portico serve answers (in the data folder\'s database)');

  mwl
    .command('add')
    .description('add one worklist entry (one Scheduled Procedure Step) and print it')
    .option('--dir <folder>', DIR_HELP, DEFAULT_DIR)
    .requiredOption('--patient-name <name>', "Patient's Name, e.g. Doe^Jane")
    .requiredOption('--patient-id <id>', 'Patient ID')
    .requiredOption('--accession <number>', 'Accession Number')
    .option('--birth-date <YYYYMMDD>', "Patient's Birth Date", dateArgument)
    .option('--sex <M|F|O>', "Patient's Sex", sexArgument)
    .option('--modality <code>', 'Modality of the step (CT, MR, XC, ...)', codeString('a modality code'))
    .option('--station-aet <title>', 'Scheduled Station AE Title: the modality that performs the step', aeTitle)
    .option('--station-name <name>', 'Scheduled Station Name')
    .option('--date <YYYYMMDD|today>', 'Scheduled Procedure Step Start Date (default: today)', dateArgument)
    .option('--time <HHMM>', 'Scheduled Procedure Step Start Time', timeArgument)
    .option('--procedure <description>', 'Requested Procedure Description and Scheduled Procedure Step Description')
    .option('--physician <name>', "Scheduled Performing Physician's Name")
    .option('--referring-physician <name>', "Referring Physician's Name")
    .option('--requested-procedure-id <id>', 'Requested Procedure ID (default: the accession number)')
    .option('--study-uid <uid>', 'Study Instance UID (default: a new one)')
    .option('-k, --key <Keyword=Value>', 'any other attribute (repeatable); ScheduledProcedureStepSequence/Keyword for the step', collect)
    .option('--json', 'print the entry as JSON (with the item as DICOM JSON)')
    .action(async (options: AddOptions) => {
      io.exitCode = Math.max(io.exitCode, await runMwlAdd(options, io));
    });

  mwl
    .command('import')
    .description('add the entries of JSON, DICOM JSON or CSV files (each file all or nothing)')
    .argument('<file...>', 'JSON (objects keyed by DICOM keywords, or DICOM JSON) or CSV (a header row of keywords)')
    .option('--dir <folder>', DIR_HELP, DEFAULT_DIR)
    .addOption(new Option('--format <format>', 'read every file as this format (default: from the extension, else the content)').choices(['json', 'csv']))
    .option('--json', 'print a JSON report')
    .action(async (files: string[], options: ImportOptions) => {
      io.exitCode = Math.max(io.exitCode, await runMwlImport(files, options, io));
    });

  mwl
    .command('list')
    .description('print the worklist entries, by start date and time')
    .option('--dir <folder>', DIR_HELP, DEFAULT_DIR)
    .option('--date <date|range>', 'Scheduled Procedure Step Start Date: YYYYMMDD, today, or FROM-TO (either side may be empty)', dateRangeArgument)
    .option('--modality <code>', 'only this modality', codeString('a modality code'))
    .option('--station-aet <title>', 'only this Scheduled Station AE Title', aeTitle)
    .option('--limit <n>', 'at most this many entries', positiveInt)
    .option('--json', 'print JSON (each entry with its item as DICOM JSON)')
    .action(async (options: ListOptions) => {
      io.exitCode = Math.max(io.exitCode, await runMwlList(options, io));
    });

  const remove = mwl
    .command('remove')
    .description('remove entries by accession number, by id (--id), or all scheduled before a date (--before)')
    .argument('[accession...]', 'accession numbers: every entry with one of them is removed')
    .option('--dir <folder>', DIR_HELP, DEFAULT_DIR)
    .option('--id <n...>', 'entry ids (as portico mwl list shows them)', idArgument)
    .option('--before <YYYYMMDD|today>', 'every entry whose start date is before this date', dateArgument);
  remove.action(async (accessions: string[], options: RemoveOptions) => {
    const selectors = [accessions.length > 0, options.id !== undefined, options.before !== undefined].filter(Boolean).length;
    if (selectors !== 1) remove.error('portico mwl remove: give accession numbers, or --id, or --before (exactly one of them)', { exitCode: 2 });
    io.exitCode = Math.max(io.exitCode, await runMwlRemove(accessions, options, io));
  });
}

export async function runMwlAdd(options: AddOptions, io: Io): Promise<number> {
  const say = (line: string): void => io.err(`portico mwl add: ${line}`);
  const fields: Record<string, string> = {
    PatientName: options.patientName,
    PatientID: options.patientId,
    AccessionNumber: options.accession,
    ScheduledProcedureStepStartDate: options.date ?? today(),
  };
  const optional: [keyof AddOptions, string][] = [
    ['birthDate', 'PatientBirthDate'],
    ['sex', 'PatientSex'],
    ['modality', 'Modality'],
    ['stationAet', 'ScheduledStationAETitle'],
    ['stationName', 'ScheduledStationName'],
    ['time', 'ScheduledProcedureStepStartTime'],
    ['procedure', 'RequestedProcedureDescription'],
    ['procedure', 'ScheduledProcedureStepDescription'],
    ['physician', 'ScheduledPerformingPhysicianName'],
    ['referringPhysician', 'ReferringPhysicianName'],
    ['requestedProcedureId', 'RequestedProcedureID'],
    ['studyUid', 'StudyInstanceUID'],
  ];
  for (const [option, keyword] of optional) {
    const value = options[option];
    if (typeof value === 'string') fields[keyword] = value;
  }
  for (const k of options.key ?? []) {
    const at = k.indexOf('=');
    if (at <= 0) {
      say(`-k ${k}: write Keyword=Value`);
      return 2;
    }
    fields[k.slice(0, at).trim()] = k.slice(at + 1);
  }
  return withWorklist(options.dir, true, say, async (store) => {
    const entries = await store.add([datasetFromKeywords(fields)], { labels: ['the entry'] });
    if (options.json) io.out(`${JSON.stringify(entries.length === 1 ? entryJson(entries[0]!) : entries.map(entryJson), null, 2)}\n`);
    else for (const e of entries) io.out(`${formatAdded(e)}\n`);
    return 0;
  });
}

export async function runMwlImport(files: readonly string[], options: ImportOptions, io: Io): Promise<number> {
  const say = (line: string): void => io.err(`portico mwl import: ${line}`);
  return withWorklist(options.dir, true, say, async (store) => {
    let code = 0;
    const report: { file: string; imported: number; ids: number[]; error?: string }[] = [];
    for (const file of files) {
      try {
        const inputs = await readWorklistFile(file, options.format);
        const entries = await store.add(
          inputs.map((i) => i.dataset),
          { labels: inputs.map((i) => i.where) },
        );
        report.push({ file, imported: entries.length, ids: entries.map((e) => e.id) });
        if (!options.json) io.out(`${file}: imported ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}${idRange(entries)}\n`);
      } catch (error) {
        code = 1;
        const message = describeError(error, false);
        report.push({ file, imported: 0, ids: [], error: message });
        say(`${file}: ${message}; nothing imported from this file`);
      }
    }
    if (options.json) io.out(`${JSON.stringify({ files: report }, null, 2)}\n`);
    return code;
  });
}

export async function runMwlList(options: ListOptions, io: Io): Promise<number> {
  const say = (line: string): void => io.err(`portico mwl list: ${line}`);
  return withWorklist(options.dir, false, say, async (store) => {
    const entries = await store.list({
      ...(options.date !== undefined ? { date: options.date } : {}),
      ...(options.modality !== undefined ? { modality: options.modality } : {}),
      ...(options.stationAet !== undefined ? { stationAeTitle: options.stationAet } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    if (options.json) {
      io.out(`${JSON.stringify(entries.map(entryJson), null, 2)}\n`);
      return 0;
    }
    if (entries.length === 0) {
      io.out('No worklist entries.\n');
      return 0;
    }
    io.out(formatTable(entries));
    io.out(`${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}\n`);
    return 0;
  });
}

export async function runMwlRemove(accessions: readonly string[], options: RemoveOptions, io: Io): Promise<number> {
  const say = (line: string): void => io.err(`portico mwl remove: ${line}`);
  const removal: WorklistRemoval =
    options.before !== undefined ? { before: options.before } : options.id !== undefined ? { ids: options.id } : { accessionNumbers: accessions };
  return withWorklist(options.dir, false, say, async (store) => {
    const removed = await store.remove(removal);
    io.out(`Removed ${removed} ${removed === 1 ? 'entry' : 'entries'}.\n`);
    // Naming entries that are not there is a mistake worth an exit code; "before" a date may remove nothing.
    if (removed === 0 && !('before' in removal)) {
      say('no entry matched');
      return 1;
    }
    return 0;
  });
}

/** Opens the worklist of `dir`, runs `work`, closes it; any error is one line and exit code 1. */
async function withWorklist(
  dir: string,
  create: boolean,
  say: (line: string) => void,
  work: (store: Awaited<ReturnType<typeof openWorklist>>['store']) => Promise<number>,
): Promise<number> {
  const folder = resolve(dir);
  let opened;
  try {
    opened = await openWorklist(folder, create);
  } catch (error) {
    say(`cannot open the worklist in ${folder}: ${describeError(error, false)}`);
    return 1;
  }
  try {
    return await work(opened.store);
  } catch (error) {
    say(error instanceof WorklistError ? error.message : describeError(error, false));
    return 1;
  } finally {
    await opened.close();
  }
}

const idRange = (entries: readonly WorklistEntry[]): string => {
  if (entries.length === 0) return '';
  const ids = entries.map((e) => e.id);
  return entries.length === 1 ? ` (id ${ids[0]})` : ` (ids ${Math.min(...ids)}-${Math.max(...ids)})`;
};
