import { DicomEncodeError } from '../core/errors.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../core/implementation.js';
import { Dataset } from '../data/dataset.js';
import { Element } from '../data/element.js';
import { tagGroup } from '../data/tag.js';

export const FileMetaInformationVersion = 0x00020001;
export const MediaStorageSOPClassUID = 0x00020002;
export const MediaStorageSOPInstanceUID = 0x00020003;
export const TransferSyntaxUID = 0x00020010;
export const ImplementationClassUID = 0x00020012;
export const ImplementationVersionName = 0x00020013;
const SOPClassUID = 0x00080016;
const SOPInstanceUID = 0x00080018;

/**
 * The File Meta Information (PS3.10 §7.1) for a dataset: version 00\01, Media Storage SOP Class/Instance from the
 * dataset, the transfer syntax, and Portico's Implementation Class UID and Version Name. Other elements of `base`
 * (Source AE Title, Sending/Receiving AE, Private Information) are kept. With `keep`, `base` is used as it is,
 * only the Transfer Syntax UID is set.
 */
export function buildFileMeta(dataset: Dataset, transferSyntaxUid: string, base?: Dataset, keep = false): Dataset {
  const meta = new Dataset();
  if (base) for (const e of base) if (tagGroup(e.tag) === 2 && (e.tag & 0xffff) !== 0) meta.add(e);
  meta.set(TransferSyntaxUID, [transferSyntaxUid], 'UI');
  if (keep && base) return meta;
  meta.add(new Element(FileMetaInformationVersion, 'OB', new Uint8Array([0, 1])));
  const sopClass = dataset.string(SOPClassUID) ?? base?.string(MediaStorageSOPClassUID);
  const sopInstance = dataset.string(SOPInstanceUID) ?? base?.string(MediaStorageSOPInstanceUID);
  if (!sopClass || !sopInstance) {
    throw new DicomEncodeError('a Part 10 file needs SOP Class UID (0008,0016) and SOP Instance UID (0008,0018)');
  }
  meta.set(MediaStorageSOPClassUID, [sopClass], 'UI');
  meta.set(MediaStorageSOPInstanceUID, [sopInstance], 'UI');
  meta.set(ImplementationClassUID, [IMPLEMENTATION_CLASS_UID], 'UI');
  meta.set(ImplementationVersionName, [IMPLEMENTATION_VERSION_NAME], 'SH');
  return meta;
}
