import { ArchiveIndexError } from './errors.js';
import type { InstanceRecord } from './types.js';

/** Every string field of an InstanceRecord (all are required; empty means absent). */
export const RECORD_STRING_FIELDS = [
  'sopInstanceUid',
  'sopClassUid',
  'instanceNumber',
  'transferSyntaxUid',
  'path',
  'receivedAt',
  'callingAeTitle',
  'specificCharacterSet',
  'patientId',
  'issuerOfPatientId',
  'patientName',
  'patientBirthDate',
  'patientSex',
  'studyInstanceUid',
  'studyDate',
  'studyTime',
  'accessionNumber',
  'studyId',
  'studyDescription',
  'referringPhysicianName',
  'seriesInstanceUid',
  'modality',
  'seriesNumber',
  'seriesDescription',
  'bodyPartExamined',
] as const satisfies readonly (keyof InstanceRecord)[];

const REQUIRED = ['sopInstanceUid', 'studyInstanceUid', 'seriesInstanceUid', 'path', 'receivedAt'] as const;

/**
 * Checks what the index relies on: the three UIDs, path and time present, every field a string, a size that is a
 * non-negative safe integer. Contents are not judged (UIDs are validated before a file is stored; names are stored
 * verbatim). Throws ArchiveIndexError `INVALID_RECORD`.
 */
export function assertIndexableRecord(record: InstanceRecord): void {
  if (typeof record !== 'object' || record === null) throw new ArchiveIndexError('INVALID_RECORD', 'instance record is not an object');
  for (const field of RECORD_STRING_FIELDS) {
    if (typeof record[field] !== 'string') throw new ArchiveIndexError('INVALID_RECORD', `instance record field ${field} is not a string`);
  }
  for (const field of REQUIRED) {
    if (record[field] === '') throw new ArchiveIndexError('INVALID_RECORD', `instance record has an empty ${field}`);
  }
  if (!Number.isSafeInteger(record.size) || record.size < 0) {
    throw new ArchiveIndexError('INVALID_RECORD', `instance record size ${String(record.size)} is not a non-negative integer`);
  }
}
