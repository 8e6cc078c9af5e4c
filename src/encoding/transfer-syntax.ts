/**
 * The transfer syntax registry. UIDs, names and keywords come from the generated UID registry (PS3.6 Table A-1);
 * how each one encodes a dataset (PS3.5 Annex A, §8.2, §10) is the typed table below.
 */
import { DictionaryError } from '../core/errors.js';
import { uidsOfType } from '../dictionary/uids.js';

export type TransferSyntaxFamily =
  | 'native'
  | 'jpeg'
  | 'jpeg-ls'
  | 'jpeg-2000'
  | 'htj2k'
  | 'jpeg-xl'
  | 'rle'
  | 'mpeg2'
  | 'h264'
  | 'hevc'
  | 'jpip'
  | 'smpte2110'
  | 'deflate-frame';

export interface TransferSyntax {
  readonly uid: string;
  readonly name: string;
  /** PS3.6 keyword: `ExplicitVRLittleEndian`, `JPEGBaseline8Bit`, … */
  readonly keyword: string;
  readonly littleEndian: boolean;
  readonly explicitVR: boolean;
  /** The whole dataset after the File Meta Information is deflated (PS3.5 A.5, A.7, A.12). */
  readonly deflated: boolean;
  /** Pixel Data is encapsulated (fragments in items, PS3.5 A.4). */
  readonly encapsulated: boolean;
  /** The pixel data may have lost information (lossy compression, or a syntax that allows it). */
  readonly lossy: boolean;
  /** A frame may span several fragments; when false, one frame is exactly one fragment. */
  readonly fragmentable: boolean;
  readonly retired: boolean;
  readonly family: TransferSyntaxFamily;
}

type Properties = Omit<TransferSyntax, 'uid' | 'name' | 'keyword' | 'retired'>;

export const ImplicitVRLittleEndian = '1.2.840.10008.1.2';
export const ExplicitVRLittleEndian = '1.2.840.10008.1.2.1';
export const EncapsulatedUncompressedExplicitVRLittleEndian = '1.2.840.10008.1.2.1.98';
export const DeflatedExplicitVRLittleEndian = '1.2.840.10008.1.2.1.99';
export const ExplicitVRBigEndian = '1.2.840.10008.1.2.2';
export const JPEGBaseline8Bit = '1.2.840.10008.1.2.4.50';
export const JPEGExtended12Bit = '1.2.840.10008.1.2.4.51';
export const JPEGLossless = '1.2.840.10008.1.2.4.57';
export const JPEGLosslessSV1 = '1.2.840.10008.1.2.4.70';
export const JPEGLSLossless = '1.2.840.10008.1.2.4.80';
export const JPEGLSNearLossless = '1.2.840.10008.1.2.4.81';
export const JPEG2000Lossless = '1.2.840.10008.1.2.4.90';
export const JPEG2000 = '1.2.840.10008.1.2.4.91';
export const JPEG2000MCLossless = '1.2.840.10008.1.2.4.92';
export const JPEG2000MC = '1.2.840.10008.1.2.4.93';
export const JPIPReferenced = '1.2.840.10008.1.2.4.94';
export const JPIPReferencedDeflate = '1.2.840.10008.1.2.4.95';
export const MPEG2MPML = '1.2.840.10008.1.2.4.100';
export const MPEG2MPMLF = '1.2.840.10008.1.2.4.100.1';
export const MPEG2MPHL = '1.2.840.10008.1.2.4.101';
export const MPEG2MPHLF = '1.2.840.10008.1.2.4.101.1';
export const MPEG4HP41 = '1.2.840.10008.1.2.4.102';
export const MPEG4HP41F = '1.2.840.10008.1.2.4.102.1';
export const MPEG4HP41BD = '1.2.840.10008.1.2.4.103';
export const MPEG4HP41BDF = '1.2.840.10008.1.2.4.103.1';
export const MPEG4HP422D = '1.2.840.10008.1.2.4.104';
export const MPEG4HP422DF = '1.2.840.10008.1.2.4.104.1';
export const MPEG4HP423D = '1.2.840.10008.1.2.4.105';
export const MPEG4HP423DF = '1.2.840.10008.1.2.4.105.1';
export const MPEG4HP42STEREO = '1.2.840.10008.1.2.4.106';
export const MPEG4HP42STEREOF = '1.2.840.10008.1.2.4.106.1';
export const HEVCMP51 = '1.2.840.10008.1.2.4.107';
export const HEVCM10P51 = '1.2.840.10008.1.2.4.108';
export const JPEGXLLossless = '1.2.840.10008.1.2.4.110';
export const JPEGXLJPEGRecompression = '1.2.840.10008.1.2.4.111';
export const JPEGXL = '1.2.840.10008.1.2.4.112';
export const HTJ2KLossless = '1.2.840.10008.1.2.4.201';
export const HTJ2KLosslessRPCL = '1.2.840.10008.1.2.4.202';
export const HTJ2K = '1.2.840.10008.1.2.4.203';
export const JPIPHTJ2KReferenced = '1.2.840.10008.1.2.4.204';
export const JPIPHTJ2KReferencedDeflate = '1.2.840.10008.1.2.4.205';
export const RLELossless = '1.2.840.10008.1.2.5';
export const SMPTEST211020UncompressedProgressiveActiveVideo = '1.2.840.10008.1.2.7.1';
export const SMPTEST211020UncompressedInterlacedActiveVideo = '1.2.840.10008.1.2.7.2';
export const SMPTEST211030PCMDigitalAudio = '1.2.840.10008.1.2.7.3';
export const DeflatedImageFrameCompression = '1.2.840.10008.1.2.8.1';
export const Papyrus3ImplicitVRLittleEndian = '1.2.840.10008.1.20';

const native = (explicitVR: boolean, littleEndian: boolean, deflated = false): Properties => ({
  littleEndian, explicitVR, deflated, encapsulated: false, lossy: false, fragmentable: false, family: 'native',
});
/** Every encapsulated syntax is Explicit VR Little Endian (PS3.5 A.4). */
const encapsulated = (family: TransferSyntaxFamily, lossy: boolean, fragmentable: boolean): Properties => ({
  littleEndian: true, explicitVR: true, deflated: false, encapsulated: true, lossy, fragmentable, family,
});
/** JPIP: Pixel Data is not in the dataset but referenced by Pixel Data Provider URL (PS3.5 A.6, A.7, A.11, A.12). */
const jpip = (deflated: boolean): Properties => ({
  littleEndian: true, explicitVR: true, deflated, encapsulated: false, lossy: false, fragmentable: false, family: 'jpip',
});
/** SMPTE ST 2110 (PS3.5 A.9, A.10): the essence travels over RTP, the dataset is Explicit VR Little Endian. */
const smpte2110: Properties = {
  littleEndian: true, explicitVR: true, deflated: false, encapsulated: false, lossy: false, fragmentable: false,
  family: 'smpte2110',
};

// JPEG, JPEG-LS and JPEG 2000: "the encoded data from one Frame may span multiple Fragments" (PS3.5 A.4.1, A.4.3,
// A.4.4). RLE, HTJ2K, JPEG XL, Deflated Image Frame and Encapsulated Uncompressed: one frame, one fragment.
// MPEG2 and MPEG-4 AVC come as non-fragmentable and "Fragmentable" (.1) syntaxes (PS3.5 §8.2.5–8.2.10); HEVC
// may be split over fragments. Video is always lossy.
const PROPERTIES: Readonly<Record<string, Properties>> = {
  [ImplicitVRLittleEndian]: native(false, true),
  [ExplicitVRLittleEndian]: native(true, true),
  [EncapsulatedUncompressedExplicitVRLittleEndian]: encapsulated('native', false, false),
  [DeflatedExplicitVRLittleEndian]: native(true, true, true),
  [ExplicitVRBigEndian]: native(true, false),
  [Papyrus3ImplicitVRLittleEndian]: native(false, true),
  [JPEGBaseline8Bit]: encapsulated('jpeg', true, true),
  [JPEGExtended12Bit]: encapsulated('jpeg', true, true),
  '1.2.840.10008.1.2.4.52': encapsulated('jpeg', true, true), // Extended (Process 3 & 5)
  '1.2.840.10008.1.2.4.53': encapsulated('jpeg', true, true), // Spectral Selection, Non-Hierarchical (6 & 8)
  '1.2.840.10008.1.2.4.54': encapsulated('jpeg', true, true), // Spectral Selection, Non-Hierarchical (7 & 9)
  '1.2.840.10008.1.2.4.55': encapsulated('jpeg', true, true), // Full Progression, Non-Hierarchical (10 & 12)
  '1.2.840.10008.1.2.4.56': encapsulated('jpeg', true, true), // Full Progression, Non-Hierarchical (11 & 13)
  [JPEGLossless]: encapsulated('jpeg', false, true),
  '1.2.840.10008.1.2.4.58': encapsulated('jpeg', false, true), // Lossless, Non-Hierarchical (Process 15)
  '1.2.840.10008.1.2.4.59': encapsulated('jpeg', true, true), // Extended, Hierarchical (16 & 18)
  '1.2.840.10008.1.2.4.60': encapsulated('jpeg', true, true), // Extended, Hierarchical (17 & 19)
  '1.2.840.10008.1.2.4.61': encapsulated('jpeg', true, true), // Spectral Selection, Hierarchical (20 & 22)
  '1.2.840.10008.1.2.4.62': encapsulated('jpeg', true, true), // Spectral Selection, Hierarchical (21 & 23)
  '1.2.840.10008.1.2.4.63': encapsulated('jpeg', true, true), // Full Progression, Hierarchical (24 & 26)
  '1.2.840.10008.1.2.4.64': encapsulated('jpeg', true, true), // Full Progression, Hierarchical (25 & 27)
  '1.2.840.10008.1.2.4.65': encapsulated('jpeg', false, true), // Lossless, Hierarchical (Process 28)
  '1.2.840.10008.1.2.4.66': encapsulated('jpeg', false, true), // Lossless, Hierarchical (Process 29)
  [JPEGLosslessSV1]: encapsulated('jpeg', false, true),
  [JPEGLSLossless]: encapsulated('jpeg-ls', false, true),
  [JPEGLSNearLossless]: encapsulated('jpeg-ls', true, true),
  [JPEG2000Lossless]: encapsulated('jpeg-2000', false, true),
  [JPEG2000]: encapsulated('jpeg-2000', true, true),
  [JPEG2000MCLossless]: encapsulated('jpeg-2000', false, true),
  [JPEG2000MC]: encapsulated('jpeg-2000', true, true),
  [JPIPReferenced]: jpip(false),
  [JPIPReferencedDeflate]: jpip(true),
  [MPEG2MPML]: encapsulated('mpeg2', true, false),
  [MPEG2MPMLF]: encapsulated('mpeg2', true, true),
  [MPEG2MPHL]: encapsulated('mpeg2', true, false),
  [MPEG2MPHLF]: encapsulated('mpeg2', true, true),
  [MPEG4HP41]: encapsulated('h264', true, false),
  [MPEG4HP41F]: encapsulated('h264', true, true),
  [MPEG4HP41BD]: encapsulated('h264', true, false),
  [MPEG4HP41BDF]: encapsulated('h264', true, true),
  [MPEG4HP422D]: encapsulated('h264', true, false),
  [MPEG4HP422DF]: encapsulated('h264', true, true),
  [MPEG4HP423D]: encapsulated('h264', true, false),
  [MPEG4HP423DF]: encapsulated('h264', true, true),
  [MPEG4HP42STEREO]: encapsulated('h264', true, false),
  [MPEG4HP42STEREOF]: encapsulated('h264', true, true),
  [HEVCMP51]: encapsulated('hevc', true, true),
  [HEVCM10P51]: encapsulated('hevc', true, true),
  [JPEGXLLossless]: encapsulated('jpeg-xl', false, false),
  [JPEGXLJPEGRecompression]: encapsulated('jpeg-xl', true, false), // lossless re-encoding of a lossy JPEG
  [JPEGXL]: encapsulated('jpeg-xl', true, false),
  [HTJ2KLossless]: encapsulated('htj2k', false, false),
  [HTJ2KLosslessRPCL]: encapsulated('htj2k', false, false),
  [HTJ2K]: encapsulated('htj2k', true, false),
  [JPIPHTJ2KReferenced]: jpip(false),
  [JPIPHTJ2KReferencedDeflate]: jpip(true),
  [RLELossless]: encapsulated('rle', false, false),
  [SMPTEST211020UncompressedProgressiveActiveVideo]: smpte2110,
  [SMPTEST211020UncompressedInterlacedActiveVideo]: smpte2110,
  [SMPTEST211030PCMDigitalAudio]: smpte2110,
  [DeflatedImageFrameCompression]: encapsulated('deflate-frame', false, false),
};

/**
 * Every transfer syntax of PS3.6 that encodes a binary dataset, in UID order. The registry's RFC 2557 MIME
 * Encapsulation and XML Encoding (both retired, neither a binary encoding) have no entry.
 */
export const TRANSFER_SYNTAXES: readonly TransferSyntax[] = Object.freeze(
  uidsOfType('Transfer Syntax').flatMap((u) => {
    const props = PROPERTIES[u.uid];
    return props === undefined
      ? []
      : [Object.freeze({ uid: u.uid, name: u.name, keyword: u.keyword, retired: u.retired, ...props })];
  }),
);

const BY_UID: ReadonlyMap<string, TransferSyntax> = new Map(TRANSFER_SYNTAXES.map((ts) => [ts.uid, ts]));

/**
 * Short names for the command line (`--ts jpeg-ls`); compared case-insensitively, `_` and spaces read as `-`.
 * None equals a PS3.6 keyword (`JPEG2000` and `HTJ2K` are keywords: the lossy-capable syntaxes).
 */
const ALIASES: Readonly<Record<string, string>> = {
  implicit: ImplicitVRLittleEndian,
  'implicit-little': ImplicitVRLittleEndian,
  explicit: ExplicitVRLittleEndian,
  'explicit-little': ExplicitVRLittleEndian,
  little: ExplicitVRLittleEndian,
  big: ExplicitVRBigEndian,
  'explicit-big': ExplicitVRBigEndian,
  deflate: DeflatedExplicitVRLittleEndian,
  deflated: DeflatedExplicitVRLittleEndian,
  'encapsulated-uncompressed': EncapsulatedUncompressedExplicitVRLittleEndian,
  jpeg: JPEGBaseline8Bit,
  'jpeg-baseline': JPEGBaseline8Bit,
  'jpeg-extended': JPEGExtended12Bit,
  'jpeg-lossless': JPEGLosslessSV1,
  'jpeg-lossless-sv1': JPEGLosslessSV1,
  'jpeg-lossless-p14': JPEGLossless,
  'jpeg-ls': JPEGLSLossless,
  'jpeg-ls-lossless': JPEGLSLossless,
  'jpeg-ls-near-lossless': JPEGLSNearLossless,
  'jpeg-ls-lossy': JPEGLSNearLossless,
  j2k: JPEG2000Lossless,
  'jpeg-2000': JPEG2000Lossless,
  'j2k-lossless': JPEG2000Lossless,
  'j2k-lossy': JPEG2000,
  'htj2k-lossless': HTJ2KLossless,
  'htj2k-rpcl': HTJ2KLosslessRPCL,
  'htj2k-lossy': HTJ2K,
  jxl: JPEGXLLossless,
  'jpeg-xl': JPEGXLLossless,
  'jpeg-xl-lossless': JPEGXLLossless,
  'jpeg-xl-lossy': JPEGXL,
  rle: RLELossless,
  mpeg2: MPEG2MPML,
  'mpeg2-hl': MPEG2MPHL,
  h264: MPEG4HP41,
  mpeg4: MPEG4HP41,
  h265: HEVCMP51,
  hevc: HEVCMP51,
  'deflate-frame': DeflatedImageFrameCompression,
};

let byName: ReadonlyMap<string, TransferSyntax> | undefined;

function nameIndex(): ReadonlyMap<string, TransferSyntax> {
  if (byName === undefined) {
    const index = new Map<string, TransferSyntax>();
    for (const ts of TRANSFER_SYNTAXES) {
      index.set(ts.keyword.toLowerCase(), ts);
      index.set(ts.name.toLowerCase(), ts);
    }
    for (const [alias, uid] of Object.entries(ALIASES)) index.set(alias, BY_UID.get(uid)!);
    byName = index;
  }
  return byName;
}

export function lookupTransferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid);
}

/**
 * A transfer syntax from its UID, its PS3.6 keyword or name (case-insensitive), or a short name (`implicit`,
 * `explicit`, `big`, `deflate`, `jpeg-baseline`, `jpeg-lossless`, `jpeg-ls`, `j2k`, `htj2k-lossless`, `rle`, …).
 * Throws DictionaryError listing the short names when it is none of these.
 */
export function findTransferSyntax(uidOrKeywordOrName: string): TransferSyntax {
  const text = uidOrKeywordOrName.trim();
  const byUid = BY_UID.get(text);
  if (byUid !== undefined) return byUid;
  const index = nameIndex();
  const found = index.get(text.toLowerCase()) ?? index.get(text.toLowerCase().replace(/[\s_]+/g, '-'));
  if (found !== undefined) return found;
  throw new DictionaryError(
    `Unknown transfer syntax "${uidOrKeywordOrName}". Use a UID, a PS3.6 keyword (e.g. JPEGBaseline8Bit) or one of: ${Object.keys(ALIASES).join(', ')}`,
  );
}
