import { describe, expect, it } from 'vitest';
import { DimseDecodeError } from '../../core/errors.js';
import { cEchoRq } from './c-echo.js';
import { cFindRsp } from './c-find.js';
import { encodeCommand } from './command-set.js';
import { collectDataset, DatasetCollector } from './dataset-collector.js';
import { pdvsFor } from './fragmenter.js';
import { MessageCollector, type ReceivedMessage } from './message-collector.js';

const echoRq = cEchoRq({ messageId: 1, affectedSopClassUid: '1.2.840.10008.1.1' });
const pending = cFindRsp({ messageIdBeingRespondedTo: 2, status: 0xff00 });

describe('MessageCollector', () => {
  it('returns whole messages, joining each data set', () => {
    const c = new MessageCollector();
    const dataset = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    const out: ReceivedMessage[] = [];
    for (const p of [...pdvsFor(1, true, encodeCommand(echoRq), 100), ...pdvsFor(3, true, encodeCommand(pending), 100), ...pdvsFor(3, false, dataset, 1000)]) {
      out.push(...c.push(p));
    }
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({ contextId: 1, command: echoRq });
    expect(out[1]!.contextId).toBe(3);
    expect(out[1]!.command).toEqual(pending);
    expect(Buffer.from(out[1]!.dataset!).equals(dataset)).toBe(true);
    expect(c.idle).toBe(true);
  });

  it('refuses a data set over its cap', () => {
    const c = new MessageCollector({ maxDatasetLength: 1000 });
    const pdvs = [...pdvsFor(1, true, encodeCommand(pending), 0), ...pdvsFor(1, false, new Uint8Array(1001), 400)];
    expect(() => pdvs.forEach((p) => c.push(p))).toThrow(DimseDecodeError);
  });
});

describe('DatasetCollector and collectDataset', () => {
  it('join chunks and copy them', () => {
    const collector = new DatasetCollector(100);
    const scratch = Buffer.from('abc');
    collector.add(scratch);
    scratch.fill(0);
    collector.add(Buffer.from('de'));
    expect(collector.length).toBe(5);
    expect(Buffer.from(collector.finish()).toString()).toBe('abcde');
    expect(collector.length).toBe(0);
  });

  it('accept exactly the cap and refuse one byte more', async () => {
    expect((await collectDataset([new Uint8Array(60), new Uint8Array(40)], 100)).length).toBe(100);
    await expect(collectDataset([new Uint8Array(60), new Uint8Array(41)], 100)).rejects.toThrow(DimseDecodeError);
  });

  it('grow past the initial capacity', async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 50; i++) yield new Uint8Array(5000).fill(i);
    }
    const out = await collectDataset(chunks(), 1 << 20);
    expect(out.length).toBe(250_000);
    expect(out[4999]).toBe(0);
    expect(out[5000]).toBe(1);
    expect(out[249_999]).toBe(49);
  });
});
