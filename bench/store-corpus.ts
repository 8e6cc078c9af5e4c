/**
 * One fix-up of the peer corpus for the storage benchmark. make-corpus.sh gives all 20 `large` instances the same
 * Series Instance UID although they belong to two studies (MF01–10 to one, MF11–20 to another). A series belongs to
 * exactly one study; an archive may refuse the second study's instances (Portico answers A700 to them), and then the
 * set measures a refusal, not a transfer. So the bench sends, to EVERY SCP alike, copies of the second study's files
 * whose Series Instance UID differs in its last digit (same length, so only those bytes change).
 */
import { copyFile, open, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

interface UidAt {
  readonly offset: number;
  readonly length: number;
  readonly value: string;
}

const HEAD = 64 << 10;

/** (gggg,eeee) UI in Explicit VR Little Endian within the first 64 KiB of a Part 10 file. */
function findUid(buf: Buffer, group: number, element: number): UidAt | undefined {
  const tag = Buffer.from([group & 0xff, group >> 8, element & 0xff, element >> 8, 0x55, 0x49]); // ... 'U' 'I'
  const at = buf.indexOf(tag, 132);
  if (at < 0 || at + 8 > buf.length) return undefined;
  const length = buf.readUInt16LE(at + 6);
  if (at + 8 + length > buf.length) return undefined;
  const value = buf.toString('latin1', at + 8, at + 8 + length).replace(/\0+$/, '');
  return /^[0-9.]+$/.test(value) ? { offset: at + 8, length, value } : undefined;
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD);
    const { bytesRead } = await handle.read(buf, 0, HEAD, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export interface FixedSet {
  readonly files: readonly string[];
  /** What was changed, for the log and the report (empty when nothing had to be). */
  readonly note: string;
}

/**
 * The files of a set, with copies (in `outDir`) of those whose Series Instance UID is already used by another study.
 * Copies made earlier are reused when their size and time say they are current.
 */
export async function withDistinctSeries(files: readonly string[], outDir: string): Promise<FixedSet> {
  const studyOfSeries = new Map<string, string>();
  const out: string[] = [];
  let patched = 0;
  for (const file of files) {
    const head = await readHead(file);
    const study = findUid(head, 0x0020, 0x000d);
    const series = findUid(head, 0x0020, 0x000e);
    if (!study || !series) {
      out.push(file);
      continue;
    }
    const owner = studyOfSeries.get(series.value);
    if (owner === undefined || owner === study.value) {
      studyOfSeries.set(series.value, study.value);
      out.push(file);
      continue;
    }
    const last = series.value.charCodeAt(series.value.length - 1) - 0x30;
    const uid = `${series.value.slice(0, -1)}${(last + 1) % 10}`;
    studyOfSeries.set(uid, study.value);
    const copy = join(outDir, basename(file));
    const [src, dst] = await Promise.all([stat(file), stat(copy).catch(() => undefined)]);
    if (!dst || dst.size !== src.size || dst.mtimeMs < src.mtimeMs || (findUid(await readHead(copy), 0x0020, 0x000e)?.value ?? '') !== uid) {
      await copyFile(file, copy);
      const handle = await open(copy, 'r+');
      try {
        await handle.write(Buffer.from(uid, 'latin1'), 0, uid.length, series.offset);
      } finally {
        await handle.close();
      }
    }
    out.push(copy);
    patched++;
  }
  const note = patched
    ? `${patched} of ${files.length} files share a Series Instance UID with another study's; sent as copies in ${outDir} with the last digit of the Series Instance UID changed`
    : '';
  return { files: out, note };
}
