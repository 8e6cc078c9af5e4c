import { it } from 'vitest';
import { readFile } from '../../src/encoding/read.js';
import { toDicomJson } from '../../src/encoding/dicom-json.js';
it('x', async () => {
  const f = await readFile('/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm');
  console.log(JSON.stringify(toDicomJson(f.dataset)).slice(0, 2000));
});
