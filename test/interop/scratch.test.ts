import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { Dataset } from '../../src/data/dataset.js';
import { toDicomJson } from '../../src/encoding/dicom-json.js';
import { readFile } from '../../src/encoding/read.js';
import { compareDicomJson, formatDifferences } from './json-compare.js';
import { PYDICOM_DATA } from './peers.js';
import { isFailure, pydicomRead } from './pydicom.js';

it('x', async () => {
  const files = ['test_files', 'charset_files'].flatMap((d) => readdirSync(join(PYDICOM_DATA, d)).filter((f) => f.endsWith('.dcm')).map((f) => join(PYDICOM_DATA, d, f)));
  const py = await pydicomRead(files);
  for (const f of files) {
    const p = py.get(f)!;
    let out = '';
    try {
      const file = await readFile(f);
      const meta = toDicomJson(new Dataset(), { fileMeta: file.meta });
      const ds = toDicomJson(file.dataset);
      if (isFailure(p)) out = `pydicom failed: ${p.error}`;
      else {
        const d = [...compareDicomJson(meta, p.meta).map((x) => ({ ...x, path: `meta:${x.path}` })), ...compareDicomJson(ds, p.dataset, { peerBigEndian: !p.isLittleEndian })];
        out = d.length ? `\n${formatDifferences(d.slice(0, 15))}${d.length > 15 ? `\n  … ${d.length}` : ''}` : 'OK';
      }
    } catch (e) {
      out = `THROWS ${(e as Error).name} ${(e as { reason?: string }).reason} ${(e as Error).message}${isFailure(p) ? ' / pydicom: ' + p.error : ''}`;
    }
    console.log(`${f.slice(PYDICOM_DATA.length)}: ${out}`);
  }
});
