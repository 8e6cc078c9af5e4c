import { DicomError } from '../core/errors.js';

/** One clear line for an error; the stack only with --verbose. */
export function describeError(error: unknown, verbose: boolean): string {
  if (verbose && error instanceof Error && error.stack) return error.stack;
  if (error instanceof DicomError) return error.message;
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return `${e.path ?? 'file'}: no such file`;
  if (e?.code === 'EISDIR') return `${e.path ?? 'path'}: is a directory`;
  if (e?.code === 'EACCES') return `${e.path ?? 'file'}: permission denied`;
  return error instanceof Error ? error.message : String(error);
}
