import type { SqliteConnection, SqliteTransaction } from './better-sqlite3.js';
import { foldCase } from '../../matching/text.js';
import { ArchiveIndexError } from './errors.js';
import {
  type InstanceRow,
  type PatientRow,
  type SeriesRow,
  type StudyRow,
  type WriteStatements,
  prepareWriteStatements,
} from './sqlite-statements.js';
import type { DuplicatePolicy, IndexResult, InstanceRecord } from './types.js';

/** One record of a group commit and what became of it. */
export interface PendingIndex {
  readonly record: InstanceRecord;
  readonly duplicates: DuplicatePolicy;
}

export type IndexAttempt = { readonly ok: true; readonly result: IndexResult } | { readonly ok: false; readonly error: unknown };

interface StudyRef {
  readonly id: number;
  readonly patientPk: number;
  readonly created: boolean;
}

/**
 * The write side of the SQLite index: synchronous, on prepared statements, each call one BEGIN IMMEDIATE … COMMIT.
 * Nothing in here awaits, so no other call can run between reading a row and writing it back: two instances of the same
 * new study cannot both create it, and counters never lose an update.
 */
export class SqliteIndexWriter {
  readonly #s: WriteStatements;
  readonly #indexEach: SqliteTransaction<[readonly PendingIndex[], string], IndexAttempt[]>;
  readonly #indexEachOptimistic: SqliteTransaction<[readonly PendingIndex[], string], IndexAttempt[]>;
  readonly #indexAll: SqliteTransaction<[readonly InstanceRecord[], DuplicatePolicy, string], IndexResult[]>;
  readonly #indexOneIsolated: SqliteTransaction<[InstanceRecord, DuplicatePolicy, string], IndexResult>;
  readonly #remove: SqliteTransaction<[readonly string[], string], number>;

  constructor(db: SqliteConnection) {
    this.#s = prepareWriteStatements(db);
    // Nested inside #indexEach, a transaction function becomes SAVEPOINT … RELEASE: one bad record rolls back alone.
    this.#indexOneIsolated = db.transaction((record: InstanceRecord, duplicates: DuplicatePolicy, now: string) =>
      this.#indexOne(record, duplicates, now),
    );
    // Records almost never fail, so a batch first runs without savepoints (each costs two more statements); only when
    // one fails is the transaction rolled back and run again with a savepoint per record.
    this.#indexEachOptimistic = db.transaction((items: readonly PendingIndex[], now: string) =>
      items.map((item): IndexAttempt => ({ ok: true, result: this.#indexOne(item.record, item.duplicates, now) })),
    );
    this.#indexEach = db.transaction((items: readonly PendingIndex[], now: string) =>
      items.map((item): IndexAttempt => {
        try {
          return { ok: true, result: this.#indexOneIsolated(item.record, item.duplicates, now) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
    this.#indexAll = db.transaction((records: readonly InstanceRecord[], duplicates: DuplicatePolicy, now: string) =>
      records.map((record) => this.#indexOne(record, duplicates, now)),
    );
    this.#remove = db.transaction((sopInstanceUids: readonly string[], now: string) => {
      let removed = 0;
      for (const uid of sopInstanceUids) {
        const row = this.#s.selectInstance.get(uid) as InstanceRow | undefined;
        if (row === undefined) continue;
        this.#removeRow(row, now);
        removed++;
      }
      return removed;
    });
  }

  /**
   * Group commit: all items in one transaction, and a failing record fails alone (the others are committed). When the
   * transaction as a whole fails (disk full, busy past the timeout) none is indexed: this throws, or for a single item
   * returns its failure.
   */
  indexEach(items: readonly PendingIndex[], now: string): IndexAttempt[] {
    if (items.length === 1) {
      // Alone in its transaction: a failure rolls back just this record.
      try {
        return this.#indexEachOptimistic.immediate(items, now);
      } catch (error) {
        return [{ ok: false, error }];
      }
    }
    try {
      return this.#indexEachOptimistic.immediate(items, now);
    } catch (error) {
      if (isLockError(error)) throw error; // waited busy_timeout already; the batch fails as a whole
      return this.#indexEach.immediate(items, now);
    }
  }

  /** All records in one transaction: every one is indexed, or (on the first error) none is. */
  indexAll(records: readonly InstanceRecord[], duplicates: DuplicatePolicy, now: string): IndexResult[] {
    return this.#indexAll.immediate(records, duplicates, now);
  }

  /** Removes the instances (unknown UIDs are skipped) and prunes emptied series, studies and patients. */
  remove(sopInstanceUids: readonly string[], now: string): number {
    return this.#remove.immediate(sopInstanceUids, now);
  }

  #indexOne(record: InstanceRecord, duplicates: DuplicatePolicy, now: string): IndexResult {
    const s = this.#s;
    const existing = s.selectInstance.get(record.sopInstanceUid) as InstanceRow | undefined;
    let previousPath: string | undefined;
    if (existing !== undefined) {
      if (duplicates === 'keep-first') return { outcome: 'duplicate-kept' };
      // Overwrite = remove + insert: the new copy may belong to another series or study, and the emptied ones are pruned.
      this.#removeRow(existing, now);
      previousPath = existing.path;
    }

    const study = this.#upsertStudy(record, now);
    const series = this.#upsertSeries(record, study.id);
    s.insertInstance.run(
      series.id,
      record.sopInstanceUid,
      record.sopClassUid,
      record.instanceNumber,
      record.transferSyntaxUid,
      record.path,
      record.size,
      record.receivedAt,
      record.callingAeTitle,
      record.specificCharacterSet,
    );
    const newSeries = series.created ? 1 : 0;
    s.addToSeries.run(1, record.size, series.id);
    s.addToStudy.run(1, record.size, newSeries, now, study.id);
    s.addToPatient.run(1, record.size, newSeries, study.created ? 1 : 0, study.patientPk);

    return previousPath === undefined ? { outcome: 'inserted' } : { outcome: 'overwritten', previousPath };
  }

  /**
   * The study keeps the patient it was first indexed under: an instance that names another Patient ID for a known study
   * does not move the study (or touch either patient); that needs an explicit correction, as in Orthanc.
   */
  #upsertStudy(record: InstanceRecord, now: string): StudyRef {
    const s = this.#s;
    const row = s.selectStudy.get(record.studyInstanceUid) as StudyRow | undefined;
    if (row !== undefined) {
      if (row.patient_id === record.patientId && row.issuer_of_patient_id === record.issuerOfPatientId) {
        this.#refreshPatient({ id: row.patient_pk, patient_name: row.patient_name, patient_birth_date: row.patient_birth_date, patient_sex: row.patient_sex }, record);
      }
      const date = fill(row.study_date, record.studyDate);
      const time = fill(row.study_time, record.studyTime);
      const accession = fill(row.accession_number, record.accessionNumber);
      const studyId = fill(row.study_id, record.studyId);
      const description = fill(row.study_description, record.studyDescription);
      const referring = fill(row.referring_physician_name, record.referringPhysicianName);
      if (
        date !== row.study_date ||
        time !== row.study_time ||
        accession !== row.accession_number ||
        studyId !== row.study_id ||
        description !== row.study_description ||
        referring !== row.referring_physician_name
      ) {
        s.updateStudy.run(date, time, accession, studyId, description, referring, foldCase(referring), row.id);
      }
      return { id: row.id, patientPk: row.patient_pk, created: false };
    }

    const patientPk = this.#upsertPatient(record);
    const inserted = s.insertStudy.run(
      patientPk,
      record.studyInstanceUid,
      record.studyDate,
      record.studyTime,
      record.accessionNumber,
      record.studyId,
      record.studyDescription,
      record.referringPhysicianName,
      now,
      now,
      foldCase(record.referringPhysicianName),
    );
    return { id: Number(inserted.lastInsertRowid), patientPk, created: true };
  }

  #upsertPatient(record: InstanceRecord): number {
    const s = this.#s;
    const row = s.selectPatient.get(record.patientId, record.issuerOfPatientId) as PatientRow | undefined;
    if (row !== undefined) {
      this.#refreshPatient(row, record);
      return row.id;
    }
    const inserted = s.insertPatient.run(
      record.patientId,
      record.issuerOfPatientId,
      record.patientName,
      record.patientBirthDate,
      record.patientSex,
      foldCase(record.patientName),
    );
    return Number(inserted.lastInsertRowid);
  }

  /** Demographics follow the latest instance that carries them (a corrected name wins; an empty one changes nothing). */
  #refreshPatient(row: PatientRow, record: InstanceRecord): void {
    const name = latest(row.patient_name, record.patientName);
    const birthDate = latest(row.patient_birth_date, record.patientBirthDate);
    const sex = latest(row.patient_sex, record.patientSex);
    if (name !== row.patient_name || birthDate !== row.patient_birth_date || sex !== row.patient_sex) {
      this.#s.updatePatient.run(name, birthDate, sex, foldCase(name), row.id);
    }
  }

  #upsertSeries(record: InstanceRecord, studyPk: number): { readonly id: number; readonly created: boolean } {
    const s = this.#s;
    const row = s.selectSeries.get(record.seriesInstanceUid) as SeriesRow | undefined;
    if (row !== undefined) {
      if (row.study_pk !== studyPk) {
        throw new ArchiveIndexError(
          'CONFLICT',
          `series ${record.seriesInstanceUid} is already indexed under another study than ${record.studyInstanceUid}`,
        );
      }
      const modality = fill(row.modality, record.modality);
      const number = fill(row.series_number, record.seriesNumber);
      const description = fill(row.series_description, record.seriesDescription);
      const bodyPart = fill(row.body_part_examined, record.bodyPartExamined);
      if (modality !== row.modality || number !== row.series_number || description !== row.series_description || bodyPart !== row.body_part_examined) {
        s.updateSeries.run(modality, number, description, bodyPart, row.id);
        if (modality !== row.modality || bodyPart !== row.body_part_examined) this.#refreshStudyAggregates(studyPk);
      }
      return { id: row.id, created: false };
    }
    const inserted = s.insertSeries.run(
      studyPk,
      record.seriesInstanceUid,
      record.modality,
      record.seriesNumber,
      record.seriesDescription,
      record.bodyPartExamined,
    );
    if (record.modality !== '' || record.bodyPartExamined !== '') this.#refreshStudyAggregates(studyPk);
    return { id: Number(inserted.lastInsertRowid), created: true };
  }

  /** Modalities in Study and the study's Body Part Examined: the distinct values of its series, in series order. */
  #refreshStudyAggregates(studyPk: number): void {
    const rows = this.#s.seriesOfStudy.all(studyPk) as { readonly modality: string; readonly body_part_examined: string }[];
    this.#s.setStudyAggregates.run(
      distinctJoin(rows.map((r) => r.modality)),
      distinctJoin(rows.map((r) => r.body_part_examined)),
      studyPk,
    );
  }

  /** Deletes one instance row, fixes the counters above it, and prunes the series, study and patient it emptied. */
  #removeRow(row: InstanceRow, now: string): void {
    const s = this.#s;
    s.deleteInstance.run(row.id);
    const series = s.addToSeries.get(-1, -row.size, row.series_pk) as { readonly number_of_instances: number; readonly study_pk: number };
    const seriesGone = series.number_of_instances <= 0;
    if (seriesGone) s.deleteSeries.run(row.series_pk);
    const study = s.addToStudy.get(-1, -row.size, seriesGone ? -1 : 0, now, series.study_pk) as {
      readonly number_of_instances: number;
      readonly patient_pk: number;
    };
    const studyGone = study.number_of_instances <= 0;
    if (studyGone) s.deleteStudy.run(series.study_pk);
    else if (seriesGone) this.#refreshStudyAggregates(series.study_pk);
    const patient = s.addToPatient.get(-1, -row.size, seriesGone ? -1 : 0, studyGone ? -1 : 0, study.patient_pk) as {
      readonly number_of_studies: number;
    };
    if (patient.number_of_studies <= 0) s.deletePatient.run(study.patient_pk);
  }
}

function isLockError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** Study and series attributes: the first non-empty value stays (fill the gaps, never overwrite). */
function fill(current: string, incoming: string): string {
  return current === '' ? incoming : current;
}

/** Patient demographics: the latest non-empty value wins. */
function latest(current: string, incoming: string): string {
  return incoming === '' ? current : incoming;
}

/** Distinct non-empty values in first-seen order, `\`-joined (a multi-valued CS). */
export function distinctJoin(values: readonly string[]): string {
  const seen = new Set<string>();
  for (const v of values) if (v !== '') seen.add(v);
  return [...seen].join('\\');
}
