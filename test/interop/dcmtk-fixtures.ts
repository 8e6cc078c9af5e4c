/**
 * Files made by DCMTK at test time (dump2dcm, dcmconv, img2dcm, dcmcjpeg, dcmcrle, dcmcjpls) from a text dump and
 * small images written here. Nothing is committed: everything goes to a temporary folder.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOk } from './peers.js';

export const DCMTK_TOOLS = ['dump2dcm', 'dcmconv', 'img2dcm', 'dcmcjpeg', 'dcmcrle', 'dcmcjpls', 'dcmdump'] as const;

/** A file DCMTK makes, and how. */
export interface PlannedFile {
  readonly name: string;
  /** The command that makes it (run in the temporary folder), for test names and messages. */
  readonly how: string;
  /** Explicit VR Big Endian. */
  readonly bigEndian: boolean;
  /** Pixel Data is encapsulated. */
  readonly encapsulated: boolean;
}

/**
 * The main dataset as a DCMTK dump (dump2dcm syntax), in ISO 8859-1: sequences with two items, nested sequences,
 * a private block (LO, OB, UN and a private sequence), multi-valued strings, PN with Latin-1 letters, US SS UL
 * SL FL FD AT OF OD OL SV UV UC UR UT ST AS DT values, a standard tag encoded as UN, odd-length values (padded by
 * dump2dcm) and a small 16-bit signed image.
 */
export function mainDump(): Buffer {
  const pixels = Array.from({ length: 32 }, (_, i) => ((i * 37 - 200) & 0xffff).toString(16).padStart(4, '0')).join('\\');
  const text = `# Portico interop: main dataset (ISO 8859-1)
(0008,0005) CS [ISO_IR 100]
(0008,0008) CS [ORIGINAL\\PRIMARY\\AXIAL]
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7]
(0008,0018) UI [1.2.826.0.1.3680043.10.1045.1.1]
(0008,0020) DA [20240131]
(0008,002a) DT [20240131101530.123456+0100]
(0008,0030) TM [101530.123]
(0008,0060) CS [OT]
(0008,0070) LO [Odd]
(0008,0081) ST [  Leading spaces kept in ST]
(0008,0119) UC [A long code value that is longer than sixty-four characters, UC allows that]
(0008,0120) UR [http://example.com/codes?x=1&y=2]
(0008,040c) UV 18446744073709551615
(0008,1140) SQ (Sequence with explicit length #=2)
  (fffe,e000) na (Item with explicit length #=2)
    (0008,1150) UI [1.2.840.10008.5.1.4.1.1.2]
    (0008,1155) UI [1.2.3.4.5.6.7]
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
  (fffe,e000) na (Item with explicit length #=2)
    (0008,1150) UI [1.2.840.10008.5.1.4.1.1.4]
    (0008,1155) UI [1.2.3.4.5.6.8]
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
(fffe,e0dd) na (SequenceDelimitationItem for re-encod.)
(0008,1163) FD 0.1\\2.5e10\\-0.5
(0008,9459) FL 29.97
(0009,0010) LO [PORTICO INTEROP]
(0009,1001) LO [private text]
(0009,1002) OB 01\\02\\03
(0009,1003) UN 0a\\0b\\0c\\0d
(0009,1010) SQ (Sequence with explicit length #=1)
  (fffe,e000) na (Item with explicit length #=1)
    (0009,1011) SH [in private item]
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
(fffe,e0dd) na (SequenceDelimitationItem for re-encod.)
(0010,0010) PN [Müller^Jürgen]
(0010,0020) LO [ID-0001]
(0010,1001) PN [Other^Name\\Zweiter^Ünal]
(0010,1010) AS [042Y]
(0018,1030) UN 41\\42\\43\\20
(0018,1310) US 0\\32\\32\\0
(0018,1638) OF 1.5\\-2.25
(0018,6011) SQ (Sequence with explicit length #=1)
  (fffe,e000) na (Item with explicit length #=3)
    (0018,6016) UL 4294967295
    (0018,6020) SL -42\\7
    (0018,6028) FD 1.5e-300
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
(fffe,e0dd) na (SequenceDelimitationItem for re-encod.)
(0018,9219) SS -32768\\32767
(0020,0013) IS [ +12]
(0020,0032) DS [-125.000000\\-130.5\\ 12E2]
(0020,9222) SQ (Sequence with explicit length #=1)
  (fffe,e000) na (Item with explicit length #=1)
    (0020,9165) AT (0020,9056)
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
(fffe,e0dd) na (SequenceDelimitationItem for re-encod.)
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0008) IS [2]
(0028,0009) AT (0018,1063)\\(0018,1065)
(0028,0010) US 4
(0028,0011) US 4
(0028,0100) US 16
(0028,0101) US 12
(0028,0102) US 11
(0028,0103) US 1
(0028,0106) SS -5
(0040,0275) SQ (Sequence with explicit length #=1)
  (fffe,e000) na (Item with explicit length #=2)
    (0040,0007) LO [Requested procedure]
    (0040,0008) SQ (Sequence with explicit length #=1)
      (fffe,e000) na (Item with explicit length #=3)
        (0008,0100) SH [T-1234]
        (0008,0102) SH [99PORTICO]
        (0008,0104) LO [Nested code]
      (fffe,e00d) na (ItemDelimitationItem for re-encoding)
    (fffe,e0dd) na (SequenceDelimitationItem for re-encod.)
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
(fffe,e0dd) na (SequenceDelimitationItem for re-encod.)
(0040,a160) UT [Text value with \\ a backslash]
(0066,0040) OL 1\\2\\4294967295
(0070,150d) OD 1.25\\-3.5
(0072,0082) SV -5\\9007199254740993
(7fe0,0010) OW ${pixels}
`;
  return Buffer.from(text, 'latin1');
}

/**
 * A 2-frame 32×32 MONOCHROME2 image, 16 bits allocated, 12 stored, filled with noise so that the compressed frames
 * are larger than 1 KiB (then `+fs 1` splits them into several fragments).
 */
export function imageDump(): Buffer {
  let seed = 12345;
  const words: string[] = [];
  for (let i = 0; i < 2 * 32 * 32; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    words.push(((seed >>> 16) & 0x0fff).toString(16).padStart(4, '0'));
  }
  const text = `# Portico interop: image for the compressors
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.7.2]
(0008,0018) UI [1.2.826.0.1.3680043.10.1045.1.2]
(0008,0060) CS [OT]
(0010,0010) PN [Image^Test]
(0020,000d) UI [1.2.826.0.1.3680043.10.1045.2]
(0020,000e) UI [1.2.826.0.1.3680043.10.1045.3]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0008) IS [2]
(0028,0010) US 32
(0028,0011) US 32
(0028,0100) US 16
(0028,0101) US 12
(0028,0102) US 11
(0028,0103) US 0
(7fe0,0010) OW ${words.join('\\')}
`;
  return Buffer.from(text, 'latin1');
}

/** A 24-bit BMP, `width` × `height` (odd width: rows are padded to 4 bytes), bottom-up as usual. */
export function bmp(width: number, height: number): Buffer {
  const row = (width * 3 + 3) & ~3;
  const data = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * row + x * 3;
      data[p] = (x * 50) & 0xff; // blue
      data[p + 1] = (y * 100) & 0xff; // green
      data[p + 2] = (255 - x * 40) & 0xff; // red
    }
  }
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + data.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(0, 30);
  header.writeUInt32LE(data.length, 34);
  header.writeInt32LE(2835, 38);
  header.writeInt32LE(2835, 42);
  return Buffer.concat([header, data]);
}

interface Step {
  readonly name: string;
  readonly tool: string;
  readonly args: readonly string[];
  readonly from: string;
  readonly bigEndian?: boolean;
  readonly encapsulated?: boolean;
}

/** What is made, in dependency order: each wave only uses files of earlier waves (a wave runs in parallel). */
const WAVES: readonly (readonly Step[])[] = [
  [
    { name: 'main-ele.dcm', tool: 'dump2dcm', args: ['+te'], from: 'main.txt' },
    { name: 'main-ele-undefined-lengths-group-lengths.dcm', tool: 'dump2dcm', args: ['+te', '-e', '+g'], from: 'main.txt' },
    { name: 'main-ile-bare-dataset.dcm', tool: 'dump2dcm', args: ['+ti', '-F'], from: 'main.txt' },
    { name: 'image-ele.dcm', tool: 'dump2dcm', args: ['+te', '+l', '65536'], from: 'image.txt' },
    { name: 'bmp-sc.dcm', tool: 'img2dcm', args: ['-i', 'BMP'], from: 'small.bmp' },
  ],
  [
    { name: 'main-ile.dcm', tool: 'dcmconv', args: ['+ti'], from: 'main-ele.dcm' },
    { name: 'main-ile-undefined-lengths.dcm', tool: 'dcmconv', args: ['+ti', '-e'], from: 'main-ele.dcm' },
    { name: 'main-ebe.dcm', tool: 'dcmconv', args: ['+tb'], from: 'main-ele.dcm', bigEndian: true },
    { name: 'main-ebe-bare-dataset.dcm', tool: 'dcmconv', args: ['+tb', '-F'], from: 'main-ele.dcm', bigEndian: true },
    { name: 'main-deflated.dcm', tool: 'dcmconv', args: ['+td'], from: 'main-ele.dcm' },
    { name: 'main-ile-bare-to-ele.dcm', tool: 'dcmconv', args: ['+te'], from: 'main-ile-bare-dataset.dcm' },
    { name: 'image-jpeg-lossless-sv1.dcm', tool: 'dcmcjpeg', args: ['+e1'], from: 'image-ele.dcm', encapsulated: true },
    { name: 'image-jpeg-lossless-fragments.dcm', tool: 'dcmcjpeg', args: ['+el', '+fs', '1'], from: 'image-ele.dcm', encapsulated: true },
    { name: 'image-jpeg-empty-offset-table.dcm', tool: 'dcmcjpeg', args: ['+e1', '-ot'], from: 'image-ele.dcm', encapsulated: true },
    { name: 'image-rle.dcm', tool: 'dcmcrle', args: [], from: 'image-ele.dcm', encapsulated: true },
    { name: 'image-jpeg-ls.dcm', tool: 'dcmcjpls', args: [], from: 'image-ele.dcm', encapsulated: true },
    { name: 'image-jpeg-ls-near-lossless.dcm', tool: 'dcmcjpls', args: ['+en'], from: 'image-ele.dcm', encapsulated: true },
    { name: 'image-ebe.dcm', tool: 'dcmconv', args: ['+tb'], from: 'image-ele.dcm', bigEndian: true },
    { name: 'bmp-sc-jpeg-baseline.dcm', tool: 'dcmcjpeg', args: ['+eb'], from: 'bmp-sc.dcm', encapsulated: true },
    { name: 'bmp-sc-rle.dcm', tool: 'dcmcrle', args: [], from: 'bmp-sc.dcm', encapsulated: true },
  ],
];

const JPEG_SC: PlannedFile = {
  name: 'jpeg-sc.dcm',
  how: 'img2dcm -i JPEG (the JPEG stream of bmp-sc-jpeg-baseline.dcm, written out by dcmdump +W)',
  bigEndian: false,
  encapsulated: true,
};

const commandOf = (s: Step): string => `${s.tool} ${[...s.args, s.from, s.name].join(' ')}`;

/** Every file `makeDcmtkFiles` makes (known before anything runs, for test names). */
export const PLANNED: readonly PlannedFile[] = [
  ...WAVES.flat().map((s) => ({ name: s.name, how: commandOf(s), bigEndian: s.bigEndian ?? false, encapsulated: s.encapsulated ?? false })),
  JPEG_SC,
];

/** Runs a DCMTK tool; dump2dcm reports a damaged dump with `E:` lines but exits 0, so those fail here too. */
async function make(tool: string, args: readonly string[], dir: string): Promise<void> {
  const r = await runOk(tool, args, { cwd: dir });
  if (/^[EF]: /m.test(r.stderr)) throw new Error(`${tool} ${args.join(' ')} reported errors:\n${r.stderr.slice(0, 4000)}`);
}

/** Makes every planned file in `dir` (which must be empty); returns name → path. */
export async function makeDcmtkFiles(dir: string): Promise<Map<string, string>> {
  await writeFile(join(dir, 'main.txt'), mainDump());
  await writeFile(join(dir, 'image.txt'), imageDump());
  await writeFile(join(dir, 'small.bmp'), bmp(5, 3));
  for (const wave of WAVES) await Promise.all(wave.map((s) => make(s.tool, [...s.args, s.from, s.name], dir)));
  // A JPEG file for img2dcm: the fragment dcmdump writes out of the baseline-compressed BMP image.
  await runOk('dcmdump', ['+W', '.', 'bmp-sc-jpeg-baseline.dcm'], { cwd: dir });
  await make('img2dcm', ['-i', 'JPEG', 'bmp-sc-jpeg-baseline.dcm.1.raw', JPEG_SC.name], dir);
  return new Map(PLANNED.map((p) => [p.name, join(dir, p.name)]));
}
