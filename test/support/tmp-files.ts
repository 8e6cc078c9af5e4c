import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files in an archive's `tmp/` that hold (part of) a received instance, by name: every file there but the one
 * empty file the server opens ahead of time for the next instance (`FileStore.prepareTemp`). Only one is ever opened
 * ahead, so a second empty file is listed. No folder (or not a folder) → [].
 */
export async function instanceFilesIn(tmpDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(tmpDir)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
  // A file removed meanwhile (an instance filed or discarded) is not left behind: undefined.
  const sizes = await Promise.all(names.map((name) => stat(join(tmpDir, name)).then((s) => s.size, () => undefined)));
  const spare = names.find((_, i) => sizes[i] === 0);
  return names.filter((name, i) => sizes[i] !== undefined && name !== spare);
}
