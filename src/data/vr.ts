/** Value Representations (PS3.5 §6.2, Table 6.2-1). */
export const VRS = [
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
] as const;
export type VR = (typeof VRS)[number];

/** How a VR's value is represented once decoded. */
export type VrKind = 'string' | 'text' | 'number' | 'bigint' | 'binary' | 'tag' | 'sequence';

export interface VrInfo {
  readonly vr: VR;
  readonly kind: VrKind;
  /** Explicit VR: a 2-byte reserved field and a 4-byte length (PS3.5 Table 7.1-1), else a 2-byte length. */
  readonly longLength: boolean;
  /** Size of one binary value, for numbers, tags and the O* VRs (byte swapping unit); 0 for strings. */
  readonly size: number;
  /** Pad byte for odd lengths. */
  readonly pad: number;
  /** Affected by Specific Character Set (PS3.5 §6.1.2.3). */
  readonly charset: boolean;
  /** The backslash separates values (not for ST, LT, UT, UR). */
  readonly multiValued: boolean;
  /** Maximum length of one value in bytes (characters for some), 0 if only the length field limits it. */
  readonly maxLength: number;
  /** May have an undefined length (0xFFFFFFFF). */
  readonly undefinedLengthAllowed: boolean;
}

const s = (vr: VR, maxLength: number, charset = false, kind: VrKind = 'string'): VrInfo => ({
  vr, kind, longLength: vr === 'UC' || vr === 'UR' || vr === 'UT', size: 0, pad: vr === 'UI' ? 0 : 0x20,
  charset, multiValued: kind === 'string', maxLength, undefinedLengthAllowed: false,
});
const n = (vr: VR, size: number, kind: VrKind = 'number'): VrInfo => ({
  vr, kind, longLength: vr === 'SV' || vr === 'UV', size, pad: 0, charset: false, multiValued: true, maxLength: 0,
  undefinedLengthAllowed: false,
});
const o = (vr: VR, size: number): VrInfo => ({
  vr, kind: 'binary', longLength: true, size, pad: 0, charset: false, multiValued: false, maxLength: 0,
  undefinedLengthAllowed: vr === 'OB' || vr === 'OW' || vr === 'UN',
});

export const VR_INFO: Readonly<Record<VR, VrInfo>> = Object.freeze({
  AE: s('AE', 16), AS: s('AS', 4), CS: s('CS', 16), DA: s('DA', 8), DS: s('DS', 16), DT: s('DT', 26),
  IS: s('IS', 12), LO: s('LO', 64, true), PN: s('PN', 64 * 3 + 2, true), SH: s('SH', 16, true),
  TM: s('TM', 14), UI: s('UI', 64), UC: s('UC', 0, true),
  LT: s('LT', 10240, true, 'text'), ST: s('ST', 1024, true, 'text'), UT: s('UT', 0, true, 'text'),
  UR: s('UR', 0, false, 'text'),
  AT: n('AT', 4, 'tag'), FD: n('FD', 8), FL: n('FL', 4), SL: n('SL', 4), SS: n('SS', 2), UL: n('UL', 4),
  US: n('US', 2), SV: n('SV', 8, 'bigint'), UV: n('UV', 8, 'bigint'),
  OB: o('OB', 1), OD: o('OD', 8), OF: o('OF', 4), OL: o('OL', 4), OV: o('OV', 8), OW: o('OW', 2), UN: o('UN', 1),
  SQ: { vr: 'SQ', kind: 'sequence', longLength: true, size: 0, pad: 0, charset: false, multiValued: false,
    maxLength: 0, undefinedLengthAllowed: true },
});

const VR_SET: ReadonlySet<string> = new Set(VRS);
export const isVR = (text: string): text is VR => VR_SET.has(text);

/** The two VR bytes as a 16-bit number (first byte high), so that the reader can look VRs up without a string. */
export const VR_BY_CODE: ReadonlyMap<number, VR> = new Map(VRS.map((vr) => [(vr.charCodeAt(0) << 8) | vr.charCodeAt(1), vr]));
