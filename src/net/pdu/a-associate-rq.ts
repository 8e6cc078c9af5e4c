/** A-ASSOCIATE-RQ PDU (PS3.8 §9.3.2, Table 9-11). */
import { type AssociateKind, beginAssociate, checkUniqueContextIds, decodeAssociate, finishAssociate } from './associate-fields.js';
import { ItemType, decodePresentationContextRqItem, writeApplicationContextItem, writePresentationContextRqItem } from './items.js';
import { resolvePduLimits } from './limits.js';
import { type AAssociateRq, type PduLimits, type PresentationContextRq, PduType } from './types.js';
import { writeUserInformationItem } from './user-information.js';

const RQ: AssociateKind<PresentationContextRq> = {
  name: 'A-ASSOCIATE-RQ',
  presentationContextType: ItemType.PRESENTATION_CONTEXT_RQ,
  strictAeTitles: true,
  decodePresentationContext: decodePresentationContextRqItem,
};

/** The whole PDU, header included. Throws DicomEncodeError for values that do not fit their fields. */
export function encodeAAssociateRq(pdu: AAssociateRq): Uint8Array {
  checkUniqueContextIds(pdu.presentationContexts);
  const { w, lengthAt } = beginAssociate(PduType.A_ASSOCIATE_RQ, pdu);
  writeApplicationContextItem(w, pdu.applicationContext);
  for (const pc of pdu.presentationContexts) writePresentationContextRqItem(w, pc);
  writeUserInformationItem(w, pdu.userInformation);
  return finishAssociate(w, lengthAt);
}

/** `body` is the PDU after its 6-byte header. Throws PduDecodeError. */
export function decodeAAssociateRq(body: Uint8Array, limits?: PduLimits): AAssociateRq {
  const d = decodeAssociate(body, resolvePduLimits(limits), RQ);
  return {
    type: PduType.A_ASSOCIATE_RQ,
    protocolVersion: d.protocolVersion,
    calledAeTitle: d.calledAeTitle,
    callingAeTitle: d.callingAeTitle,
    applicationContext: d.applicationContext,
    presentationContexts: d.presentationContexts,
    userInformation: d.userInformation,
  };
}
