/** pydicom as a reference reader: runs pydicom-json.py on files and gives its DICOM JSON, warnings and errors. */
import type { DicomJson } from '../../src/encoding/dicom-json.js';
import { PYDICOM_JSON_SCRIPT, PYTHON, run } from './peers.js';

/** How pydicom saw one file (see pydicom-json.py). */
export interface PydicomRead {
  readonly path: string;
  readonly forced: boolean;
  readonly preamble: boolean;
  readonly transferSyntax: string;
  readonly isLittleEndian: boolean;
  readonly isImplicitVR: boolean;
  readonly meta: DicomJson;
  readonly dataset: DicomJson;
  readonly fragments: { readonly basicOffsetTable: string; readonly fragments: readonly string[] } | null;
  readonly warnings: readonly string[];
  /**
   * Set when pydicom could not convert some values (an IS of "1A"): `dataset` then lacks those elements
   * (pydicom's `suppress_invalid_tags`) and `warnings` names them.
   */
  readonly partialError: string | null;
}

export interface PydicomFailure {
  readonly path: string;
  /** `ExceptionType: message` */
  readonly error: string;
}

export type PydicomResult = PydicomRead | PydicomFailure;

export const isFailure = (r: PydicomResult): r is PydicomFailure => 'error' in r;

/** Reads the files with pydicom in one Python process; results in the order of `paths`, keyed by path too. */
export async function pydicomRead(paths: readonly string[]): Promise<Map<string, PydicomResult>> {
  const r = await run(PYTHON, [PYDICOM_JSON_SCRIPT, ...paths], { timeoutMs: 60_000 });
  if (r.status !== 0 && r.status !== 2) {
    throw new Error(`pydicom-json.py exited with ${r.status}: ${r.stderr.slice(0, 4000)}`);
  }
  let parsed: PydicomResult[];
  try {
    parsed = JSON.parse(r.stdout) as PydicomResult[];
  } catch (error) {
    throw new Error(`pydicom-json.py printed no JSON (${(error as Error).message}); stderr: ${r.stderr.slice(0, 4000)}`, { cause: error });
  }
  if (parsed.length !== paths.length) throw new Error(`pydicom-json.py gave ${parsed.length} results for ${paths.length} files`);
  return new Map(parsed.map((p, i) => [paths[i]!, p]));
}

/** Reads one file with pydicom and throws unless pydicom read it. */
export async function pydicomReadOk(path: string): Promise<PydicomRead> {
  const result = (await pydicomRead([path])).get(path)!;
  if (isFailure(result)) throw new Error(`pydicom cannot read ${path}: ${result.error}`);
  if (result.partialError !== null) throw new Error(`pydicom cannot convert every value of ${path}: ${result.partialError}`);
  return result;
}
