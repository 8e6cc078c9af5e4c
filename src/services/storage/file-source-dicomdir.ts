/**
 * The files a DICOMDIR references (PS3.3 F.3, PS3.10 §8.5): every directory record with a Referenced File ID
 * (0004,1500), resolved against the DICOMDIR's folder. A File ID is a list of path components; one that could
 * leave the folder (`..`, an absolute path, a separator or drive letter inside a component) is refused.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Dataset } from '../../data/dataset.js';

/** Media Storage Directory Storage: the SOP class of a DICOMDIR. */
export const MEDIA_STORAGE_DIRECTORY_SOP_CLASS = '1.2.840.10008.1.3.10';

const DIRECTORY_RECORD_SEQUENCE = 0x00041220;
const RECORD_IN_USE_FLAG = 0x00041410;
const DIRECTORY_RECORD_TYPE = 0x00041430;
const REFERENCED_FILE_ID = 0x00041500;

/** One record's file: where it is, or why it cannot be used. */
export type DicomdirReference =
  | { readonly ok: true; readonly path: string; readonly fileId: string; readonly recordType: string }
  | { readonly ok: false; readonly fileId: string; readonly recordType: string; readonly reason: string };

/**
 * The files referenced by a DICOMDIR's records, in record order, each once. `folder` is the folder the DICOMDIR
 * is in. Records marked inactive (Record In-use Flag 0000H, PS3.10 §8.5 in earlier editions) are left out.
 */
export function dicomdirReferences(dicomdir: Dataset, folder: string): DicomdirReference[] {
  const out: DicomdirReference[] = [];
  const seen = new Set<string>();
  for (const record of dicomdir.items(DIRECTORY_RECORD_SEQUENCE)) {
    if (!record.has(REFERENCED_FILE_ID)) continue;
    if (record.number(RECORD_IN_USE_FLAG) === 0) continue;
    const recordType = record.string(DIRECTORY_RECORD_TYPE) ?? '?';
    const components = record.strings(REFERENCED_FILE_ID).map((c) => c.trim());
    const fileId = components.join('\\');
    const problem = fileIdProblem(components);
    if (problem !== undefined) {
      out.push({ ok: false, fileId, recordType, reason: problem });
      continue;
    }
    const path = join(folder, ...components);
    const inside = relative(resolve(folder), resolve(path));
    if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
      out.push({ ok: false, fileId, recordType, reason: 'it points outside the DICOMDIR\'s folder' });
      continue;
    }
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ ok: true, path, fileId, recordType });
  }
  return out;
}

/** Why a Referenced File ID cannot name a file below the DICOMDIR, or undefined when it can. */
export function fileIdProblem(components: readonly string[]): string | undefined {
  if (components.length === 0) return 'it is empty';
  for (const c of components) {
    if (c === '') return 'it has an empty component';
    if (c === '.' || c === '..') return `it has a '${c}' component`;
    if (/[/\\:\x00-\x1f\x7f]/.test(c)) return `its component '${printable(c)}' holds a path separator, drive letter or control character`;
  }
  return undefined;
}

const printable = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
