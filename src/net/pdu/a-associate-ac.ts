/** A-ASSOCIATE-AC PDU (PS3.8 §9.3.3, Table 9-17). */
import { type AssociateKind, beginAssociate, checkUniqueContextIds, decodeAssociate, finishAssociate } from './associate-fields.js';
import { ItemType, decodePresentationContextAcItem, writeApplicationContextItem, writePresentationContextAcItem } from './items.js';
import { resolvePduLimits } from './limits.js';
import { type AAssociateAc, type PduLimits, type PresentationContextAc, PduType } from './types.js';
import { writeUserInformationItem } from './user-information.js';

const AC: AssociateKind<PresentationContextAc> = {
  name: 'A-ASSOCIATE-AC',
  presentationContextType: ItemType.PRESENTATION_CONTEXT_AC,
  strictAeTitles: false,
  decodePresentationContext: decodePresentationContextAcItem,
};

/** The whole PDU, header included. The AE titles should echo the A-ASSOCIATE-RQ. Throws DicomEncodeError. */
export function encodeAAssociateAc(pdu: AAssociateAc): Uint8Array {
  checkUniqueContextIds(pdu.presentationContexts);
  const { w, lengthAt } = beginAssociate(PduType.A_ASSOCIATE_AC, pdu);
  writeApplicationContextItem(w, pdu.applicationContext);
  for (const pc of pdu.presentationContexts) writePresentationContextAcItem(w, pc);
  writeUserInformationItem(w, pdu.userInformation);
  return finishAssociate(w, lengthAt);
}

/** `body` is the PDU after its 6-byte header. The AE title fields are not tested (Table 9-17). Throws PduDecodeError. */
export function decodeAAssociateAc(body: Uint8Array, limits?: PduLimits): AAssociateAc {
  const d = decodeAssociate(body, resolvePduLimits(limits), AC);
  return {
    type: PduType.A_ASSOCIATE_AC,
    protocolVersion: d.protocolVersion,
    calledAeTitle: d.calledAeTitle,
    callingAeTitle: d.callingAeTitle,
    applicationContext: d.applicationContext,
    presentationContexts: d.presentationContexts,
    userInformation: d.userInformation,
  };
}
