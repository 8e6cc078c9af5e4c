/**
 * The Command Set elements of group 0000 (PS3.7 Annex E, Table E.1-1 "Command Fields"), and the values of
 * Command Field (0000,0100), Command Data Set Type (0000,0800) and Priority (0000,0700).
 *
 * The standard's JSON in ../shared/standard has no group 0000, so this one table is transcribed by hand from
 * PS3.7 Table E.1-1: tag, keyword, VR and VM only. Every command element is encoded Implicit VR Little Endian
 * (PS3.7 §6.3.1), so the VR here is the only place a decoder learns it from.
 */

/** VRs that occur in a command set. */
export type CommandVr = 'UL' | 'UI' | 'US' | 'AE' | 'AT' | 'LO';

export interface CommandElement {
  readonly tag: number;
  readonly keyword: string;
  readonly vr: CommandVr;
  /** '1' or '1-n'. */
  readonly vm: '1' | '1-n';
}

/** PS3.7 Table E.1-1, in tag order. */
export const COMMAND_ELEMENTS = [
  { tag: 0x00000000, keyword: 'CommandGroupLength', vr: 'UL', vm: '1' },
  { tag: 0x00000002, keyword: 'AffectedSOPClassUID', vr: 'UI', vm: '1' },
  { tag: 0x00000003, keyword: 'RequestedSOPClassUID', vr: 'UI', vm: '1' },
  { tag: 0x00000100, keyword: 'CommandField', vr: 'US', vm: '1' },
  { tag: 0x00000110, keyword: 'MessageID', vr: 'US', vm: '1' },
  { tag: 0x00000120, keyword: 'MessageIDBeingRespondedTo', vr: 'US', vm: '1' },
  { tag: 0x00000600, keyword: 'MoveDestination', vr: 'AE', vm: '1' },
  { tag: 0x00000700, keyword: 'Priority', vr: 'US', vm: '1' },
  { tag: 0x00000800, keyword: 'CommandDataSetType', vr: 'US', vm: '1' },
  { tag: 0x00000900, keyword: 'Status', vr: 'US', vm: '1' },
  { tag: 0x00000901, keyword: 'OffendingElement', vr: 'AT', vm: '1-n' },
  { tag: 0x00000902, keyword: 'ErrorComment', vr: 'LO', vm: '1' },
  { tag: 0x00000903, keyword: 'ErrorID', vr: 'US', vm: '1' },
  { tag: 0x00001000, keyword: 'AffectedSOPInstanceUID', vr: 'UI', vm: '1' },
  { tag: 0x00001001, keyword: 'RequestedSOPInstanceUID', vr: 'UI', vm: '1' },
  { tag: 0x00001002, keyword: 'EventTypeID', vr: 'US', vm: '1' },
  { tag: 0x00001005, keyword: 'AttributeIdentifierList', vr: 'AT', vm: '1-n' },
  { tag: 0x00001008, keyword: 'ActionTypeID', vr: 'US', vm: '1' },
  { tag: 0x00001020, keyword: 'NumberOfRemainingSuboperations', vr: 'US', vm: '1' },
  { tag: 0x00001021, keyword: 'NumberOfCompletedSuboperations', vr: 'US', vm: '1' },
  { tag: 0x00001022, keyword: 'NumberOfFailedSuboperations', vr: 'US', vm: '1' },
  { tag: 0x00001023, keyword: 'NumberOfWarningSuboperations', vr: 'US', vm: '1' },
  { tag: 0x00001030, keyword: 'MoveOriginatorApplicationEntityTitle', vr: 'AE', vm: '1' },
  { tag: 0x00001031, keyword: 'MoveOriginatorMessageID', vr: 'US', vm: '1' },
] as const satisfies readonly CommandElement[];

export type CommandKeyword = (typeof COMMAND_ELEMENTS)[number]['keyword'];

/** The tag of each command element by keyword: `CommandTag.MessageID` → 0x00000110. */
export const CommandTag = Object.freeze(
  Object.fromEntries(COMMAND_ELEMENTS.map((e) => [e.keyword, e.tag])) as Record<CommandKeyword, number>,
);

const BY_TAG: ReadonlyMap<number, CommandElement> = new Map(COMMAND_ELEMENTS.map((e) => [e.tag, e]));

/** The Table E.1-1 entry for a tag, or undefined for a tag that is not a (current) command element. */
export const commandElement = (tag: number): CommandElement | undefined => BY_TAG.get(tag);

/** Command Field (0000,0100) values (PS3.7 §9.3 and §10.3; Table E.1-1). */
export const CommandField = {
  C_STORE_RQ: 0x0001,
  C_STORE_RSP: 0x8001,
  C_GET_RQ: 0x0010,
  C_GET_RSP: 0x8010,
  C_FIND_RQ: 0x0020,
  C_FIND_RSP: 0x8020,
  C_MOVE_RQ: 0x0021,
  C_MOVE_RSP: 0x8021,
  C_ECHO_RQ: 0x0030,
  C_ECHO_RSP: 0x8030,
  N_EVENT_REPORT_RQ: 0x0100,
  N_EVENT_REPORT_RSP: 0x8100,
  N_GET_RQ: 0x0110,
  N_GET_RSP: 0x8110,
  N_SET_RQ: 0x0120,
  N_SET_RSP: 0x8120,
  N_ACTION_RQ: 0x0130,
  N_ACTION_RSP: 0x8130,
  N_CREATE_RQ: 0x0140,
  N_CREATE_RSP: 0x8140,
  N_DELETE_RQ: 0x0150,
  N_DELETE_RSP: 0x8150,
  /** C-CANCEL has no response (PS3.7 §9.3.2.3). */
  C_CANCEL_RQ: 0x0fff,
} as const;

export type CommandFieldName = keyof typeof CommandField;
export type CommandFieldValue = (typeof CommandField)[CommandFieldName];

const KNOWN_FIELDS: ReadonlySet<number> = new Set(Object.values(CommandField));

/** True for the 23 Command Field values PS3.7 defines. */
export const isKnownCommandField = (value: number): value is CommandFieldValue => KNOWN_FIELDS.has(value);

/**
 * Command Data Set Type (0000,0800): "0101H indicates that no Data Set is present; any other value indicates
 * a Data Set is present" (Table E.1-1). We write 0001H when a data set follows, as DCMTK (DIMSE_DATASET_PRESENT)
 * and pynetdicom do; on receipt any value other than 0101H means present.
 */
export const DataSetType = {
  NULL: 0x0101,
  PRESENT: 0x0001,
} as const;

/** Priority (0000,0700) (PS3.7 Table E.1-1). MEDIUM is 0000H, the value sent when the user does not choose. */
export const Priority = {
  MEDIUM: 0x0000,
  HIGH: 0x0001,
  LOW: 0x0002,
} as const;

export type PriorityValue = (typeof Priority)[keyof typeof Priority];
