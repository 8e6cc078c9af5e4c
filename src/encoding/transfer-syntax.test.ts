import { describe, expect, it } from 'vitest';
import { DictionaryError } from '../core/errors.js';
import { uidsOfType } from '../dictionary/uids.js';
import {
  DeflatedExplicitVRLittleEndian,
  ExplicitVRBigEndian,
  ExplicitVRLittleEndian,
  findTransferSyntax,
  ImplicitVRLittleEndian,
  lookupTransferSyntax,
  TRANSFER_SYNTAXES,
  type TransferSyntax,
} from './transfer-syntax.js';

const ts = (uid: string): TransferSyntax => {
  const found = lookupTransferSyntax(uid);
  if (found === undefined) throw new Error(`missing ${uid}`);
  return found;
};

const flags = (t: TransferSyntax) => ({
  littleEndian: t.littleEndian,
  explicitVR: t.explicitVR,
  deflated: t.deflated,
  encapsulated: t.encapsulated,
  lossy: t.lossy,
  fragmentable: t.fragmentable,
  family: t.family,
});

describe('the registry', () => {
  it('has every transfer syntax the seeds name', () => {
    const seed = [
      '1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.5',
      '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70',
      '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91',
      '1.2.840.10008.1.2.4.100', '1.2.840.10008.1.2.4.101', '1.2.840.10008.1.2.4.102', '1.2.840.10008.1.2.4.103',
    ];
    for (const uid of seed) expect(lookupTransferSyntax(uid), uid).toBeDefined();
  });

  it('describes every binary transfer syntax of the UID registry, with its name and keyword', () => {
    const registered = uidsOfType('Transfer Syntax').map((u) => u.uid);
    const described = TRANSFER_SYNTAXES.map((t) => t.uid);
    expect(registered.filter((uid) => !described.includes(uid))).toEqual([
      '1.2.840.10008.1.2.6.1', // RFC 2557 MIME Encapsulation (retired)
      '1.2.840.10008.1.2.6.2', // XML Encoding (retired)
    ]);
    expect(described.every((uid) => registered.includes(uid))).toBe(true);
    expect(ts(ExplicitVRLittleEndian)).toMatchObject({ name: 'Explicit VR Little Endian', keyword: 'ExplicitVRLittleEndian' });
    expect(TRANSFER_SYNTAXES.length).toBeGreaterThanOrEqual(60);
  });

  it('encodes every encapsulated syntax as Explicit VR Little Endian, without dataset deflate', () => {
    for (const t of TRANSFER_SYNTAXES.filter((x) => x.encapsulated)) {
      expect([t.uid, t.littleEndian, t.explicitVR, t.deflated]).toEqual([t.uid, true, true, false]);
    }
  });

  it('returns undefined for an unknown UID', () => {
    expect(lookupTransferSyntax('1.2.3')).toBeUndefined();
    expect(lookupTransferSyntax('1.2.840.10008.1.2.6.1')).toBeUndefined();
  });
});

describe('native syntaxes', () => {
  it('knows byte order, VR encoding and deflate', () => {
    const base = { encapsulated: false, lossy: false, fragmentable: false, family: 'native' };
    expect(flags(ts(ImplicitVRLittleEndian))).toEqual({ ...base, littleEndian: true, explicitVR: false, deflated: false });
    expect(flags(ts(ExplicitVRLittleEndian))).toEqual({ ...base, littleEndian: true, explicitVR: true, deflated: false });
    expect(flags(ts(ExplicitVRBigEndian))).toEqual({ ...base, littleEndian: false, explicitVR: true, deflated: false });
    expect(flags(ts(DeflatedExplicitVRLittleEndian))).toEqual({ ...base, littleEndian: true, explicitVR: true, deflated: true });
    expect(ts(ExplicitVRBigEndian).retired).toBe(true);
    expect(ts(ImplicitVRLittleEndian).retired).toBe(false);
  });

  it('treats Encapsulated Uncompressed as encapsulated, lossless, one fragment per frame', () => {
    expect(flags(ts('1.2.840.10008.1.2.1.98'))).toMatchObject({ encapsulated: true, lossy: false, fragmentable: false, family: 'native' });
  });
});

describe('compressed families', () => {
  it('JPEG: baseline and extended lossy, processes 14 and SV1 lossless, frames may span fragments', () => {
    expect(flags(ts('1.2.840.10008.1.2.4.50'))).toMatchObject({ family: 'jpeg', encapsulated: true, lossy: true, fragmentable: true });
    expect(ts('1.2.840.10008.1.2.4.51').lossy).toBe(true);
    expect(ts('1.2.840.10008.1.2.4.57').lossy).toBe(false);
    expect(ts('1.2.840.10008.1.2.4.70').lossy).toBe(false);
    expect(ts('1.2.840.10008.1.2.4.70').keyword).toBe('JPEGLosslessSV1');
    for (let p = 52; p <= 66; p++) {
      if (p === 57) continue; // Process 14, current
      const t = ts(`1.2.840.10008.1.2.4.${p}`);
      expect([t.family, t.retired]).toEqual(['jpeg', true]);
    }
  });

  it('JPEG-LS: .80 lossless, .81 near-lossless counts as lossy', () => {
    expect(flags(ts('1.2.840.10008.1.2.4.80'))).toMatchObject({ family: 'jpeg-ls', lossy: false, fragmentable: true });
    expect(flags(ts('1.2.840.10008.1.2.4.81'))).toMatchObject({ family: 'jpeg-ls', lossy: true });
  });

  it('JPEG 2000: .90/.92 lossless, .91/.93 lossy (Part 2 multi-component included)', () => {
    expect(ts('1.2.840.10008.1.2.4.90')).toMatchObject({ family: 'jpeg-2000', lossy: false, fragmentable: true });
    expect(ts('1.2.840.10008.1.2.4.91')).toMatchObject({ family: 'jpeg-2000', lossy: true });
    expect(ts('1.2.840.10008.1.2.4.92')).toMatchObject({ family: 'jpeg-2000', lossy: false, keyword: 'JPEG2000MCLossless' });
    expect(ts('1.2.840.10008.1.2.4.93')).toMatchObject({ family: 'jpeg-2000', lossy: true, keyword: 'JPEG2000MC' });
  });

  it('HTJ2K: .201 and .202 (RPCL) lossless, .203 lossy', () => {
    expect(ts('1.2.840.10008.1.2.4.201')).toMatchObject({ family: 'htj2k', lossy: false, encapsulated: true });
    expect(ts('1.2.840.10008.1.2.4.202')).toMatchObject({ family: 'htj2k', lossy: false, keyword: 'HTJ2KLosslessRPCL' });
    expect(ts('1.2.840.10008.1.2.4.203')).toMatchObject({ family: 'htj2k', lossy: true });
  });

  it('RLE: lossless, one frame per fragment', () => {
    expect(flags(ts('1.2.840.10008.1.2.5'))).toMatchObject({ family: 'rle', encapsulated: true, lossy: false, fragmentable: false });
  });

  it('video (MPEG2, H.264, HEVC) is lossy; the "Fragmentable" .1 variants may span fragments', () => {
    const video = TRANSFER_SYNTAXES.filter((t) => ['mpeg2', 'h264', 'hevc'].includes(t.family));
    expect(video.map((t) => t.uid)).toEqual([
      '1.2.840.10008.1.2.4.100', '1.2.840.10008.1.2.4.100.1', '1.2.840.10008.1.2.4.101', '1.2.840.10008.1.2.4.101.1',
      '1.2.840.10008.1.2.4.102', '1.2.840.10008.1.2.4.102.1', '1.2.840.10008.1.2.4.103', '1.2.840.10008.1.2.4.103.1',
      '1.2.840.10008.1.2.4.104', '1.2.840.10008.1.2.4.104.1', '1.2.840.10008.1.2.4.105', '1.2.840.10008.1.2.4.105.1',
      '1.2.840.10008.1.2.4.106', '1.2.840.10008.1.2.4.106.1', '1.2.840.10008.1.2.4.107', '1.2.840.10008.1.2.4.108',
    ]);
    for (const t of video) {
      expect(t.lossy && t.encapsulated).toBe(true);
      expect(t.fragmentable, t.uid).toBe(t.family === 'hevc' || t.name.startsWith('Fragmentable'));
    }
    expect(ts('1.2.840.10008.1.2.4.103').name).toBe('MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1');
  });

  it('JPIP: pixel data by reference, not encapsulated; the Deflate variants deflate the dataset', () => {
    expect(flags(ts('1.2.840.10008.1.2.4.94'))).toMatchObject({ family: 'jpip', encapsulated: false, deflated: false, explicitVR: true });
    expect(ts('1.2.840.10008.1.2.4.95')).toMatchObject({ family: 'jpip', deflated: true });
    expect(ts('1.2.840.10008.1.2.4.204')).toMatchObject({ family: 'jpip', deflated: false });
    expect(ts('1.2.840.10008.1.2.4.205')).toMatchObject({ family: 'jpip', deflated: true });
  });

  it('SMPTE ST 2110, JPEG XL and Deflated Image Frame Compression', () => {
    for (const uid of ['1.2.840.10008.1.2.7.1', '1.2.840.10008.1.2.7.2', '1.2.840.10008.1.2.7.3']) {
      expect(ts(uid)).toMatchObject({ family: 'smpte2110', encapsulated: false, explicitVR: true });
    }
    expect(ts('1.2.840.10008.1.2.4.110')).toMatchObject({ family: 'jpeg-xl', lossy: false });
    expect(ts('1.2.840.10008.1.2.4.112')).toMatchObject({ family: 'jpeg-xl', lossy: true });
    expect(ts('1.2.840.10008.1.2.8.1')).toMatchObject({ family: 'deflate-frame', encapsulated: true, deflated: false, lossy: false });
  });
});

describe('findTransferSyntax', () => {
  it('accepts a UID, a keyword or a name in any case', () => {
    expect(findTransferSyntax('1.2.840.10008.1.2.4.50').keyword).toBe('JPEGBaseline8Bit');
    expect(findTransferSyntax('JPEGBaseline8Bit').uid).toBe('1.2.840.10008.1.2.4.50');
    expect(findTransferSyntax('jpegbaseline8bit').uid).toBe('1.2.840.10008.1.2.4.50');
    expect(findTransferSyntax('explicit vr big endian').uid).toBe(ExplicitVRBigEndian);
    expect(findTransferSyntax('JPEG2000').uid).toBe('1.2.840.10008.1.2.4.91');
    expect(findTransferSyntax('HTJ2K').uid).toBe('1.2.840.10008.1.2.4.203');
    expect(findTransferSyntax(' 1.2.840.10008.1.2 ').uid).toBe(ImplicitVRLittleEndian);
  });

  it('accepts the short names of the command line', () => {
    const short: Record<string, string> = {
      implicit: ImplicitVRLittleEndian,
      explicit: ExplicitVRLittleEndian,
      big: ExplicitVRBigEndian,
      deflate: DeflatedExplicitVRLittleEndian,
      'jpeg-baseline': '1.2.840.10008.1.2.4.50',
      'jpeg-lossless': '1.2.840.10008.1.2.4.70',
      'jpeg-ls': '1.2.840.10008.1.2.4.80',
      j2k: '1.2.840.10008.1.2.4.90',
      'htj2k-lossless': '1.2.840.10008.1.2.4.201',
      rle: '1.2.840.10008.1.2.5',
      h264: '1.2.840.10008.1.2.4.102',
      JPEG_LS: '1.2.840.10008.1.2.4.80',
    };
    for (const [name, uid] of Object.entries(short)) expect(findTransferSyntax(name).uid, name).toBe(uid);
  });

  it('throws a DictionaryError that lists the known names', () => {
    expect(() => findTransferSyntax('jpeg3000')).toThrow(DictionaryError);
    expect(() => findTransferSyntax('jpeg3000')).toThrow(/jpeg3000.*implicit, .*jpeg-ls.*rle/);
    expect(() => findTransferSyntax('1.2.840.10008.1.2.6.1')).toThrow(DictionaryError);
  });
});
