/** Basic Worklist Management SOP Class (PS3.4 Annex K.6), from the generated UID registry. */
import { uidForKeyword } from '../../dictionary/uids.js';

/** Modality Worklist Information Model - FIND, 1.2.840.10008.5.1.4.31. */
export const ModalityWorklistInformationModelFind: string = uidForKeyword('ModalityWorklistInformationModelFind')!;
