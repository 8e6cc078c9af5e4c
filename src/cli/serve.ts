import type { Command } from 'commander';
import { type LoadedConfig, remotePeers } from '../config/remotes.js';
import { CONFIG_HELP, withConfig, withConfigValues } from './config-option.js';
import { createLogger } from '../core/logging.js';
import { lookupUid, uidName } from '../dictionary/uids.js';
import { isValidUid } from '../data/uid.js';
import { ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../encoding/transfer-syntax.js';
import { type DicomServer, listen } from '../net/ae.js';
import type { ScpService } from '../net/service.js';
import { verificationScp } from '../services/verification/scp.js';
import { storageScp } from '../services/storage/scp.js';
import { worklistScp } from '../services/worklist/scp.js';
import { Archive, STORAGE_SOP_CLASSES, STORAGE_TRANSFER_SYNTAXES } from '../archive/archive.js';
import { SqliteArchiveIndex } from '../archive/index/sqlite-index.js';
import { archiveQueryRetrieveScps } from '../archive/query/archive-query-retrieve.js';
import { SqliteWorklistStore } from '../archive/worklist/sqlite-store.js';
import { type Peer, parsePeer } from '../net/ae.js';
import { dirname, resolve } from 'node:path';
import { describeError } from './errors.js';
import type { Io } from './io.js';
import { InvalidArgumentError } from 'commander';
import { aeTitle, positiveInt, seconds } from './peer-option.js';

/** `--remote AET@host:port`, repeatable: the AEs C-MOVE may send to. */
function remotePeer(text: string, previous: Peer[] = []): Peer[] {
  const peer = parsePeer(text);
  if (!peer) throw new InvalidArgumentError(`'${text}' is not AET@host:port`);
  return [...previous, peer];
}

function duplicatePolicy(text: string): 'keep-first' | 'overwrite' {
  if (text !== 'keep-first' && text !== 'overwrite') throw new InvalidArgumentError(`'${text}' is not keep-first or overwrite`);
  return text;
}

interface ServeOptions {
  readonly dir: string;
  readonly duplicates: 'keep-first' | 'overwrite';
  readonly reserveMb: number;
  readonly port: number;
  readonly aet: string;
  readonly host: string;
  readonly maxAssociations: number;
  readonly maxPdu: number;
  readonly checkCalledAet: boolean;
  readonly allow?: string[];
  readonly artimTimeout: number;
  readonly idleTimeout: number;
  readonly remote: Peer[];
  readonly maxMatches: number;
  readonly relational?: boolean;
  readonly acceptAllStorage?: boolean;
  readonly config?: string;
  readonly verbose?: boolean;
  readonly logJson?: boolean;
}

/** Uncompressed syntaxes every service accepts, in our preference order. */
export const UNCOMPRESSED = [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian] as const;

/** `portico serve`: the SCP. Until the archive exists it answers C-ECHO. Stops cleanly on SIGINT/SIGTERM. */
export function registerServe(program: Command, io: Io): void {
  program
    .command('serve')
    .description('run the DICOM server (SCP): Verification, Storage into the archive, Query/Retrieve (FIND, MOVE, GET) on it, Modality Worklist')
    .option('--dir <folder>', 'data folder: store/, tmp/, error/ and the index', './portico-data')
    .option('--duplicates <policy>', 'an instance already stored: keep-first or overwrite', duplicatePolicy, 'keep-first')
    .option('--reserve-mb <megabytes>', 'free disk space to keep; below it C-STORE answers A700 (out of resources)', positiveInt, 512)
    .option('--port <port>', 'TCP port to listen on', positiveInt, 11112)
    .option('--aet <title>', 'our AE title', aeTitle, 'PORTICO')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--max-associations <n>', 'associations at once; one more is rejected (local limit exceeded)', positiveInt, 100)
    .option('--max-pdu <bytes>', 'largest P-DATA PDU we receive', positiveInt, 65536)
    .option('--no-check-called-aet', 'accept any called AE title')
    .option('--allow <aet@host...>', 'only these calling AE titles (optionally from this host) may associate')
    .option('--artim-timeout <seconds>', 'ARTIM: time for the A-ASSOCIATE-RQ and for closing', seconds, 30)
    .option('--idle-timeout <seconds>', 'abort associations idle this long', seconds, 300)
    .option('--remote <aet@host:port>', 'an AE that C-MOVE may send to (repeat for several)', remotePeer, [])
    .option('--max-matches <n>', 'C-FIND (Q/R and worklist) with more matches is refused: A700', positiveInt, 1000)
    .option('--relational', 'answer relational queries (keys of any level), not only hierarchical ones')
    .option('--accept-all-storage', 'also store SOP classes this build does not know (private, newer than DICOM 2024e)')
    .option('--config <file>', CONFIG_HELP)
    .option('-v, --verbose', 'log every state transition and DIMSE message')
    .option('--log-json', 'log JSON lines (pino) instead of text')
    .action(async (options: ServeOptions, command: Command) => {
      await withConfig('serve', options.config, io, (loaded) => runServe(serveOptionsWith(options, command, loaded), io));
    });
}

/**
 * The command line's options with the config's values for what it left at the default (a `dir` in the file is relative
 * to the file's folder). The config's remotes are C-MOVE destinations too, beside `--remote` (which wins for the same
 * AE title).
 */
function serveOptionsWith(options: ServeOptions, command: Command, loaded: LoadedConfig | undefined): ServeOptions {
  if (loaded === undefined) return options;
  const config = loaded.config;
  const merged = withConfigValues(options, command, {
    aet: config.aet,
    port: config.port,
    host: config.host,
    dir: config.dir === undefined ? undefined : resolve(dirname(loaded.path), config.dir),
    duplicates: config.storage?.duplicates,
    reserveMb: config.storage?.reserveMb,
    acceptAllStorage: config.storage?.acceptAllStorage,
    maxMatches: config.query?.maxMatches,
    relational: config.query?.relational,
    maxAssociations: config.network?.maxAssociations,
    maxPdu: config.network?.maxPdu,
    checkCalledAet: config.network?.checkCalledAet,
    allow: config.network?.allow,
    artimTimeout: config.network?.artimTimeout,
    idleTimeout: config.network?.idleTimeout,
  });
  const given = new Set(options.remote.map((p) => p.aeTitle));
  return { ...merged, remote: [...[...remotePeers(config).values()].filter((p) => !given.has(p.aeTitle)), ...options.remote] };
}

export async function runServe(options: ServeOptions, io: Io, stop?: AbortSignal): Promise<number> {
  const logger = createLogger({ verbose: options.verbose, json: options.logJson });
  const dir = resolve(options.dir);
  let archive: Archive;
  try {
    archive = await Archive.open(dir, { duplicates: options.duplicates, reserveBytes: options.reserveMb * 1024 * 1024, logger });
  } catch (error) {
    io.err(`portico serve: cannot open the data folder ${dir}: ${describeError(error, options.verbose === true)}`);
    return 1;
  }
  const destinations = new Map(options.remote.map((p) => [p.aeTitle, p] as const));
  const storage = storageScp({ sopClasses: STORAGE_SOP_CLASSES, transferSyntaxes: STORAGE_TRANSFER_SYNTAXES, handler: archive.ingest });
  const services: ScpService[] = [
    verificationScp(UNCOMPRESSED),
    storage,
    ...archiveQueryRetrieveScps({ archive, destinations, maxMatches: options.maxMatches, relational: options.relational === true, callingAeTitle: options.aet, logger }),
  ];
  if (archive.index instanceof SqliteArchiveIndex) {
    services.push(worklistScp({ store: SqliteWorklistStore.of(archive.index), maxMatches: options.maxMatches, logger }));
  }
  let server: DicomServer;
  try {
    server = await listen({
      aeTitle: options.aet,
      port: options.port,
      host: options.host,
      services,
      maxAssociations: options.maxAssociations,
      maxPduLength: options.maxPdu,
      checkCalledAeTitle: options.checkCalledAet,
      allowedCallingAeTitles: options.allow?.map((a) => {
        const [title, host] = a.split('@');
        return host ? { aeTitle: title!, host } : title!;
      }),
      artimTimeout: options.artimTimeout * 1000,
      idleTimeout: options.idleTimeout * 1000,
      ...(options.acceptAllStorage === true ? { otherSopClasses: { service: storage, accepts: unknownSopClass } } : {}),
      logger,
    });
  } catch (error) {
    io.err(`portico serve: cannot listen on port ${options.port}: ${describeError(error, options.verbose === true)}`);
    await archive.close();
    return 1;
  }
  const others = options.acceptAllStorage === true ? ' (and any SOP class it does not know: --accept-all-storage)' : '';
  io.out(`Portico ${options.aet} listening on ${options.host}:${server.port}; accepts ${uidName(services[0]!.sopClasses[0]!)} and ${STORAGE_SOP_CLASSES.length} storage SOP classes${others} in ${STORAGE_TRANSFER_SYNTAXES.length} transfer syntaxes\n`);
  const worklist = services.some((s) => s.name === 'Modality Worklist') ? ' and Modality Worklist FIND' : '';
  io.out(`Answers Query/Retrieve FIND, MOVE and GET (Patient Root, Study Root; ${options.relational ? 'relational' : 'hierarchical'})${worklist}; at most ${options.maxMatches} matches\n`);
  io.out(options.remote.length > 0 ? `C-MOVE destinations: ${options.remote.map((p) => `${p.aeTitle}@${p.host}:${p.port}`).join(', ')}\n` : 'C-MOVE destinations: none (--remote AET@host:port, or remotes in portico.yaml)\n');
  io.out(`Storing into ${dir} (duplicates: ${options.duplicates}; A700 below ${options.reserveMb} MB free)\n`);
  if (archive.recovered) io.out(`Recovered after an unclean stop: ${archive.recovered.indexed} files indexed, ${archive.recovered.removed} missing files unindexed\n`);
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (stop?.aborted) onSignal();
    stop?.addEventListener('abort', onSignal, { once: true });
  });
  io.out('Stopping: finishing open associations...\n');
  await server.close(5_000);
  await archive.close();
  io.out('Stopped.\n');
  return 0;
}

/**
 * `--accept-all-storage`: a SOP class is stored as any other when the dictionary (DICOM 2024e) does not know its UID —
 * a private or newer storage class. A registered UID that is no storage SOP class (Print, a transfer syntax…) is
 * still refused, and so is anything that is not a UID.
 */
function unknownSopClass(abstractSyntax: string): boolean {
  return isValidUid(abstractSyntax) && lookupUid(abstractSyntax) === undefined;
}
