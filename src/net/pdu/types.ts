/**
 * The Upper Layer PDUs (PS3.8 §9.3) as plain data. Codecs live beside this file (one per PDU); nothing here
 * touches a socket.
 */

export const PduType = {
  A_ASSOCIATE_RQ: 0x01,
  A_ASSOCIATE_AC: 0x02,
  A_ASSOCIATE_RJ: 0x03,
  P_DATA_TF: 0x04,
  A_RELEASE_RQ: 0x05,
  A_RELEASE_RP: 0x06,
  A_ABORT: 0x07,
} as const;

/** A presentation context proposed in an A-ASSOCIATE-RQ (item type 0x20). */
export interface PresentationContextRq {
  /** Odd, 1–255. */
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

/** Result of a presentation context (PS3.8 Table 9-18). */
export const PresentationContextResult = {
  ACCEPTANCE: 0,
  USER_REJECTION: 1,
  NO_REASON: 2,
  ABSTRACT_SYNTAX_NOT_SUPPORTED: 3,
  TRANSFER_SYNTAXES_NOT_SUPPORTED: 4,
} as const;
export type PresentationContextResultCode = (typeof PresentationContextResult)[keyof typeof PresentationContextResult];

/** A presentation context in an A-ASSOCIATE-AC (item type 0x21). */
export interface PresentationContextAc {
  readonly id: number;
  readonly result: PresentationContextResultCode;
  /** Present when accepted (the standard requires the sub-item always; its value is ignored unless accepted). */
  readonly transferSyntax: string;
}

/** SCP/SCU Role Selection sub-item (0x54, PS3.7 D.3.3.4). */
export interface RoleSelection {
  readonly sopClassUid: string;
  readonly scuRole: boolean;
  readonly scpRole: boolean;
}

/** SOP Class Extended Negotiation sub-item (0x56, PS3.7 D.3.3.5). */
export interface SopClassExtendedNegotiation {
  readonly sopClassUid: string;
  readonly info: Uint8Array;
}

/** SOP Class Common Extended Negotiation sub-item (0x57, PS3.7 D.3.3.6). */
export interface SopClassCommonExtendedNegotiation {
  readonly sopClassUid: string;
  readonly serviceClassUid: string;
  readonly relatedGeneralSopClassUids: readonly string[];
}

/** User Identity Negotiation sub-item, RQ (0x58, PS3.7 D.3.3.7): 1 username, 2 username+passcode, 3 Kerberos, 4 SAML, 5 JWT. */
export interface UserIdentityRq {
  readonly type: number;
  readonly positiveResponseRequested: boolean;
  readonly primaryField: Uint8Array;
  readonly secondaryField: Uint8Array;
}

/** User Identity Negotiation sub-item, AC (0x59). */
export interface UserIdentityAc {
  readonly serverResponse: Uint8Array;
}

/** Asynchronous Operations Window sub-item (0x53, PS3.7 D.3.3.3): 0 = unlimited. */
export interface AsyncOperationsWindow {
  readonly maxOperationsInvoked: number;
  readonly maxOperationsPerformed: number;
}

/** The User Information item (0x50) and its sub-items. */
export interface UserInformation {
  /** Maximum Length sub-item (0x51): the largest P-DATA-TF PDU the sender can receive; 0 = no limit. */
  readonly maxPduLength?: number;
  readonly implementationClassUid?: string;
  readonly implementationVersionName?: string;
  readonly asyncOperationsWindow?: AsyncOperationsWindow;
  readonly roleSelections?: readonly RoleSelection[];
  readonly extendedNegotiations?: readonly SopClassExtendedNegotiation[];
  readonly commonExtendedNegotiations?: readonly SopClassCommonExtendedNegotiation[];
  readonly userIdentityRq?: UserIdentityRq;
  readonly userIdentityAc?: UserIdentityAc;
  /** Sub-items of types this implementation does not know: kept, ignored (PS3.8 §9.3.1). */
  readonly unknown?: readonly { readonly type: number; readonly data: Uint8Array }[];
}

export interface AAssociateRq {
  readonly type: typeof PduType.A_ASSOCIATE_RQ;
  readonly protocolVersion: number;
  /** Up to 16 characters, trailing spaces removed. */
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
  readonly applicationContext: string;
  readonly presentationContexts: readonly PresentationContextRq[];
  readonly userInformation: UserInformation;
}

export interface AAssociateAc {
  readonly type: typeof PduType.A_ASSOCIATE_AC;
  readonly protocolVersion: number;
  /** Echoed from the RQ (not to be tested on receipt, PS3.8 Table 9-17). */
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
  readonly applicationContext: string;
  readonly presentationContexts: readonly PresentationContextAc[];
  readonly userInformation: UserInformation;
}

/** A-ASSOCIATE-RJ (PS3.8 Table 9-21). */
export interface AAssociateRj {
  readonly type: typeof PduType.A_ASSOCIATE_RJ;
  /** 1 rejected-permanent, 2 rejected-transient. */
  readonly result: number;
  /** 1 service-user, 2 service-provider (ACSE), 3 service-provider (presentation). */
  readonly source: number;
  /**
   * Source 1: 1 no-reason-given, 2 application-context-name-not-supported, 3 calling-AE-title-not-recognized,
   * 7 called-AE-title-not-recognized. Source 2: 1 no-reason-given, 2 protocol-version-not-supported.
   * Source 3: 1 temporary-congestion, 2 local-limit-exceeded.
   */
  readonly reason: number;
}

/** One Presentation Data Value item of a P-DATA-TF (PS3.8 §9.3.5.1, Annex E). */
export interface Pdv {
  readonly contextId: number;
  readonly isCommand: boolean;
  readonly isLast: boolean;
  readonly data: Uint8Array;
}

export interface PDataTf {
  readonly type: typeof PduType.P_DATA_TF;
  readonly pdvs: readonly Pdv[];
}

export interface AReleaseRq {
  readonly type: typeof PduType.A_RELEASE_RQ;
}

export interface AReleaseRp {
  readonly type: typeof PduType.A_RELEASE_RP;
}

/** A-ABORT (PS3.8 Table 9-26): source 0 service-user, 2 service-provider; reason only meaningful for source 2. */
export interface AAbort {
  readonly type: typeof PduType.A_ABORT;
  readonly source: number;
  readonly reason: number;
}

export type Pdu = AAssociateRq | AAssociateAc | AAssociateRj | PDataTf | AReleaseRq | AReleaseRp | AAbort;

/** Caps that bound what the reader will hold for one PDU (never allocated from a declared length beyond these). */
export interface PduLimits {
  /** Largest P-DATA-TF PDU accepted (our Maximum Length plus the 6-byte header). Default 64 KiB + 6. */
  readonly maxPDataLength?: number;
  /** Largest A-ASSOCIATE-RQ/AC accepted. Default 256 KiB. */
  readonly maxAssociateLength?: number;
  /** Most presentation contexts in one A-ASSOCIATE-RQ (odd IDs 1–255 allow 128). Default 128. */
  readonly maxPresentationContexts?: number;
  /** Most sub-items in one PDU item list (bounds zero-length item floods). Default 1024. */
  readonly maxItems?: number;
}
