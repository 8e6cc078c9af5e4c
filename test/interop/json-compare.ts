/**
 * Element-by-element comparison of two DICOM JSON Model objects (PS3.18 Annex F): Portico's `toDicomJson` and a
 * peer's (pydicom's `to_json_dict`). Differences of notation only are normalized here, each with its reason;
 * every other difference is reported with its path (`300A00B0/0/300A011C`: tag / item index / tag).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { DicomJson, DicomJsonAttribute } from '../../src/encoding/dicom-json.js';
import { parseFileUri } from '../../src/encoding/dicom-json-bulk.js';

export interface Difference {
  /** Tags and item indexes from the top, separated by `/`. */
  readonly path: string;
  readonly message: string;
}

/** A difference that is expected, with the reason written down. `path` may use `*` for one path segment. */
export interface Tolerance {
  readonly path: string;
  /** Only differences whose message contains this (default: any difference at or below `path`). */
  readonly contains?: string;
  readonly reason: string;
}

export interface CompareOptions {
  /**
   * The file was Explicit VR Big Endian. pydicom's InlineBinary keeps OW/OF/OL/OD/OV bytes in the file's byte
   * order; Portico's (PS3.18 §F.2.7: the value as in a little-endian transfer syntax) swaps them. The peer's
   * bytes are swapped before comparing (see `littleEndianBinaries`).
   */
  readonly peerBigEndian?: boolean;
}

/** Swap unit of the binary VRs whose bytes depend on the byte order. */
const WORD_SIZE: Readonly<Record<string, number>> = { OW: 2, OF: 4, OL: 4, OD: 8, OV: 8 };

/**
 * Group lengths (gggg,0000): PS3.18 §F.2.2 says they are not included; pydicom includes those it read. Dropped
 * from both sides.
 */
const isGroupLengthKey = (key: string): boolean => key.endsWith('0000');

/** Compares `ours` (Portico) with `theirs` (the peer); returns every difference. */
export function compareDicomJson(ours: DicomJson, theirs: DicomJson, options: CompareOptions = {}): Difference[] {
  const diffs: Difference[] = [];
  compareDataset(ours, options.peerBigEndian ? littleEndianBinaries(theirs) : theirs, '', diffs);
  return diffs;
}

/**
 * pydicom's JSON of a big-endian file with the OW/OF/OL/OD/OV InlineBinary values byte-swapped to little endian,
 * as PS3.18 §F.2.7 and Portico have them (pydicom keeps the file's byte order).
 */
export function littleEndianBinaries(json: DicomJson): DicomJson {
  const out: DicomJson = {};
  for (const [key, attr] of Object.entries(json)) {
    const size = WORD_SIZE[attr.vr];
    if (attr.vr === 'SQ' && attr.Value !== undefined) {
      out[key] = { ...attr, Value: attr.Value.map((item) => (item === null ? item : littleEndianBinaries(item as DicomJson))) };
    } else if (size !== undefined && attr.InlineBinary !== undefined) {
      out[key] = { ...attr, InlineBinary: Buffer.from(swap(Buffer.from(attr.InlineBinary, 'base64'), size)).toString('base64') };
    } else {
      out[key] = attr;
    }
  }
  return out;
}

function compareDataset(ours: DicomJson, theirs: DicomJson, prefix: string, diffs: Difference[]): void {
  const keys = new Set([...Object.keys(ours), ...Object.keys(theirs)].filter((k) => !isGroupLengthKey(k)));
  for (const key of [...keys].sort()) {
    const path = prefix === '' ? key : `${prefix}/${key}`;
    const a = ours[key];
    const b = theirs[key];
    if (a === undefined) {
      diffs.push({ path, message: `only the peer has it (${b!.vr} ${preview(b!)})` });
      continue;
    }
    if (b === undefined) {
      diffs.push({ path, message: `only Portico has it (${a.vr} ${preview(a)})` });
      continue;
    }
    compareAttribute(a, b, path, diffs);
  }
}

function compareAttribute(a: DicomJsonAttribute, b: DicomJsonAttribute, path: string, diffs: Difference[]): void {
  if (a.vr !== b.vr) {
    diffs.push({ path, message: `VR ${a.vr} (Portico) vs ${b.vr} (peer)` });
    return;
  }
  const vr = a.vr;
  const aBytes = binaryOf(a);
  const bBytes = binaryOf(b);
  if (aBytes !== undefined || bBytes !== undefined) {
    const peer = bBytes ?? new Uint8Array(0);
    const ours = aBytes ?? new Uint8Array(0);
    if (a.Value !== undefined || b.Value !== undefined) diffs.push({ path, message: `${vr}: one side has Value, the other binary` });
    else if (!sameBytes(ours, peer)) diffs.push({ path, message: `${vr} bytes differ: ${describeBytes(ours, peer)}` });
    return;
  }
  const av = a.Value ?? [];
  const bv = b.Value ?? [];
  if (vr === 'SQ') {
    if (av.length !== bv.length) {
      diffs.push({ path, message: `SQ has ${av.length} items in Portico, ${bv.length} in the peer` });
      return;
    }
    av.forEach((item, i) => {
      compareDataset((item ?? {}) as DicomJson, (bv[i] ?? {}) as DicomJson, `${path}/${i}`, diffs);
    });
    return;
  }
  const an = av.map((v) => normalizeValue(vr, v));
  const bn = bv.map((v) => normalizeValue(vr, v));
  // An empty value is "no Value" or a single empty value (§F.2.5).
  const isEmpty = (x: unknown[]): boolean => x.length === 0 || (x.length === 1 && x[0] === null);
  if (isEmpty(an) && isEmpty(bn)) return;
  if (an.length !== bn.length) {
    diffs.push({ path, message: `${vr} has ${an.length} values in Portico ${show(av)}, ${bn.length} in the peer ${show(bv)}` });
    return;
  }
  for (let i = 0; i < an.length; i++) {
    if (!sameValue(an[i], bn[i])) diffs.push({ path, message: `${vr} value ${i}: ${show(av[i])} (Portico) vs ${show(bv[i])} (peer)` });
  }
}

/**
 * Notation differences that carry no information: an empty string and null are both an empty value (§F.2.5);
 * empty person name groups may be left out (§F.2.2); DS/IS may be numbers or their text (PS3.18 Table F.2.3-1
 * allows strings), compared as numbers when both parse; AT in either case.
 */
function normalizeValue(vr: string, v: unknown): unknown {
  if (v === '' || v === null || v === undefined) return null;
  if (vr === 'PN' && typeof v === 'object') {
    const groups: Record<string, string> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== '' && x !== null) groups[k] = String(x);
    return Object.keys(groups).length === 0 ? null : groups;
  }
  if (vr === 'PN' && typeof v === 'string') return { Alphabetic: v };
  if ((vr === 'DS' || vr === 'IS') && typeof v === 'string') {
    const n = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(n) ? n : v.trim();
  }
  if (vr === 'AT' && typeof v === 'string') return v.toUpperCase();
  if ((vr === 'SV' || vr === 'UV') && (typeof v === 'number' || typeof v === 'string')) return BigInt(v);
  return v;
}

function sameValue(x: unknown, y: unknown): boolean {
  if (typeof x === 'number' && typeof y === 'number') return x === y || (Number.isNaN(x) && Number.isNaN(y));
  if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null) {
    const kx = Object.keys(x).sort();
    const ky = Object.keys(y).sort();
    return kx.join() === ky.join() && kx.every((k) => (x as Record<string, unknown>)[k] === (y as Record<string, unknown>)[k]);
  }
  return x === y;
}

/** The bytes of an InlineBinary, or of a `file://…?offset&length[&swap]` BulkDataURI as Portico writes for values left in files. */
function binaryOf(attr: DicomJsonAttribute): Uint8Array | undefined {
  if (attr.InlineBinary !== undefined) return Buffer.from(attr.InlineBinary, 'base64');
  if (attr.BulkDataURI !== undefined) {
    const ref = parseFileUri(attr.BulkDataURI);
    if (ref === undefined) throw new Error(`cannot compare BulkDataURI ${attr.BulkDataURI}`);
    const fd = openSync(ref.path, 'r');
    try {
      const buf = Buffer.alloc(ref.length);
      const n = readSync(fd, buf, 0, ref.length, ref.offset);
      const bytes = buf.subarray(0, n - (n % Math.max(1, ref.swapWords)));
      // The file holds the value in big-endian words; the value itself is little endian.
      if (ref.swapWords === 2) bytes.swap16();
      else if (ref.swapWords === 4) bytes.swap32();
      else if (ref.swapWords === 8) bytes.swap64();
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  }
  return undefined;
}

function swap(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const whole = bytes.length - (bytes.length % size);
  for (let i = 0; i < whole; i += size) for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j]!;
  out.set(bytes.subarray(whole), whole);
  return out;
}

const sameBytes = (x: Uint8Array, y: Uint8Array): boolean => x.length === y.length && Buffer.compare(x, y) === 0;

function describeBytes(x: Uint8Array, y: Uint8Array): string {
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  const around = (b: Uint8Array): string => Buffer.from(b.subarray(i, i + 8)).toString('hex');
  return `${x.length} bytes (Portico) vs ${y.length} (peer), first difference at byte ${i}: ${around(x)} vs ${around(y)}`;
}

function preview(attr: DicomJsonAttribute): string {
  if (attr.Value !== undefined) return show(attr.Value);
  if (attr.InlineBinary !== undefined) return `InlineBinary(${attr.InlineBinary.length} chars)`;
  if (attr.BulkDataURI !== undefined) return `BulkDataURI ${attr.BulkDataURI}`;
  return '(empty)';
}

function show(x: unknown): string {
  const text = JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(x);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** Splits differences into those a tolerance explains and the rest; also gives the tolerances nothing matched. */
export function applyTolerances(
  diffs: readonly Difference[],
  tolerances: readonly Tolerance[],
): { readonly unexplained: Difference[]; readonly unused: Tolerance[] } {
  const used = new Set<Tolerance>();
  const unexplained = diffs.filter((d) => {
    const t = tolerances.find((tol) => pathMatches(tol.path, d.path) && (tol.contains === undefined || d.message.includes(tol.contains)));
    if (t === undefined) return true;
    used.add(t);
    return false;
  });
  return { unexplained, unused: tolerances.filter((t) => !used.has(t)) };
}

/** `pattern` matches `path` itself and everything below it; `*` matches one segment. */
function pathMatches(pattern: string, path: string): boolean {
  const p = pattern.split('/');
  const q = path.split('/');
  if (q.length < p.length) return false;
  return p.every((seg, i) => seg === '*' || seg.toUpperCase() === q[i]!.toUpperCase());
}

/** A readable list of differences, for assertion messages. */
export const formatDifferences = (diffs: readonly Difference[]): string => diffs.map((d) => `  ${d.path}: ${d.message}`).join('\n');
