import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { DicomValueError } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import { fromDicomJson } from '../../encoding/dicom-json.js';
import { parseCsv } from './csv.js';
import { WorklistError } from './errors.js';
import { datasetFromKeywords } from './keywords.js';

/** One entry read from a file, and where it is in the file (`entry 2`, `line 5`) for error messages. */
export interface WorklistInput {
  readonly where: string;
  readonly dataset: Dataset;
}

export type WorklistFileFormat = 'json' | 'csv';

/** Larger import files are refused (a worklist is days of procedures, not gigabytes). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

/**
 * Reads the entries of a worklist file: JSON (an array of objects keyed by DICOM keywords, or of DICOM JSON objects
 * as PS3.18 Annex F writes them, or one such object) or CSV (a header row of keywords). The format comes from the
 * extension (`.json`, `.csv`), else from the first character. Throws WorklistError (INPUT) naming the entry and field.
 */
export async function readWorklistFile(path: string, format?: WorklistFileFormat): Promise<WorklistInput[]> {
  const { size } = await stat(path);
  if (size > MAX_IMPORT_BYTES) throw new WorklistError('INPUT', `${size} bytes: larger than the ${MAX_IMPORT_BYTES / 1024 / 1024} MiB an import file may be`);
  const ext = extname(path).toLowerCase();
  const byName = ext === '.json' ? 'json' : ext === '.csv' ? 'csv' : undefined;
  return parseWorklistText(await readFile(path, 'utf8'), format ?? byName);
}

/** The entries of worklist text (see readWorklistFile); without `format`, text starting with `[` or `{` is JSON. */
export function parseWorklistText(text: string, format?: WorklistFileFormat): WorklistInput[] {
  const kind = format ?? (/^\uFEFF?\s*[[{]/.test(text) ? 'json' : 'csv');
  return kind === 'json' ? parseJson(text) : parseCsvEntries(text);
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const TAG_KEY = /^[0-9A-Fa-f]{8}$/;

/** A DICOM JSON object: every key is 8 hex digits (a keyword object never has such a key). */
const isDicomJson = (o: Record<string, unknown>): boolean => {
  const keys = Object.keys(o);
  return keys.length > 0 && keys.every((k) => TAG_KEY.test(k));
};

function parseJson(text: string): WorklistInput[] {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new WorklistError('INPUT', `not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(json) ? json : [json];
  return list.map((entry, i) => {
    const where = `entry ${i + 1}`;
    try {
      if (!isObject(entry)) throw new WorklistError('INPUT', `expected an object, got ${entry === null ? 'null' : Array.isArray(entry) ? 'an array' : typeof entry}`);
      return { where, dataset: isDicomJson(entry) ? fromDicomJsonEntry(entry) : datasetFromKeywords(entry) };
    } catch (error) {
      throw error instanceof WorklistError ? error.at(where) : error;
    }
  });
}

function fromDicomJsonEntry(entry: Record<string, unknown>): Dataset {
  try {
    return fromDicomJson(entry);
  } catch (error) {
    // Never from a BulkDataURI: fileBulkData stays off, so a file cannot name another file on this host.
    if (error instanceof DicomValueError) throw new WorklistError('INPUT', error.message, undefined, undefined, { cause: error });
    throw error;
  }
}

function parseCsvEntries(text: string): WorklistInput[] {
  const records = parseCsv(text);
  const header = records[0];
  if (header === undefined) return [];
  const keys = header.fields.map((f) => f.trim());
  const seen = new Set<string>();
  for (const [i, key] of keys.entries()) {
    if (key === '') throw new WorklistError('INPUT', `line ${header.line}: column ${i + 1} has no name`, `line ${header.line}`);
    if (seen.has(key)) throw new WorklistError('INPUT', `line ${header.line}: column '${key}' appears twice`, `line ${header.line}`);
    seen.add(key);
    try {
      // Every column must name an attribute, even one whose cells are all empty.
      datasetFromKeywords({ [key]: '' });
    } catch (error) {
      throw error instanceof WorklistError ? error.at(`line ${header.line}`) : error;
    }
  }
  return records.slice(1).map((record) => {
    const where = `line ${record.line}`;
    if (record.fields.length > keys.length) {
      throw new WorklistError('INPUT', `${where}: ${record.fields.length} fields, the header has ${keys.length}`, where);
    }
    const object: Record<string, string> = {};
    record.fields.forEach((value, i) => {
      // An empty cell is an absent attribute, not an empty value.
      if (value.trim() !== '') object[keys[i]!] = value.trim();
    });
    try {
      return { where, dataset: datasetFromKeywords(object) };
    } catch (error) {
      throw error instanceof WorklistError ? error.at(where) : error;
    }
  });
}
