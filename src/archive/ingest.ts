import { rm } from 'node:fs/promises';
import { DicomError, DicomParseError } from '../core/errors.js';
import { AsyncQueue } from '../core/async-queue.js';
import { type Logger, silentLogger } from '../core/logging.js';
import { Dataset } from '../data/dataset.js';
import { isValidUid } from '../data/uid.js';
import { buildFileMeta } from '../encoding/file-meta.js';
import { type DicomFile, readStream } from '../encoding/read.js';
import { encodePart10Header } from '../encoding/write.js';
import type { DatasetSink } from '../net/acse/message-receiver.js';
import type { CommandFields } from '../net/dimse/command-set.js';
import type { FileStore, TempFile } from './file-store.js';
import { ArchiveIndexError } from './index/errors.js';
import type { ArchiveIndex, DuplicatePolicy, InstanceRecord } from './index/types.js';

/** How one C-STORE ended, for the response: status, comment, and where the instance went. */
export interface StoreOutcome {
  readonly status: number;
  readonly errorComment?: string;
  readonly path?: string;
}

/** PS3.4 B.2.3: A700 out of resources, A900 data set does not match SOP class, C000 cannot understand. */
export const OUT_OF_RESOURCES = 0xa700;
export const DOES_NOT_MATCH = 0xa900;
export const CANNOT_UNDERSTAND = 0xc000;

const SOP_CLASS = 0x00080016;
const SOP_INSTANCE = 0x00080018;
const STUDY = 0x0020000d;
const SERIES = 0x0020000e;
const SOURCE_AE_TITLE = 0x00020016;

export interface IngestOptions {
  readonly duplicates?: DuplicatePolicy;
  readonly logger?: Logger;
}

/** Values of this size or more are not kept in memory when a received dataset is checked. */
const CHECK_BULK_THRESHOLD = 4096;

/**
 * Receives instances into the archive (Dicom2Media's and the echoes server's rules). Each dataset streams from the
 * PDVs into a temporary Part 10 file in `tmp/`, written while it arrives, and is parsed and checked on the way (values
 * of 4 KiB or more, Pixel Data, are skipped, never kept). Once whole and valid the file is fdatasync'd, renamed into
 * `store/` (folders fsync'd), indexed, and only then reported as stored. Anything that fails leaves no partial file
 * and no index row; invalid instances are kept in `error/` under a generated name.
 */
export class Ingest {
  readonly #files: FileStore;
  readonly #index: ArchiveIndex;
  readonly #duplicates: DuplicatePolicy;
  readonly #logger: Logger;

  constructor(files: FileStore, index: ArchiveIndex, options: IngestOptions = {}) {
    this.#files = files;
    this.#index = index;
    this.#duplicates = options.duplicates ?? 'keep-first';
    this.#logger = options.logger ?? silentLogger;
  }

  /** A sink for the dataset of one C-STORE-RQ received on a context with `transferSyntax` from `callingAeTitle`. */
  sink(command: CommandFields, transferSyntax: string, callingAeTitle: string): DatasetSink {
    this.#inFlight++;
    return new IngestSink(this, command, transferSyntax, callingAeTitle);
  }

  /** Sinks made and not yet ended or aborted: instances on their way in. */
  #inFlight = 0;

  /**
   * @internal A sink is done: `filed` when it ended with an outcome other than A700 (stored, or refused for what it
   * holds); not when it was aborted or ran out of resources. Once an instance is filed and no other is on its way in,
   * the next instance's temporary file is opened ahead (FileStore.prepareTemp): one association, 1,000 × 0.5 MB,
   * 261 → 302 inst/s (medians of 8 alternating runs). Not while other instances arrive: their fdatasync and rename
   * would wait for the file's creation (4 associations: 8–11 % slower when it was).
   */
  settled(filed: boolean): void {
    this.#inFlight--;
    if (filed && this.#inFlight === 0) void this.#files.prepareTemp();
  }

  /** @internal */
  get files(): FileStore {
    return this.#files;
  }

  /** @internal Checks what was received and files it in the archive (or in `error/`). */
  async store(temp: TempFile, parse: Promise<DicomFile>, command: CommandFields, callingAeTitle: string): Promise<StoreOutcome> {
    let parsed: DicomFile;
    try {
      parsed = await parse;
    } catch (error) {
      const kept = await this.#keepAsError(temp);
      this.#logger.warn({ file: kept, err: (error as Error).message }, 'received dataset cannot be read; kept in error/');
      // The comment tells the sender what is wrong, never where the server keeps its files.
      const why = error instanceof DicomParseError ? `${error.reason.toLowerCase().replace(/_/g, ' ')} at byte ${error.offset}` : 'unreadable';
      return { status: CANNOT_UNDERSTAND, errorComment: clip(`dataset cannot be parsed: ${why}`), path: kept };
    }
    const ds = parsed.dataset;
    // Each UID must have exactly one value: `1.2\..\..` is not a Study Instance UID.
    const single = (tag: number): string => {
      const values = ds.strings(tag);
      return values.length === 1 ? values[0]! : '';
    };
    const sopClass = single(SOP_CLASS);
    const sopInstance = single(SOP_INSTANCE);
    const study = single(STUDY);
    const series = single(SERIES);
    const problem =
      !sopClass || !sopInstance || !study || !series
        ? 'missing, empty or multi-valued SOP Class, SOP Instance, Study or Series Instance UID'
        : ![sopClass, sopInstance, study, series].every(isValidUid)
          ? 'a UID is not valid (PS3.5 9.1)'
          : sopClass !== command.affectedSopClassUid
            ? `SOP Class UID ${sopClass} does not match the request's ${command.affectedSopClassUid}`
            : sopInstance !== command.affectedSopInstanceUid
              ? `SOP Instance UID does not match the request's`
              : undefined;
    if (problem) {
      const kept = await this.#keepAsError(temp);
      this.#logger.warn({ file: kept, problem }, 'invalid instance kept in error/');
      return { status: DOES_NOT_MATCH, errorComment: clip(problem), path: kept };
    }
    const path = this.#files.relativePath(study, series, sopInstance);
    // One instance at a time per SOP Instance UID: check, write and index must not interleave between associations
    // that deliver the same instance at once.
    return this.#serialized(sopInstance, () => this.#place(temp, ds, path, { sopInstance, sopClass, study, series }, parsed.transferSyntax.uid, callingAeTitle));
  }

  async #keepAsError(temp: TempFile): Promise<string> {
    await temp.sync();
    return this.#files.keepAsError(temp);
  }

  readonly #locks = new Map<string, Promise<unknown>>();

  async #serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#locks.get(key) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.catch(() => undefined);
    this.#locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.#locks.get(key) === settled) this.#locks.delete(key);
    }
  }

  async #place(
    temp: TempFile,
    ds: Dataset,
    path: string,
    uids: { sopInstance: string; sopClass: string; study: string; series: string },
    transferSyntaxUid: string,
    callingAeTitle: string,
  ): Promise<StoreOutcome> {
    const { sopInstance, sopClass, study, series } = uids;
    const record = instanceRecord(ds, sopInstance, sopClass, study, series, path, temp.size, transferSyntaxUid, callingAeTitle);
    if (this.#duplicates === 'keep-first') {
      if (await this.#index.hasInstance(sopInstance)) {
        // Already stored: the archive keeps the first copy and the sender is told it is stored.
        await temp.discard();
        return { status: 0, path };
      }
      // Nothing to replace. Once the bytes are on disk and renamed into place (what can run out of space), the folder
      // fsync and the index row go at once: the answer waits for both. A crash between them leaves a file without its
      // row (or the reverse), which recovery after an unclean stop repairs from the files; neither was acknowledged.
      await temp.sync();
      const placed = await this.#files.moveIntoStore(temp, path);
      const [recorded, indexed] = await Promise.allSettled([this.#files.record(placed), this.#index.indexInstance(record, 'keep-first')]);
      if (recorded.status === 'rejected') {
        if (indexed.status === 'fulfilled') {
          await this.#index.removeInstances([sopInstance]).catch((error: unknown) => {
            this.#logger.error({ sopInstanceUid: sopInstance, err: (error as Error).message }, 'cannot remove the index row of a file that failed; recovery will');
          });
        }
        await rm(this.#files.absolute(path), { force: true });
        throw recorded.reason;
      }
      if (indexed.status === 'rejected') return this.#unfile(path, indexed.reason);
      return { status: 0, path };
    }
    await this.#file(temp, path);
    let result;
    try {
      result = await this.#index.indexInstance(record, this.#duplicates);
    } catch (error) {
      return this.#unfile(path, error);
    }
    if (result.outcome === 'overwritten' && result.previousPath && result.previousPath !== path) {
      await rm(this.#files.absolute(result.previousPath), { force: true });
    }
    return { status: 0, path };
  }

  /** fdatasync, rename into `store/`, folders fsync'd. */
  async #file(temp: TempFile, path: string): Promise<void> {
    await temp.sync();
    await this.#files.commit(temp, path);
  }

  /** Not indexed means not stored: no file without its row. */
  async #unfile(path: string, error: unknown): Promise<StoreOutcome> {
    await rm(this.#files.absolute(path), { force: true });
    // A series already filed under another study is a fault of the data, not of our resources: A900, so that the
    // sender does not retry it as it would an A700.
    if (error instanceof ArchiveIndexError && error.reason === 'CONFLICT') {
      return { status: DOES_NOT_MATCH, errorComment: clip('Series Instance UID already belongs to another study') };
    }
    throw error;
  }
}

class IngestSink implements DatasetSink {
  readonly #ingest: Ingest;
  readonly #command: CommandFields;
  readonly #callingAeTitle: string;
  readonly #temp: Promise<TempFile | undefined>;
  /** The bytes, as they arrive, for the check that parses them. */
  readonly #parseInput = new AsyncQueue<Uint8Array>();
  readonly #parse: Promise<DicomFile>;
  #parseSettled = false;
  #failure: StoreOutcome | undefined;

  constructor(ingest: Ingest, command: CommandFields, transferSyntax: string, callingAeTitle: string) {
    this.#ingest = ingest;
    this.#command = command;
    this.#callingAeTitle = callingAeTitle;
    const stub = new Dataset();
    stub.set(SOP_CLASS, [command.affectedSopClassUid ?? ''], 'UI');
    stub.set(SOP_INSTANCE, [command.affectedSopInstanceUid ?? ''], 'UI');
    const meta = buildFileMeta(stub, transferSyntax);
    meta.set(SOURCE_AE_TITLE, [callingAeTitle], 'AE');
    const header = encodePart10Header(meta);
    this.#parseInput.push(header);
    // Large values are skipped as they stream past; their references name the file being received (never read).
    this.#parse = readStream(this.#parseInput, { bulkDataThreshold: CHECK_BULK_THRESHOLD }, 'received dataset', 'received.dcm');
    this.#parse.then(
      () => (this.#parseSettled = true),
      () => (this.#parseSettled = true),
    );
    this.#temp = this.#open(header);
    this.#temp.catch(() => undefined);
  }

  async #open(header: Uint8Array): Promise<TempFile | undefined> {
    const files = this.#ingest.files;
    if (!(await files.hasSpace())) {
      this.#failure = { status: OUT_OF_RESOURCES, errorComment: 'not enough free disk space' };
      return undefined;
    }
    const temp = await files.createTemp();
    await temp.write(header);
    return temp;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#failure) return;
    // Once the check has failed it reads no more: do not queue the rest of a large dataset for it.
    if (!this.#parseSettled) this.#parseInput.push(chunk);
    try {
      const temp = await this.#temp;
      if (temp) await temp.write(chunk);
    } catch (error) {
      await this.#fail(error as Error);
    }
  }

  async end(): Promise<StoreOutcome> {
    let outcome: StoreOutcome | undefined;
    try {
      outcome = await this.#end();
      return outcome;
    } finally {
      // Out of resources (no space, a write error): no file is opened ahead.
      this.#settle(outcome !== undefined && outcome.status !== OUT_OF_RESOURCES);
    }
  }

  async #end(): Promise<StoreOutcome> {
    this.#parseInput.end();
    let temp: TempFile | undefined;
    try {
      temp = await this.#temp;
    } catch (error) {
      await this.#fail(error as Error);
    }
    if (this.#failure || !temp) {
      await temp?.discard();
      return this.#failure ?? { status: OUT_OF_RESOURCES, errorComment: 'cannot write' };
    }
    try {
      return await this.#ingest.store(temp, this.#parse, this.#command, this.#callingAeTitle);
    } catch (error) {
      await temp.discard();
      return outOfResources(error, 'cannot store');
    }
  }

  #settled = false;

  /** Tells the ingest, once, that this sink is done. */
  #settle(filed: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#ingest.settled(filed);
  }

  abort(): void {
    this.#settle(false);
    this.#parseInput.end();
    void this.#temp.then((t) => t?.discard()).catch(() => undefined);
  }

  async #fail(error: Error): Promise<void> {
    this.#failure ??= outOfResources(error, 'write error');
    const temp = await this.#temp.catch(() => undefined);
    await temp?.discard();
  }
}

/** A700 for an error of the disk or the index: "disk full", or what failed and why. */
function outOfResources(error: unknown, what: string): StoreOutcome {
  const disk = (error as NodeJS.ErrnoException).code === 'ENOSPC';
  return { status: OUT_OF_RESOURCES, errorComment: clip(disk ? 'disk full' : `${what}: ${(error as Error).message}`) };
}

const clip = (text: string): string => text.replace(/[\\\u0080-\uffff]/g, '?').slice(0, 64);

/** The index row of a stored instance: its attributes from the dataset, where and how it was stored. */
export function instanceRecord(ds: Dataset, sopInstanceUid: string, sopClassUid: string, studyInstanceUid: string, seriesInstanceUid: string, path: string, size: number, transferSyntaxUid: string, callingAeTitle: string): InstanceRecord {
  const s = (key: string): string => {
    try {
      return ds.strings(key).join('\\');
    } catch (error) {
      if (error instanceof DicomError) return '';
      throw error;
    }
  };
  return {
    sopInstanceUid,
    sopClassUid,
    instanceNumber: s('InstanceNumber'),
    transferSyntaxUid,
    path,
    size,
    receivedAt: new Date().toISOString(),
    callingAeTitle,
    specificCharacterSet: s('SpecificCharacterSet'),
    patientId: s('PatientID'),
    issuerOfPatientId: s('IssuerOfPatientID'),
    patientName: s('PatientName'),
    patientBirthDate: s('PatientBirthDate'),
    patientSex: s('PatientSex'),
    studyInstanceUid,
    studyDate: s('StudyDate'),
    studyTime: s('StudyTime'),
    accessionNumber: s('AccessionNumber'),
    studyId: s('StudyID'),
    studyDescription: s('StudyDescription'),
    referringPhysicianName: s('ReferringPhysicianName'),
    seriesInstanceUid,
    modality: s('Modality'),
    seriesNumber: s('SeriesNumber'),
    seriesDescription: s('SeriesDescription'),
    bodyPartExamined: s('BodyPartExamined'),
  };
}
