/**
 * The DICOM JSON Model (PS3.18 Annex F), both directions.
 *
 * Conventions follow PS3.18 §F.2 and, where the standard leaves a choice, pydicom's `Dataset.to_json_dict`:
 * IS and DS are JSON numbers (strings when the text is not a number), binary values are InlineBinary (base64
 * of the little-endian bytes), and encapsulated Pixel Data is the InlineBinary of its item stream without the
 * Sequence Delimitation Item.
 */
import { DicomEncodeError, DicomValueError } from '../core/errors.js';
import { BulkDataRef, EncapsulatedPixelData } from '../data/bulk-data.js';
import { SpecificCharacterSet } from '../data/charset/specific-character-set.js';
import { Dataset } from '../data/dataset.js';
import { type DecodeContext, LITTLE_ENDIAN_DEFAULT, withCharset } from '../data/decode-context.js';
import { decodeValue, Element, type ElementValue } from '../data/element.js';
import { formatDS } from '../data/number-string.js';
import { PersonName, type PersonNameJson } from '../data/person-name.js';
import { formatTag, isGroupLength, PIXEL_DATA, type Tag, tagGroup, tagToHex } from '../data/tag.js';
import { isVR, type VR, VR_INFO } from '../data/vr.js';
import {
  encapsulatedFileRange,
  encapsulatedStream,
  fileUriOf,
  fromBase64,
  parseEncapsulatedStream,
  parseFileUri,
  readEncapsulatedRange,
  toBase64,
} from './dicom-json-bulk.js';
import { DEFAULT_MAX_DEPTH } from './read-options.js';

/** One attribute object (PS3.18 §F.2.2): `vr` and at most one of Value, InlineBinary, BulkDataURI. */
export interface DicomJsonAttribute {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}

/** A DICOM JSON Model object: attribute objects keyed by the 8-digit uppercase hex tag. */
export type DicomJson = Record<string, DicomJsonAttribute>;

/** Where an element is: the tags and item indexes from the top, `[seqTag, itemIndex, …, tag]`. */
export type ElementPath = readonly number[];

export interface ToJsonOptions {
  /**
   * Called for binary values (OB OD OF OL OV OW UN, encapsulated Pixel Data, and any value left in a file);
   * return a URI to emit BulkDataURI instead of InlineBinary.
   * Values left in a file (BulkDataRef) become BulkDataURI `file://<absolute path>?offset=N&length=M` unless
   * this returns something else.
   */
  bulkDataUri?: (element: Element, path: ElementPath) => string | undefined;
  /**
   * File Meta Information to put in front of the dataset. Group 0002 is otherwise left out, also when it is
   * in `dataset`.
   */
  fileMeta?: Dataset;
}

export interface FromJsonOptions {
  /**
   * Fetches the value a BulkDataURI points to (bytes in little-endian order, or a reference into a file).
   * Return undefined to leave the URI to the default handling (file URIs, below).
   */
  resolveBulkData?: (uri: string, vr: VR, path: ElementPath) => Uint8Array | BulkDataRef | undefined;
  /**
   * Accept `file://…?offset=N&length=M` BulkDataURIs (as toDicomJson writes them) as values left in that file.
   * Default false (never trust the input: such a URI can name any file on this host); set it for JSON Portico wrote.
   */
  fileBulkData?: boolean;
}

/** The DICOM JSON Model object of a dataset (PS3.18 §F.2). Keys are inserted in ascending tag order. */
export function toDicomJson(dataset: Dataset, options: ToJsonOptions = {}): DicomJson {
  const out: DicomJson = {};
  if (options.fileMeta) {
    for (const e of options.fileMeta) if (!isGroupLength(e.tag)) out[tagToHex(e.tag)] = attributeJson(e, [e.tag], options);
  }
  return datasetJson(dataset, [], options, out);
}

function datasetJson(dataset: Dataset, path: ElementPath, options: ToJsonOptions, out: DicomJson = {}): DicomJson {
  for (const e of dataset) {
    // Group lengths are never included (§F.2.2); File Meta only through options.fileMeta.
    if (isGroupLength(e.tag) || (path.length === 0 && tagGroup(e.tag) === 0x0002)) continue;
    out[tagToHex(e.tag)] = attributeJson(e, [...path, e.tag], options);
  }
  return out;
}

function attributeJson(e: Element, path: ElementPath, options: ToJsonOptions): DicomJsonAttribute {
  let value = e.value;
  // Encapsulated Pixel Data is OB (PS3.5 §A.4), whatever VR the file gave it.
  const vr = value instanceof EncapsulatedPixelData ? 'OB' : e.vr;
  const json: DicomJsonAttribute = { vr };
  const kind = VR_INFO[vr].kind;
  if (value instanceof Uint8Array && kind !== 'binary') {
    // Bytes set on a non-binary VR: they are the value field, so decode them as such.
    value = decodeValue(vr, value, 0, value.length, LITTLE_ENDIAN_DEFAULT);
  }
  if (value instanceof EncapsulatedPixelData || value instanceof BulkDataRef || value instanceof Uint8Array) {
    binaryJson(e, value, path, options, json);
    return json;
  }
  const values = valuesJson(e, vr, value, path, options);
  // An empty value (§F.2.5): no Value at all. A single empty string is an empty value too.
  if (values.length > 0 && !(values.length === 1 && values[0] === null)) json.Value = values;
  return json;
}

function binaryJson(
  e: Element,
  value: EncapsulatedPixelData | BulkDataRef | Uint8Array,
  path: ElementPath,
  options: ToJsonOptions,
  json: DicomJsonAttribute,
): void {
  const empty = value instanceof Uint8Array ? value.length === 0 : value instanceof BulkDataRef && value.length === 0;
  if (empty) return;
  const uri = options.bulkDataUri?.(e, path);
  if (uri !== undefined) {
    json.BulkDataURI = uri;
    return;
  }
  if (value instanceof BulkDataRef) {
    json.BulkDataURI = fileUriOf(value);
    return;
  }
  if (value instanceof Uint8Array) {
    json.InlineBinary = toBase64(value);
    return;
  }
  const stream = encapsulatedStream(value);
  if (stream !== undefined) {
    json.InlineBinary = toBase64(stream);
    return;
  }
  const range = encapsulatedFileRange(value);
  if (range === undefined) {
    throw new DicomEncodeError(
      `${formatTag(e.tag)}: encapsulated Pixel Data has fragments in files that are not one run of one file; read them first or give bulkDataUri`,
    );
  }
  json.BulkDataURI = fileUriOf(range);
}

type JsonValue = string | number | Record<string, unknown> | null;

function valuesJson(e: Element, vr: VR, value: ElementValue, path: ElementPath, options: ToJsonOptions): JsonValue[] {
  switch (VR_INFO[vr].kind) {
    case 'sequence':
      return (value as readonly Dataset[]).map((item, i) => datasetJson(item, [...path, i], options) as Record<string, unknown>);
    case 'tag':
      return (value as readonly number[]).map((t) => tagToHex(t));
    case 'number':
      return (value as readonly number[]).map((n) => (Number.isFinite(n) ? n : String(n)));
    case 'bigint':
      return (value as readonly (bigint | number)[]).map((n) => {
        const b = BigInt(n);
        return b >= -MAX_SAFE && b <= MAX_SAFE ? Number(b) : b.toString();
      });
    default:
      return e.strings.map((s) => stringJson(vr, s));
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const PN_JSON_KEYS = ['Alphabetic', 'Ideographic', 'Phonetic'] as const;

/**
 * A PN value as its §F.2.2 object: the non-empty component groups, each as written (like pydicom, and unlike
 * PersonName.toJSON, trailing `^` are kept so that `^^^^` stays a value). Groups after the third are dropped.
 */
function personNameJson(s: string): Record<string, string> {
  const groups = s.split('=', 3);
  const json: Record<string, string> = {};
  groups.forEach((g, i) => {
    if (g !== '') json[PN_JSON_KEYS[i]!] = g;
  });
  return json;
}

/** A fixed or floating point decimal (the DS grammar of PS3.5 Table 6.2-1, without the length limit). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function stringJson(vr: VR, s: string): JsonValue {
  if (s === '') return null;
  if (vr === 'PN') {
    const name = personNameJson(s);
    return Object.keys(name).length > 0 ? name : null;
  }
  if (vr === 'DS' || vr === 'IS') {
    // pydicom's convention: valid numbers as JSON numbers, anything else kept as the string (PS3.18 allows both).
    const text = s.trim();
    if (!DECIMAL.test(text)) return s;
    const n = Number(text);
    if (!Number.isFinite(n)) return s;
    if (vr === 'IS' && !Number.isSafeInteger(n)) return s;
    return n;
  }
  return s;
}

/**
 * A dataset from a DICOM JSON Model object. The shape is checked as it is read; malformed input throws a
 * DicomValueError whose message starts with the JSON path of the offending part (`/00101002/Value/0/00100020`).
 */
export function fromDicomJson(json: unknown, options: FromJsonOptions = {}): Dataset {
  return parseDataset(json, '', [], options);
}

const fail = (where: string, message: string, vr = ''): never => {
  throw new DicomValueError(vr, `DICOM JSON ${where === '' ? '/' : where}: ${message}`);
};

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

const TAG_KEY = /^[0-9A-Fa-f]{8}$/;
const VALUE_KEYS = ['Value', 'InlineBinary', 'BulkDataURI'] as const;

function parseDataset(json: unknown, where: string, path: ElementPath, options: FromJsonOptions): Dataset {
  if (!isObject(json)) fail(where, `expected a DICOM JSON object, got ${describe(json)}`);
  // The path holds a tag and an item index per level: bound the recursion as the binary reader does.
  if (path.length / 2 > DEFAULT_MAX_DEPTH) fail(where, `sequences nested deeper than ${DEFAULT_MAX_DEPTH} levels`);
  const dataset = new Dataset();
  for (const [key, attr] of Object.entries(json as Record<string, unknown>)) {
    const at = `${where}/${key}`;
    if (!TAG_KEY.test(key)) fail(at, `"${key}" is not a tag (8 hexadecimal digits)`);
    const tag = Number.parseInt(key, 16) >>> 0;
    if (tagGroup(tag) === 0xfffe) fail(at, `${formatTag(tag)} is an item delimiter, not an attribute`);
    // Group lengths shall not be present (§F.2.2); they are recalculated when the dataset is written.
    if (isGroupLength(tag)) continue;
    dataset.add(parseAttribute(tag, attr, at, [...path, tag], options));
  }
  return dataset;
}

function parseAttribute(tag: Tag, attr: unknown, at: string, path: ElementPath, options: FromJsonOptions): Element {
  if (!isObject(attr)) fail(at, `expected an attribute object, got ${describe(attr)}`);
  const a = attr as Record<string, unknown>;
  const vr = a.vr;
  if (typeof vr !== 'string') fail(at, `"vr" is missing or not a string`);
  if (!isVR(vr as string)) fail(`${at}/vr`, `unknown VR ${JSON.stringify(vr)}`);
  const theVr = vr as VR;
  const present = VALUE_KEYS.filter((k) => a[k] !== undefined);
  if (present.length > 1) fail(at, `has ${present.join(' and ')}; at most one is allowed`, theVr);
  const kind = VR_INFO[theVr].kind;
  switch (present[0]) {
    case undefined:
      return new Element(tag, theVr, []);
    case 'Value': {
      if (kind === 'binary') fail(`${at}/Value`, `${theVr} values are given as InlineBinary or BulkDataURI, not Value`, theVr);
      if (!Array.isArray(a.Value)) fail(`${at}/Value`, `expected an array, got ${describe(a.Value)}`, theVr);
      return new Element(tag, theVr, parseValues(theVr, a.Value as unknown[], `${at}/Value`, path, options));
    }
    case 'InlineBinary': {
      if (kind !== 'binary') fail(`${at}/InlineBinary`, `InlineBinary is only for OB OD OF OL OV OW UN, not ${theVr}`, theVr);
      const text = single(a.InlineBinary, `${at}/InlineBinary`, theVr);
      const bytes = fromBase64(text);
      if (bytes === undefined) fail(`${at}/InlineBinary`, 'not valid base64', theVr);
      return elementFromBytes(tag, theVr, bytes!);
    }
    case 'BulkDataURI': {
      if (kind === 'sequence') fail(`${at}/BulkDataURI`, 'a sequence cannot be bulk data', theVr);
      const uri = single(a.BulkDataURI, `${at}/BulkDataURI`, theVr);
      return elementFromBulkData(tag, theVr, uri, at, path, options);
    }
  }
}

/** InlineBinary and BulkDataURI are strings; the PS3.18 §F.4 example wraps them in a one-element array. */
function single(value: unknown, at: string, vr: VR): string {
  const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof v !== 'string') fail(at, `expected a string, got ${describe(value)}`, vr);
  return v as string;
}

let utf8Context: DecodeContext | undefined;

/** An element from its value field's bytes (little endian; text in UTF-8, PS3.18 §F.2.2 note 4). */
function elementFromBytes(tag: Tag, vr: VR, bytes: Uint8Array): Element {
  if (VR_INFO[vr].kind !== 'binary') {
    utf8Context ??= withCharset(LITTLE_ENDIAN_DEFAULT, SpecificCharacterSet.fromLenient(['ISO_IR 192']));
    return Element.fromRaw(tag, vr, bytes, 0, bytes.length, utf8Context);
  }
  if (tag === PIXEL_DATA && (vr === 'OB' || vr === 'OW')) {
    // Encapsulated Pixel Data comes as its item stream (toDicomJson, pydicom): rebuild the fragments so that
    // the dataset can be written in a compressed transfer syntax.
    const pixels = bytes.length >= 8 && bytes[0] === 0xfe && bytes[1] === 0xff && bytes[2] === 0x00 && bytes[3] === 0xe0
      ? parseEncapsulatedStream(bytes)
      : undefined;
    if (pixels !== undefined) return encapsulatedElement(tag, vr, pixels);
  }
  return new Element(tag, vr, bytes);
}

function encapsulatedElement(tag: Tag, vr: VR, pixels: EncapsulatedPixelData): Element {
  const element = new Element(tag, vr, pixels);
  element.undefinedLength = true;
  return element;
}

function elementFromBulkData(tag: Tag, vr: VR, uri: string, at: string, path: ElementPath, options: FromJsonOptions): Element {
  let value = options.resolveBulkData?.(uri, vr, path);
  if (value === undefined && options.fileBulkData === true) value = parseFileUri(uri);
  if (value === undefined) fail(`${at}/BulkDataURI`, `cannot resolve ${JSON.stringify(uri)} (give resolveBulkData)`, vr);
  if (value instanceof Uint8Array) return elementFromBytes(tag, vr, value);
  if (!(value instanceof BulkDataRef)) fail(`${at}/BulkDataURI`, 'resolveBulkData returned neither bytes nor a BulkDataRef', vr);
  const ref = value as BulkDataRef;
  if (tag === PIXEL_DATA && (vr === 'OB' || vr === 'OW') && ref.length >= 8) {
    const pixels = readEncapsulatedRange(ref);
    if (pixels !== undefined) return encapsulatedElement(tag, vr, pixels);
  }
  return new Element(tag, vr, ref);
}

function parseValues(vr: VR, values: unknown[], at: string, path: ElementPath, options: FromJsonOptions): ElementValue {
  const info = VR_INFO[vr];
  switch (info.kind) {
    case 'sequence':
      return values.map((item, i) => (item === null ? new Dataset() : parseDataset(item, `${at}/${i}`, [...path, i], options)));
    case 'number':
      return numbers(values, (v, where) => parseNumber(vr, v, where), at);
    case 'bigint':
      return numbers(values, (v, where) => parseBigInt(vr, v, where), at);
    case 'tag':
      return numbers(values, (v, where) => {
        if (typeof v !== 'string' || !TAG_KEY.test(v)) fail(where, `expected a tag as 8 hexadecimal digits, got ${describe(v)}`, vr);
        return Number.parseInt(v as string, 16) >>> 0;
      }, at);
    default: {
      if (!info.multiValued && values.length > 1) fail(at, `${vr} has a single value, got ${values.length}`, vr);
      const strings = values.map((v, i) => parseString(vr, v, `${at}/${i}`));
      // One empty value is no value: `"Value": [""]` and `[null]` read as an empty element.
      return strings.length === 1 && strings[0] === '' ? [] : strings;
    }
  }
}

/**
 * Binary numbers: an empty value cannot be encoded, so `null` entries (which some writers put there) are
 * dropped rather than refused.
 */
function numbers<T>(values: unknown[], parse: (v: unknown, where: string) => T, at: string): T[] {
  const out: T[] = [];
  values.forEach((v, i) => {
    if (v !== null) out.push(parse(v, `${at}/${i}`));
  });
  return out;
}

const INT_RANGES: Partial<Record<VR, readonly [number, number]>> = {
  US: [0, 0xffff],
  SS: [-0x8000, 0x7fff],
  UL: [0, 0xffffffff],
  SL: [-0x80000000, 0x7fffffff],
};

function parseNumber(vr: VR, v: unknown, where: string): number {
  if (typeof v === 'string' && (vr === 'FL' || vr === 'FD') && (v === 'NaN' || v === 'Infinity' || v === '-Infinity')) return Number(v);
  if (typeof v !== 'number') fail(where, `expected a number, got ${describe(v)}`, vr);
  const n = v as number;
  const range = INT_RANGES[vr];
  if (range && (!Number.isInteger(n) || n < range[0] || n > range[1])) fail(where, `${n} is not a valid ${vr} (integer in ${range[0]}…${range[1]})`, vr);
  return n;
}

const BIGINT_RANGES: Partial<Record<VR, readonly [bigint, bigint]>> = {
  SV: [-(2n ** 63n), 2n ** 63n - 1n],
  UV: [0n, 2n ** 64n - 1n],
};

function parseBigInt(vr: VR, v: unknown, where: string): bigint {
  let b: bigint | undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && /^[+-]?\d{1,20}$/.test(v.trim())) b = BigInt(v.trim());
  if (b === undefined) fail(where, `expected an integer (number or decimal string), got ${describe(v)}`, vr);
  const [min, max] = BIGINT_RANGES[vr]!;
  if (b! < min || b! > max) fail(where, `${b} is out of range for ${vr}`, vr);
  return b!;
}

function parseString(vr: VR, v: unknown, where: string): string {
  if (v === null) return '';
  if (vr === 'PN') return parsePersonName(v, where);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && (vr === 'IS' || vr === 'DS')) {
    if (vr === 'IS') {
      if (!Number.isSafeInteger(v)) fail(where, `${v} is not an integer`, vr);
      return String(v);
    }
    if (!Number.isFinite(v)) fail(where, `${v} is not a finite number`, vr);
    return formatDS(v);
  }
  return fail(where, `expected a string${vr === 'IS' || vr === 'DS' ? ' or a number' : ''}, got ${describe(v)}`, vr);
}

const PN_KEYS: ReadonlySet<string> = new Set(['Alphabetic', 'Ideographic', 'Phonetic']);

function parsePersonName(v: unknown, where: string): string {
  // A plain string is not what §F.2.2 says, but some DICOMweb servers send it (pydicom accepts it too).
  if (typeof v === 'string') return v;
  if (!isObject(v)) fail(where, `expected a person name object, got ${describe(v)}`, 'PN');
  const o = v as Record<string, unknown>;
  for (const [k, x] of Object.entries(o)) {
    if (!PN_KEYS.has(k)) fail(`${where}/${k}`, 'a person name has only Alphabetic, Ideographic and Phonetic', 'PN');
    if (typeof x !== 'string') fail(`${where}/${k}`, `expected a string, got ${describe(x)}`, 'PN');
  }
  const json = o as PersonNameJson;
  try {
    // Checks that no group holds a `=` or `\\`; the text itself is kept as given (PersonName would drop trailing `^`).
    PersonName.fromJSON(json);
  } catch (error) {
    return fail(where, (error as Error).message, 'PN');
  }
  return [json.Alphabetic ?? '', json.Ideographic ?? '', json.Phonetic ?? ''].join('=').replace(/=+$/, '');
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
  if (typeof x === 'object') return 'an object';
  return `${typeof x} ${String(x)}`;
}

/**
 * DICOM JSON as text with the attributes of every object in ascending tag order. `JSON.stringify` cannot
 * promise that: JavaScript puts keys that look like integers (`30060020`, `20500020`) before all others.
 */
export function stringifyDicomJson(json: DicomJson | readonly DicomJson[], indent = 0): string {
  return write(json, indent, 0, true);
}

function write(x: unknown, indent: number, depth: number, isDataset: boolean): string {
  if (Array.isArray(x)) {
    if (x.length === 0) return '[]';
    const parts = x.map((v) => write(v, indent, depth + 1, isDataset));
    return wrap('[', ']', parts, indent, depth);
  }
  if (!isObject(x)) return JSON.stringify(x) ?? 'null';
  const keys = Object.keys(x).filter((k) => x[k] !== undefined);
  if (isDataset) keys.sort();
  if (keys.length === 0) return '{}';
  const sep = indent > 0 ? ': ' : ':';
  const parts = keys.map((k) => {
    // A dataset's children are attribute objects; of those, only a sequence's Value holds datasets again.
    const childIsDataset = !isDataset && k === 'Value' && x.vr === 'SQ';
    return `${JSON.stringify(k)}${sep}${write(x[k], indent, depth + 1, childIsDataset)}`;
  });
  return wrap('{', '}', parts, indent, depth);
}

function wrap(open: string, close: string, parts: string[], indent: number, depth: number): string {
  if (indent <= 0) return `${open}${parts.join(',')}${close}`;
  const inner = ' '.repeat(indent * (depth + 1));
  return `${open}\n${inner}${parts.join(`,\n${inner}`)}\n${' '.repeat(indent * depth)}${close}`;
}
