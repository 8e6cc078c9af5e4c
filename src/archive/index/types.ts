/**
 * The archive index as a port (Orthanc's IDatabaseWrapper): what ingest writes and what `ls` (and later C-FIND)
 * reads. The SQLite implementation (kysely over better-sqlite3) lives beside this file; PostgreSQL comes later with
 * the same schema.
 */

/** Everything indexed about one stored instance (strings as decoded, empty string when absent). */
export interface InstanceRecord {
  // Instance
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly instanceNumber: string;
  readonly transferSyntaxUid: string;
  /** Path of the stored file, relative to the data folder (`store/ab/<study>/<series>/<sop>.dcm`). */
  readonly path: string;
  readonly size: number;
  /** ISO 8601 UTC. */
  readonly receivedAt: string;
  readonly callingAeTitle: string;
  readonly specificCharacterSet: string;
  // Patient
  readonly patientId: string;
  readonly issuerOfPatientId: string;
  readonly patientName: string;
  readonly patientBirthDate: string;
  readonly patientSex: string;
  // Study
  readonly studyInstanceUid: string;
  readonly studyDate: string;
  readonly studyTime: string;
  readonly accessionNumber: string;
  readonly studyId: string;
  readonly studyDescription: string;
  readonly referringPhysicianName: string;
  // Series
  readonly seriesInstanceUid: string;
  readonly modality: string;
  readonly seriesNumber: string;
  readonly seriesDescription: string;
  readonly bodyPartExamined: string;
}

/** What to do when an instance with the same SOP Instance UID is already stored. */
export type DuplicatePolicy = 'keep-first' | 'overwrite';

export interface IndexResult {
  readonly outcome: 'inserted' | 'duplicate-kept' | 'overwritten';
  /** For 'overwritten': the path of the file the new one replaced (the caller deletes it if it differs). */
  readonly previousPath?: string;
}

export interface PatientSummary {
  readonly patientId: string;
  readonly patientName: string;
  readonly studies: number;
  readonly instances: number;
}

export interface StudySummary {
  readonly studyInstanceUid: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly studyDate: string;
  readonly accessionNumber: string;
  readonly studyDescription: string;
  /** Distinct modalities of its series, `\`-joined (Modalities in Study). */
  readonly modalitiesInStudy: string;
  readonly series: number;
  readonly instances: number;
  readonly size: number;
}

export interface SeriesSummary {
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly modality: string;
  readonly seriesNumber: string;
  readonly seriesDescription: string;
  readonly instances: number;
  readonly size: number;
}

export interface ArchiveIndex {
  /** Creates or updates the patient, study and series rows and adds the instance, in one transaction. */
  indexInstance(record: InstanceRecord, duplicates: DuplicatePolicy): Promise<IndexResult>;
  findInstance(sopInstanceUid: string): Promise<InstanceRecord | undefined>;
  /** Is an instance with this SOP Instance UID indexed? (The cheap check before each C-STORE.) */
  hasInstance(sopInstanceUid: string): Promise<boolean>;
  listPatients(): Promise<PatientSummary[]>;
  listStudies(filter?: { readonly patientId?: string }): Promise<StudySummary[]>;
  listSeries(studyInstanceUid: string): Promise<SeriesSummary[]>;
  listInstances(seriesInstanceUid: string): Promise<InstanceRecord[]>;
  /** Every indexed file path (for the consistency check on start). */
  allPaths(): Promise<string[]>;
  /** Removes the instance rows whose files are gone (and empty series/studies/patients). */
  removeInstances(sopInstanceUids: readonly string[]): Promise<void>;
  counts(): Promise<{ readonly patients: number; readonly studies: number; readonly series: number; readonly instances: number; readonly size: number }>;
  close(): Promise<void>;
}
