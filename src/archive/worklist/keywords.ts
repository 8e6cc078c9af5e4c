import { DictionaryError } from '../../core/errors.js';
import { Dataset } from '../../data/dataset.js';
import { PERSON_NAME_GROUPS } from '../../data/person-name.js';
import { formatTag, type Tag } from '../../data/tag.js';
import { VR_INFO } from '../../data/vr.js';
import { defaultVr, keywordOf, parseTagKey } from '../../dictionary/attributes.js';
import { WorklistError } from './errors.js';

const fail = (field: string, message: string): never => {
  throw new WorklistError('INPUT', `${field}: ${message}`, undefined, field);
};

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Deepest `A/B/C` key path accepted. */
const MAX_PATH = 8;

/**
 * A dataset from an object keyed by DICOM keywords (or `gggg,eeee` tags): `{ "PatientName": "Doe^Jane",
 * "ScheduledProcedureStepSequence": [{ "Modality": "CT" }] }`. A key may be a path into a sequence's single item
 * (`ScheduledProcedureStepSequence/Modality`). Values: a string (`\` separates values), a number, an array of those
 * for several values, null or "" for an empty value; a Person Name may also be `{ "Alphabetic": …, "Ideographic": …,
 * "Phonetic": … }`; a sequence is an array of objects (or one object). Throws WorklistError (INPUT) naming the key.
 */
export function datasetFromKeywords(object: unknown, path = ''): Dataset {
  if (!isObject(object)) return fail(path || '/', `expected an object keyed by DICOM keywords, got ${describe(object)}`);
  const dataset = new Dataset();
  for (const [key, value] of Object.entries(object)) setPath(dataset, key, value, path);
  return dataset;
}

function setPath(dataset: Dataset, key: string, value: unknown, prefix: string): void {
  const parts = key.split('/');
  if (parts.length > MAX_PATH) fail(`${prefix}${key}`, `a key path of more than ${MAX_PATH} levels`);
  let target = dataset;
  let field = prefix;
  for (const [i, part] of parts.entries()) {
    const tag = tagOf(part, `${field}${part}`);
    field += keywordOf(tag) || formatTag(tag);
    if (i === parts.length - 1) {
      setValue(target, tag, value, field);
      return;
    }
    if (defaultVr(tag) !== 'SQ') fail(field, `is not a sequence, so '${key}' cannot name an attribute inside it`);
    const items = target.items(tag);
    if (items.length > 1) fail(field, `has ${items.length} items: '${key}' is ambiguous`);
    let item = items[0];
    if (item === undefined) {
      item = new Dataset();
      target.set(tag, [item], 'SQ');
    }
    target = item;
    field += '/';
  }
}

function tagOf(key: string, field: string): Tag {
  try {
    return parseTagKey(key);
  } catch (error) {
    if (error instanceof DictionaryError) return fail(field, 'is not a DICOM keyword or tag');
    throw error;
  }
}

function setValue(dataset: Dataset, tag: Tag, value: unknown, field: string): void {
  const vr = defaultVr(tag);
  const kind = VR_INFO[vr].kind;
  if (vr === 'UN') fail(field, 'has no VR in the dictionary (private and unknown attributes need DICOM JSON)');
  if (kind === 'sequence') {
    const items = value === null || value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value];
    dataset.set(
      tag,
      items.map((item, i) => datasetFromKeywords(item, `${field}${items.length > 1 ? `[${i + 1}]` : ''}/`)),
      'SQ',
    );
    return;
  }
  if (kind === 'binary' || kind === 'tag') fail(field, `${vr} values are not accepted here`);
  if (value === null || value === undefined || value === '') {
    dataset.set(tag, undefined, vr);
    return;
  }
  const values = Array.isArray(value) ? value : [value];
  if (kind === 'number' || kind === 'bigint') {
    const numbers = values.map((v) => {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) return fail(field, `expected a number, got ${describe(v)}`);
      return n;
    });
    dataset.set(tag, numbers, vr);
    return;
  }
  const strings = values.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (vr === 'PN' && isObject(v)) return personName(v, field);
    return fail(field, `expected a string, got ${describe(v)}`);
  });
  // One string may carry several values separated by `\` (not for the text VRs, whose values are single).
  dataset.set(tag, VR_INFO[vr].multiValued ? strings.flatMap((s) => s.split('\\')) : strings.join('\\'), vr);
}

/** `{ Alphabetic, Ideographic, Phonetic }` → `A=I=P` (trailing empty groups left out). */
function personName(object: Record<string, unknown>, field: string): string {
  const keys = ['Alphabetic', 'Ideographic', 'Phonetic'];
  for (const k of Object.keys(object)) if (!keys.includes(k)) fail(field, `unknown person name group '${k}' (use ${keys.join(', ')})`);
  const groups = PERSON_NAME_GROUPS.map((_, i) => {
    const g = object[keys[i]!];
    if (g === undefined || g === null) return '';
    if (typeof g !== 'string') return fail(field, `expected a string for ${keys[i]}, got ${describe(g)}`);
    return g;
  });
  while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
  return groups.join('=');
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
  return typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`;
}
