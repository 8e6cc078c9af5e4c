import { describe, expect, it } from 'vitest';
import { DimseDecodeError } from '../../core/errors.js';
import { cEchoRq } from '../dimse/c-echo.js';
import { cFindRsp } from '../dimse/c-find.js';
import { encodeCommand } from '../dimse/command-set.js';
import { pdvsFor } from '../dimse/fragmenter.js';
import { MessageReceiver, type ReceivedMessage } from './message-receiver.js';

const echoRq = cEchoRq({ messageId: 1, affectedSopClassUid: '1.2.840.10008.1.1' });
const pending = cFindRsp({ messageIdBeingRespondedTo: 2, status: 0xff00 });
const noFlow = { pause: () => undefined, resume: () => undefined };

describe('MessageReceiver (in memory)', () => {
  it('delivers whole messages in order, joining each data set', async () => {
    const out: ReceivedMessage[] = [];
    const r = new MessageReceiver({ maxDatasetLength: 256 << 20, sinks: undefined, deliver: (m) => out.push(m), flow: noFlow });
    const dataset = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    for (const p of [...pdvsFor(1, true, encodeCommand(echoRq), 100), ...pdvsFor(3, true, encodeCommand(pending), 100), ...pdvsFor(3, false, dataset, 1000)]) {
      r.push(p);
    }
    await r.settled();
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({ contextId: 1, command: echoRq });
    expect(out[1]!.contextId).toBe(3);
    expect(out[1]!.command).toEqual(pending);
    expect(Buffer.from(out[1]!.dataset!).equals(dataset)).toBe(true);
    expect(r.busy).toBe(false);
  });

  it('refuses a data set over its cap', () => {
    const r = new MessageReceiver({ maxDatasetLength: 1000, sinks: undefined, deliver: () => undefined, flow: noFlow });
    const pdvs = [...pdvsFor(1, true, encodeCommand(pending), 0), ...pdvsFor(1, false, new Uint8Array(1001), 400)];
    expect(() => pdvs.forEach((p) => r.push(p))).toThrow(DimseDecodeError);
  });
});
