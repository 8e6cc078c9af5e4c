/** Query/Retrieve SOP Classes (PS3.4 Annex C.6), from the generated UID registry. */
import { uidForKeyword } from '../../dictionary/uids.js';

/** Patient Root Query/Retrieve Information Model - FIND, 1.2.840.10008.5.1.4.1.2.1.1. */
export const PatientRootQueryRetrieveInformationModelFind: string = uidForKeyword('PatientRootQueryRetrieveInformationModelFind')!;
/** Patient Root Query/Retrieve Information Model - MOVE, 1.2.840.10008.5.1.4.1.2.1.2. */
export const PatientRootQueryRetrieveInformationModelMove: string = uidForKeyword('PatientRootQueryRetrieveInformationModelMove')!;
/** Patient Root Query/Retrieve Information Model - GET, 1.2.840.10008.5.1.4.1.2.1.3. */
export const PatientRootQueryRetrieveInformationModelGet: string = uidForKeyword('PatientRootQueryRetrieveInformationModelGet')!;
/** Study Root Query/Retrieve Information Model - FIND, 1.2.840.10008.5.1.4.1.2.2.1. */
export const StudyRootQueryRetrieveInformationModelFind: string = uidForKeyword('StudyRootQueryRetrieveInformationModelFind')!;
/** Study Root Query/Retrieve Information Model - MOVE, 1.2.840.10008.5.1.4.1.2.2.2. */
export const StudyRootQueryRetrieveInformationModelMove: string = uidForKeyword('StudyRootQueryRetrieveInformationModelMove')!;
/** Study Root Query/Retrieve Information Model - GET, 1.2.840.10008.5.1.4.1.2.2.3. */
export const StudyRootQueryRetrieveInformationModelGet: string = uidForKeyword('StudyRootQueryRetrieveInformationModelGet')!;
