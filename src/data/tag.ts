/**
 * A tag is a 32-bit number: group in the high 16 bits, element in the low 16 (PS3.5 §7.1).
 * Numbers keep tags cheap to compare, sort and use as Map keys.
 */
export type Tag = number;

export const makeTag = (group: number, element: number): Tag => ((group << 16) | element) >>> 0;
export const tagGroup = (tag: Tag): number => tag >>> 16;
export const tagElement = (tag: Tag): number => tag & 0xffff;

/** `(0008,0005)` */
export const formatTag = (tag: Tag): string => `(${hex4(tag >>> 16)},${hex4(tag & 0xffff)})`;
/** `00080005`, the form DICOM JSON uses. */
export const tagToHex = (tag: Tag): string => hex4(tag >>> 16) + hex4(tag & 0xffff);

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

/** Parses `00080005`, `0008,0005`, `(0008,0005)` or `0x00080005`; returns undefined when it is none of these. */
export function parseTagHex(text: string): Tag | undefined {
  const m = /^\(?(?:0x)?([0-9a-fA-F]{4}),?([0-9a-fA-F]{4})\)?$/.exec(text.trim());
  return m ? makeTag(Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16)) : undefined;
}

/** Odd groups are private, except the reserved groups 0001, 0003, 0005, 0007 and FFFF (PS3.5 §7.8.1). */
export const isPrivateTag = (tag: Tag): boolean => {
  const g = tag >>> 16;
  return (g & 1) === 1 && g > 0x0007 && g !== 0xffff;
};

/** (gggg,0010)–(gggg,00FF) in a private group: a Private Creator element. */
export const isPrivateCreator = (tag: Tag): boolean => {
  const e = tag & 0xffff;
  return isPrivateTag(tag) && e >= 0x0010 && e <= 0x00ff;
};

/** (gggg,xx00)–(gggg,xxFF) with xx ≥ 10 in a private group: belongs to the block reserved by (gggg,00xx). */
export const privateCreatorTagOf = (tag: Tag): Tag | undefined => {
  const e = tag & 0xffff;
  if (!isPrivateTag(tag) || e < 0x1000) return undefined;
  return makeTag(tag >>> 16, e >>> 8);
};

export const isGroupLength = (tag: Tag): boolean => (tag & 0xffff) === 0;

/** Item, Item Delimitation Item and Sequence Delimitation Item (PS3.5 §7.5). */
export const ITEM = 0xfffee000;
export const ITEM_DELIMITATION = 0xfffee00d;
export const SEQUENCE_DELIMITATION = 0xfffee0dd;
export const PIXEL_DATA = 0x7fe00010;
export const FLOAT_PIXEL_DATA = 0x7fe00008;
export const DOUBLE_FLOAT_PIXEL_DATA = 0x7fe00009;
export const EXTENDED_OFFSET_TABLE = 0x7fe00001;
export const EXTENDED_OFFSET_TABLE_LENGTHS = 0x7fe00002;
export const SPECIFIC_CHARACTER_SET = 0x00080005;
export const TRANSFER_SYNTAX_UID = 0x00020010;
