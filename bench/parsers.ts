/**
 * The parsers under test, each behind the same shape: parse one in-memory file and return a count (elements, plus
 * values where the parser hands them out one by one), so that the work cannot be optimized away. Counts are each
 * parser's own and only a sanity check: they differ by design.
 */
import { createRequire } from 'node:module';
import type { DataSet as DpDataSet, Element as DpElement } from 'dicom-parser';
import { defaultVr } from '../src/dictionary/attributes.js';
import { readDicom } from '../src/encoding/read.js';
import { decodeAll } from './decode-all.js';

/**
 * One input file, loaded once: `bytes` is a standalone copy holding exactly the file; `arrayBuffer` is its buffer
 * (what dcmjs takes) and `buffer` a Node Buffer view of the same memory (what dicom-parser needs for deflated files).
 */
export interface LoadedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly arrayBuffer: ArrayBuffer;
  readonly buffer: Buffer;
}

export interface Parser {
  /** Short id used in tables and JSON. */
  readonly id: string;
  readonly label: string;
  /** Parses the file and touches what the parser offers; returns a value count. */
  parse(file: LoadedFile): number;
}

// -- Portico -----------------------------------------------------------------------------------------------------

export const portico: Parser = {
  id: 'portico',
  label: 'Portico (readDicom + every value)',
  parse(file) {
    const f = readDicom(file.bytes);
    return decodeAll(f.meta) + decodeAll(f.dataset);
  },
};

/** Also turns DS/IS strings into numbers, the way dcmjs always does; an apples-to-apples row for DS-heavy files. */
export const porticoNumbers: Parser = {
  id: 'portico+num',
  label: 'Portico, DS/IS also parsed to numbers',
  parse(file) {
    const f = readDicom(file.bytes);
    return decodeAll(f.meta, true) + decodeAll(f.dataset, true);
  },
};

// -- dcmjs -------------------------------------------------------------------------------------------------------

interface DcmjsReadOptions {
  ignoreErrors?: boolean;
  untilTag?: string | null;
  includeUntilTagValue?: boolean;
  noCopy?: boolean;
  forceStoreRaw?: boolean;
}
interface DcmjsElement {
  readonly vr: string;
  readonly Value?: readonly unknown[];
}
type DcmjsNaturalDict = Record<string, DcmjsElement>;
interface DcmjsDict {
  readonly meta: DcmjsNaturalDict;
  readonly dict: DcmjsNaturalDict;
}

/** Elements in a dcmjs dict, items included (dcmjs has decoded them all already; this only counts). */
function countDcmjs(dict: DcmjsNaturalDict): number {
  let n = 0;
  for (const key in dict) {
    n++;
    const e = dict[key]!;
    if (e.vr === 'SQ' && e.Value) for (const item of e.Value) n += countDcmjs(item as DcmjsNaturalDict);
  }
  return n;
}
interface Logger {
  setLevel(level: string): void;
}
interface DcmjsModule {
  readonly data: { readonly DicomMessage: { readFile(buffer: ArrayBuffer, options?: DcmjsReadOptions): DcmjsDict } };
  readonly log: Logger & { getLogger(name: string): Logger };
}

const require = createRequire(import.meta.url);
const dcmjs = require('dcmjs') as DcmjsModule;
// dcmjs logs a line per odd element (e.g. 'Invalid vr type'); the console would dominate the timing. Failures
// still throw, which is what the corpus filter looks at.
dcmjs.log.setLevel('silent');
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

/** dcmjs options as its own readFile defaults them (it decodes every value and copies binary values). */
const DCMJS_DEFAULTS: DcmjsReadOptions = { ignoreErrors: false, untilTag: null, includeUntilTagValue: false, noCopy: false, forceStoreRaw: false };

export const dcmjsDefault: Parser = {
  id: 'dcmjs',
  label: 'dcmjs DicomMessage.readFile (defaults: decodes all, copies binary)',
  parse(file) {
    const d = dcmjs.data.DicomMessage.readFile(file.arrayBuffer, DCMJS_DEFAULTS);
    return countDcmjs(d.meta) + countDcmjs(d.dict);
  },
};

export const dcmjsNoCopy: Parser = {
  id: 'dcmjs-nocopy',
  label: 'dcmjs readFile { noCopy: true } (binary values as views)',
  parse(file) {
    const d = dcmjs.data.DicomMessage.readFile(file.arrayBuffer, { ...DCMJS_DEFAULTS, noCopy: true });
    return countDcmjs(d.meta) + countDcmjs(d.dict);
  },
};

/** dcmjs reading a whole file, for the child process of the header test. */
export function dcmjsRead(arrayBuffer: ArrayBuffer): number {
  const d = dcmjs.data.DicomMessage.readFile(arrayBuffer, DCMJS_DEFAULTS);
  return countDcmjs(d.dict);
}

// -- dicom-parser ------------------------------------------------------------------------------------------------

// eslint-disable-next-line @typescript-eslint/consistent-type-imports -- the CommonJS module is loaded with require below
type DicomParserModule = typeof import('dicom-parser');
const dicomParser = require('dicom-parser') as DicomParserModule;

function countIndex(ds: DpDataSet): number {
  let n = 0;
  for (const key in ds.elements) {
    n++;
    const items = ds.elements[key]!.items;
    if (items) for (const item of items) if (item.dataSet) n += countIndex(item.dataSet);
  }
  return n;
}

export const dicomParserIndex: Parser = {
  id: 'dp-index',
  label: 'dicom-parser parseDicom (index only: offsets and lengths)',
  parse(file) {
    return countIndex(dicomParser.parseDicom(file.buffer));
  },
};

/** dicom-parser has no dictionary: in Implicit VR files elements carry no VR, so we look it up (memoized). */
const vrCache = new Map<string, string>();
function vrOf(e: DpElement): string {
  if (e.vr !== undefined) return e.vr;
  let vr = vrCache.get(e.tag);
  if (vr === undefined) {
    vr = e.items ? 'SQ' : defaultVr(Number.parseInt(e.tag.slice(1), 16));
    vrCache.set(e.tag, vr);
  }
  return vr;
}

const NUMBER_SIZE: Readonly<Record<string, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4 };

/**
 * Touches every value the way dicom-parser's API allows: the string accessors for string VRs (split on `\` like the
 * other parsers do), the typed accessors for each binary number, items recursively. OB/OW/UN stay views, as in Portico.
 */
function touchValues(ds: DpDataSet): number {
  let n = 0;
  for (const key in ds.elements) {
    const e = ds.elements[key]!;
    n++;
    if (e.items) {
      for (const item of e.items) if (item.dataSet) n += touchValues(item.dataSet);
      continue;
    }
    if (e.length === 0 || e.fragments || e.hadUndefinedLength) continue;
    const vr = vrOf(e);
    switch (vr) {
      case 'OB': case 'OW': case 'OD': case 'OF': case 'OL': case 'OV': case 'UN': case 'SQ':
        break;
      case 'LT': case 'ST': case 'UT': case 'UR':
        if (ds.text(key) !== undefined) n++;
        break;
      case 'AT':
        if (ds.attributeTag(key) !== undefined) n++;
        break;
      case 'US': case 'SS': case 'UL': case 'SL': case 'FL': case 'FD': {
        const count = Math.floor(e.length / NUMBER_SIZE[vr]!);
        const get = vr === 'US' ? ds.uint16 : vr === 'SS' ? ds.int16 : vr === 'UL' ? ds.uint32 : vr === 'SL' ? ds.int32 : vr === 'FL' ? ds.float : ds.double;
        for (let i = 0; i < count; i++) if (get.call(ds, key, i) !== undefined) n++;
        break;
      }
      default: {
        const s = ds.string(key);
        if (s !== undefined) n += s.includes('\\') ? s.split('\\').length : 1;
      }
    }
  }
  return n;
}

export const dicomParserValues: Parser = {
  id: 'dp-values',
  label: 'dicom-parser parseDicom + every value through its accessors',
  parse(file) {
    return touchValues(dicomParser.parseDicom(file.buffer));
  },
};

/** dicom-parser on a whole file, for the child process of the header test. */
export function dicomParserRead(bytes: Uint8Array): number {
  return touchValues(dicomParser.parseDicom(bytes));
}

export const PARSERS: readonly Parser[] = [portico, porticoNumbers, dcmjsDefault, dcmjsNoCopy, dicomParserIndex, dicomParserValues];
