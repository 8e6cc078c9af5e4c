/**
 * The files the Storage SCP tests send, and DCMTK `storescu` to send them:
 * - a CT (16-bit, 12 stored) and an 8-bit RGB Secondary Capture written by Portico, turned by DCMTK into every
 *   transfer syntax it can write (`dcmconv +ti/+te/+tb/+td`, `dcmcjpeg +e1/+el/+ee/+eb`, `dcmcrle`, `dcmcjpls`,
 *   `img2dcm` from a JPEG and from a BMP);
 * - pydicom's test files that DCMTK can send;
 * - a storescu configuration file proposing exactly the (SOP class, transfer syntax) pairs of a set of files, one
 *   presentation context per pair, so that each file goes in its own transfer syntax and nothing is converted.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile as readBytes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncapsulatedPixelData } from '../../src/data/bulk-data.js';
import type { Dataset } from '../../src/data/dataset.js';
import { frameFragments } from '../../src/encoding/encapsulated.js';
import { type DicomFile, readDicom } from '../../src/encoding/read.js';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../src/encoding/transfer-syntax.js';
import { writeDicom } from '../../src/encoding/write.js';
import { ctDataset, secondaryCaptureDataset } from './net-instances.js';
import { HOST } from './net-peers.js';
import { PEER_ENV, PYDICOM_DATA, type RunResult, run, runOk } from './peers.js';

/** A file to send and what it holds. */
export interface SourceFile {
  /** Short name for messages (`ct-rle`, `pydicom/MR_small.dcm`). */
  readonly label: string;
  readonly path: string;
  readonly origin: 'portico' | 'dcmtk' | 'pydicom';
  readonly bytes: Uint8Array;
  readonly file: DicomFile;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly transferSyntax: string;
}

/** Reads a file to send; throws when it lacks the UIDs a C-STORE needs. */
export async function sourceFile(label: string, path: string, origin: SourceFile['origin']): Promise<SourceFile> {
  const bytes = new Uint8Array(await readBytes(path));
  const file = readDicom(bytes, {}, path);
  const uid = (keyword: string): string => {
    const value = file.dataset.string(keyword);
    if (!value) throw new Error(`${path}: no ${keyword}`);
    return value;
  };
  return {
    label,
    path,
    origin,
    bytes,
    file,
    sopClassUid: uid('SOPClassUID'),
    sopInstanceUid: uid('SOPInstanceUID'),
    studyInstanceUid: uid('StudyInstanceUID'),
    seriesInstanceUid: uid('SeriesInstanceUID'),
    transferSyntax: file.transferSyntax.uid,
  };
}

/** The DCMTK tools the corpus needs (for `ensurePeers`). */
export const CORPUS_TOOLS = ['dcmconv', 'dcmcjpeg', 'dcmcrle', 'dcmcjpls', 'img2dcm'] as const;

/** One conversion: a Portico-written source, the DCMTK command that converts it, the syntax expected. */
interface Conversion {
  readonly label: string;
  readonly source: 'ct' | 'ct-implicit' | 'sc';
  readonly tool: string;
  readonly args: readonly string[];
  readonly transferSyntax: string;
}

const CONVERSIONS: readonly Conversion[] = [
  { label: 'ct-dcmconv-implicit', source: 'ct', tool: 'dcmconv', args: ['+ti'], transferSyntax: '1.2.840.10008.1.2' },
  { label: 'ct-dcmconv-explicit', source: 'ct-implicit', tool: 'dcmconv', args: ['+te'], transferSyntax: '1.2.840.10008.1.2.1' },
  { label: 'ct-dcmconv-big-endian', source: 'ct', tool: 'dcmconv', args: ['+tb'], transferSyntax: '1.2.840.10008.1.2.2' },
  { label: 'ct-dcmconv-deflated', source: 'ct', tool: 'dcmconv', args: ['+td'], transferSyntax: '1.2.840.10008.1.2.1.99' },
  { label: 'ct-jpeg-lossless-sv1', source: 'ct', tool: 'dcmcjpeg', args: ['+e1'], transferSyntax: '1.2.840.10008.1.2.4.70' },
  { label: 'ct-jpeg-lossless-p14', source: 'ct', tool: 'dcmcjpeg', args: ['+el'], transferSyntax: '1.2.840.10008.1.2.4.57' },
  { label: 'ct-jpeg-extended-12bit', source: 'ct', tool: 'dcmcjpeg', args: ['+ee'], transferSyntax: '1.2.840.10008.1.2.4.51' },
  { label: 'ct-rle', source: 'ct', tool: 'dcmcrle', args: [], transferSyntax: '1.2.840.10008.1.2.5' },
  { label: 'ct-jpeg-ls-lossless', source: 'ct', tool: 'dcmcjpls', args: [], transferSyntax: '1.2.840.10008.1.2.4.80' },
  { label: 'ct-jpeg-ls-near-lossless', source: 'ct', tool: 'dcmcjpls', args: ['+en'], transferSyntax: '1.2.840.10008.1.2.4.81' },
  { label: 'sc-jpeg-baseline', source: 'sc', tool: 'dcmcjpeg', args: ['+eb'], transferSyntax: '1.2.840.10008.1.2.4.50' },
  { label: 'sc-rle', source: 'sc', tool: 'dcmcrle', args: [], transferSyntax: '1.2.840.10008.1.2.5' },
  { label: 'sc-jpeg-ls-lossless', source: 'sc', tool: 'dcmcjpls', args: [], transferSyntax: '1.2.840.10008.1.2.4.80' },
];

/** A 24-bit BMP (bottom-up rows padded to 4 bytes) with a colour gradient. */
export function bmp24(width: number, height: number): Uint8Array {
  const rowBytes = (width * 3 + 3) & ~3;
  const size = 54 + rowBytes * height;
  const out = Buffer.alloc(size);
  out.write('BM', 0, 'ascii');
  out.writeUInt32LE(size, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(rowBytes * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = 54 + y * rowBytes + x * 3;
      out[p] = (x * 255) / width; // B
      out[p + 1] = (y * 255) / height; // G
      out[p + 2] = ((x + y) * 127) / (width + height); // R
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The JPEG stream of the first frame of an encapsulated file (its fragments, joined). */
export function firstFrameJpeg(file: DicomFile): Uint8Array {
  const value = file.dataset.get(0x7fe00010)?.value;
  if (!(value instanceof EncapsulatedPixelData)) throw new Error('no encapsulated Pixel Data');
  const parts = frameFragments(file.dataset)[0] ?? [];
  const bytes = parts.map((f) => {
    if (!(f.bytes instanceof Uint8Array)) throw new Error('fragment not in memory');
    return f.bytes;
  });
  return new Uint8Array(Buffer.concat(bytes));
}

/**
 * Portico-written CT and SC files and DCMTK conversions of them, each with its own SOP Instance UID (a fresh
 * source per conversion; the lossy conversions get a new UID from DCMTK, read back from the result). Written into
 * `dir`.
 */
export async function makeSyntaxCorpus(dir: string, rows = 256, columns = 256): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  let seed = 100;
  const writeSource = async (name: string, dataset: Dataset, transferSyntax: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, writeDicom(dataset, { transferSyntax }));
    return path;
  };
  out.push(await sourceFile('ct-portico-explicit', await writeSource('ct-portico-explicit.dcm', ctDataset(seed++, rows, columns), ExplicitVRLittleEndian), 'portico'));
  out.push(await sourceFile('ct-portico-implicit', await writeSource('ct-portico-implicit.dcm', ctDataset(seed++, rows, columns), ImplicitVRLittleEndian), 'portico'));
  out.push(await sourceFile('sc-portico-explicit', await writeSource('sc-portico-explicit.dcm', secondaryCaptureDataset(seed++, rows, columns), ExplicitVRLittleEndian), 'portico'));
  for (const c of CONVERSIONS) {
    const dataset = c.source === 'sc' ? secondaryCaptureDataset(seed++, rows, columns) : ctDataset(seed++, rows, columns);
    const input = await writeSource(`${c.label}-source.dcm`, dataset, c.source === 'ct-implicit' ? ImplicitVRLittleEndian : ExplicitVRLittleEndian);
    const output = join(dir, `${c.label}.dcm`);
    await runOk(c.tool, [...c.args, input, output]);
    const made = await sourceFile(c.label, output, 'dcmtk');
    if (made.transferSyntax !== c.transferSyntax) throw new Error(`${c.tool} ${c.args.join(' ')} wrote ${made.transferSyntax}, expected ${c.transferSyntax}`);
    out.push(made);
  }
  // img2dcm from a JPEG (the baseline stream DCMTK just made, as a .jpg file) and from a BMP written here.
  const baseline = out.find((f) => f.label === 'sc-jpeg-baseline')!;
  const jpg = join(dir, 'image.jpg');
  await writeFile(jpg, firstFrameJpeg(baseline.file));
  const fromJpeg = join(dir, 'img2dcm-jpeg.dcm');
  await runOk('img2dcm', ['-i', 'JPEG', jpg, fromJpeg]);
  out.push(await sourceFile('img2dcm-jpeg', fromJpeg, 'dcmtk'));
  const bmp = join(dir, 'image.bmp');
  await writeFile(bmp, bmp24(160, 120));
  const fromBmp = join(dir, 'img2dcm-bmp.dcm');
  await runOk('img2dcm', ['-i', 'BMP', bmp, fromBmp]);
  out.push(await sourceFile('img2dcm-bmp', fromBmp, 'dcmtk'));
  return out;
}

/**
 * pydicom test files DCMTK cannot read (so `storescu` cannot send them); every other pydicom file with the four
 * UIDs a C-STORE needs is sent.
 */
export const PYDICOM_UNSENDABLE: Readonly<Record<string, string>> = {
  'MR_truncated.dcm': 'Pixel Data runs past the end of the file: storescu refuses to read it',
  'SC_rgb_jpeg.dcm': 'DCMTK stops at a non-standard VR in (0008,0008): storescu refuses to read it',
};

/**
 * pydicom's test files that carry SOP Class, SOP Instance, Study and Series Instance UIDs and that DCMTK can read,
 * with the files left out and why (files without those UIDs cannot be sent by storescu at all).
 */
export async function pydicomSendable(): Promise<{ readonly files: SourceFile[]; readonly skipped: Record<string, string> }> {
  const dir = join(PYDICOM_DATA, 'test_files');
  const files: SourceFile[] = [];
  const skipped: Record<string, string> = {};
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.dcm')).sort()) {
    if (PYDICOM_UNSENDABLE[name]) {
      skipped[name] = PYDICOM_UNSENDABLE[name];
      continue;
    }
    try {
      files.push(await sourceFile(`pydicom/${name}`, join(dir, name), 'pydicom'));
    } catch (error) {
      skipped[name] = (error as Error).message.replace(`${dir}/`, '');
    }
  }
  return { files, skipped };
}

// -- storescu --------------------------------------------------------------------------------------------------------

/**
 * A storescu configuration (`-xf <file> P`) proposing one presentation context per distinct (SOP class, transfer
 * syntax) pair of `files`, each with only that transfer syntax. At most 128 pairs (one association's limit).
 */
export function storescuConfig(files: readonly Pick<SourceFile, 'sopClassUid' | 'transferSyntax'>[]): string {
  const syntaxes = [...new Set(files.map((f) => f.transferSyntax))];
  const pairs = [...new Set(files.map((f) => `${f.sopClassUid}\\T${syntaxes.indexOf(f.transferSyntax) + 1}`))];
  if (pairs.length > 128) throw new Error(`${pairs.length} presentation contexts: more than one association holds`);
  return [
    '[[TransferSyntaxes]]',
    ...syntaxes.flatMap((ts, i) => [`[T${i + 1}]`, `TransferSyntax1 = ${ts}`]),
    '[[PresentationContexts]]',
    '[PC]',
    ...pairs.map((p, i) => `PresentationContext${i + 1} = ${p}`),
    '[[Profiles]]',
    '[P]',
    'PresentationContexts = PC',
    '',
  ].join('\n');
}

/**
 * A storescp configuration (`-xf <file> P`) accepting every SOP class of `files` in any of their transfer syntaxes
 * (storescp's `+xa` leaves out some, e.g. JPEG Lossless Process 14). An SCP profile names each SOP class once.
 */
export function storescpConfig(files: readonly Pick<SourceFile, 'sopClassUid' | 'transferSyntax'>[]): string {
  const syntaxes = [...new Set(files.map((f) => f.transferSyntax))];
  const classes = [...new Set(files.map((f) => f.sopClassUid))];
  return [
    '[[TransferSyntaxes]]',
    '[All]',
    ...syntaxes.map((ts, i) => `TransferSyntax${i + 1} = ${ts}`),
    '[Echo]',
    'TransferSyntax1 = 1.2.840.10008.1.2',
    '[[PresentationContexts]]',
    '[PC]',
    // Verification too: the test harness checks that storescp is up with a C-ECHO.
    'PresentationContext1 = 1.2.840.10008.1.1\\Echo',
    ...classes.map((c, i) => `PresentationContext${i + 2} = ${c}\\All`),
    '[[Profiles]]',
    '[P]',
    'PresentationContexts = PC',
    '',
  ].join('\n');
}

/** Writes `storescuConfig(files)` to `path` and returns the storescu arguments that use it. */
export async function proposeExactly(path: string, files: readonly Pick<SourceFile, 'sopClassUid' | 'transferSyntax'>[]): Promise<string[]> {
  await writeFile(path, storescuConfig(files));
  return ['-xf', path, 'P'];
}

export interface StorescuRun extends RunResult {
  readonly output: string;
  /** How many associations storescu requested. */
  readonly associations: number;
  /** For each file storescu sent, in order: the status text of its C-STORE-RSP ("Success", ...) or undefined. */
  readonly responses: readonly { readonly path: string; readonly status: string | undefined }[];
  /** The files whose C-STORE got a Success response. */
  readonly succeeded: readonly string[];
}

/** Parses `storescu -v` output: which file got which response. */
export function parseStorescu(output: string): Pick<StorescuRun, 'associations' | 'responses' | 'succeeded'> {
  const responses: { path: string; status: string | undefined }[] = [];
  let associations = 0;
  for (const line of output.split('\n')) {
    if (/^I: Requesting Association/.test(line)) associations++;
    const sending = /^I: Sending file: (.+)$/.exec(line);
    if (sending) responses.push({ path: sending[1]!, status: undefined });
    const response = /^I: Received Store Response \((.+)\)\s*$/.exec(line);
    if (response && responses.length > 0 && responses[responses.length - 1]!.status === undefined) responses[responses.length - 1]!.status = response[1]!;
  }
  return { associations, responses, succeeded: responses.filter((r) => r.status === 'Success').map((r) => r.path) };
}

export interface StorescuOptions {
  /** Our calling AE title (default STORESCU). */
  readonly aet?: string;
  /** Called AE title (default PORTICO). */
  readonly aec?: string;
  /** More arguments (a `-xf` profile, `-nh`, `-pdu ...`). */
  readonly args?: readonly string[];
  readonly timeoutMs?: number;
}

/** `storescu -v -aet ... -aec ... [args] 127.0.0.1 <port> <paths...>` (TCP_NODELAY=1), with its output parsed. */
export async function storescu(port: number, paths: readonly string[], options: StorescuOptions = {}): Promise<StorescuRun> {
  const args = ['-v', '-aet', options.aet ?? 'STORESCU', '-aec', options.aec ?? 'PORTICO', ...(options.args ?? []), HOST, String(port), ...paths];
  const r = await run('storescu', args, { timeoutMs: options.timeoutMs ?? 60_000 });
  const output = `${r.stdout}${r.stderr}`;
  return { ...r, output, ...parseStorescu(output) };
}

/**
 * `storescu` as `storescu()` does, but its output is read while it runs: `onSuccess(path)` is called the moment
 * storescu logs a Success response for a file (a test can then act in the middle of an association). Killed by its
 * PID with SIGKILL after `timeoutMs`.
 */
export function storescuLive(port: number, paths: readonly string[], options: StorescuOptions, onSuccess: (path: string) => void): Promise<StorescuRun> {
  const args = ['-v', '-aet', options.aet ?? 'STORESCU', '-aec', options.aec ?? 'PORTICO', ...(options.args ?? []), HOST, String(port), ...paths];
  return new Promise((resolve, reject) => {
    const child = spawn('storescu', args, { env: PEER_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let text = '';
    let current: string | undefined;
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      let nl;
      while ((nl = text.indexOf('\n')) >= 0) {
        const line = text.slice(0, nl);
        text = text.slice(nl + 1);
        const sending = /^I: Sending file: (.+)$/.exec(line);
        if (sending) current = sending[1];
        if (/^I: Received Store Response \(Success\)/.test(line) && current !== undefined) {
          onSuccess(current);
          current = undefined;
        }
      }
    };
    child.stdout.on('data', (b: Buffer) => (out.push(b), onData(b)));
    child.stderr.on('data', (b: Buffer) => (err.push(b), onData(b)));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`storescu: ${e.message}`));
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const output = `${stdout}${stderr}`;
      resolve({ status, stdout, stderr, output, ...parseStorescu(output) });
    });
  });
}
