import { writeFile as fsWriteFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../data/dataset.js';
import { writeDicom } from '../encoding/write.js';
import { runPortico } from '../../test/support/cli.js';

const run = runPortico;

describe('portico dump', () => {
  let dir: string;
  let good: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-dump-'));
    const ds = new Dataset();
    ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7');
    ds.set('SOPInstanceUID', '1.2.3.4');
    ds.set('PatientName', 'DOE^JANE');
    const item = new Dataset();
    item.set('CodeValue', 'T-A0100');
    ds.set('AnatomicRegionSequence', [item]);
    ds.set(0x30060020, [], 'SQ'); // StructureSetROISequence: an all-digit JSON key
    ds.set('PixelData', new Uint8Array(64), 'OW');
    good = join(dir, 'good.dcm');
    await fsWriteFile(good, writeDicom(ds));
    await fsWriteFile(join(dir, 'text.txt'), 'just some text, not DICOM at all\n');
    const truncated = writeDicom(ds);
    await fsWriteFile(join(dir, 'truncated.dcm'), truncated.subarray(0, truncated.length - 10));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one line per element with tag, VR, value, length, VM and keyword; sequences indented', async () => {
    const { code, out } = await run('dump', good);
    expect(code).toBe(0);
    expect(out).toMatch(/^\(0010,0010\) PN \[DOE\^JANE\] +# +8, 1 PatientName$/m);
    expect(out).toMatch(/^\(0008,0016\) UI \[=SecondaryCaptureImageStorage\]/m);
    expect(out).toMatch(/^ {4}\(0008,0100\) SH \[T-A0100\] +# +8, 1 CodeValue$/m);
    expect(out).toMatch(/^\(7fe0,0010\) OW 0000\\0000\\0000.*\.\.\. +# +64, 1 PixelData$/m);
  });

  it('prints DICOM JSON with --json', async () => {
    const { code, out } = await run('dump', '--json', good);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE' }] });
    expect(json['00082218'].Value[0]['00080100'].Value).toEqual(['T-A0100']);
    // Keys in ascending tag order in the text, although JS objects list all-digit keys like 30060020 first.
    const keys = [...out.matchAll(/^ {2}"([0-9A-F]{8})"/gm)].map((m) => m[1]);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toContain('30060020');
  });

  it('leaves out Pixel Data with --stop-before-pixels', async () => {
    const { out } = await run('dump', '--stop-before-pixels', good);
    expect(out).not.toContain('PixelData');
    expect(out).toContain('# stopped before (7FE0,0010)');
  });

  it('gives one clear line per bad file, naming it, what is wrong and the offset, and exit 1', async () => {
    const { code, out, err } = await run('dump', join(dir, 'text.txt'), good, join(dir, 'truncated.dcm'), join(dir, 'missing.dcm'));
    expect(code).toBe(1);
    expect(out).toContain('PatientName');
    expect(err).toHaveLength(3);
    expect(err[0]).toMatch(/text\.txt: not DICOM: .*\(at byte 0\)$/);
    expect(err[1]).toMatch(/truncated\.dcm: .*\(at byte \d+\)$/);
    expect(err[2]).toMatch(/missing\.dcm: no such file$/);
    expect(err.join('\n')).not.toContain('    at ');
  });

  it('shows the stack trace only with --verbose', async () => {
    const { err } = await run('dump', '--verbose', join(dir, 'text.txt'));
    expect(err[0]).toContain('DicomParseError');
    expect(err[0]).toContain('    at ');
  });

  it('exits 2 on a usage error', async () => {
    expect((await run('dump')).code).toBe(2);
    expect((await run('no-such-command')).code).toBe(2);
  });
});
