import { describe, expect, it } from 'vitest';
import { DimseDecodeError } from '../../core/errors.js';
import type { Pdv } from '../pdu/types.js';
import { type AssembledItem, MessageAssembler } from './assembler.js';
import { cEchoRq } from './c-echo.js';
import { cStoreRq } from './c-store.js';
import { encodeCommand } from './command-set.js';
import { pdvsFor } from './fragmenter.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const storeRq = cStoreRq({ messageId: 7, affectedSopClassUid: CT, affectedSopInstanceUid: '1.2.3.4' });
const echoRq = cEchoRq({ messageId: 8, affectedSopClassUid: '1.2.840.10008.1.1' });
const pdv = (contextId: number, isCommand: boolean, isLast: boolean, data: Uint8Array = new Uint8Array(4)): Pdv => ({ contextId, isCommand, isLast, data });

const feed = (assembler: MessageAssembler, pdvs: Iterable<Pdv>): AssembledItem[] => {
  const out: AssembledItem[] = [];
  for (const p of pdvs) {
    const item = assembler.push(p);
    if (item) out.push(item);
  }
  return out;
};

describe('MessageAssembler', () => {
  it('decodes a command sent in small fragments, then passes on 3 data fragments as they come', () => {
    const a = new MessageAssembler();
    const items = feed(a, [
      ...pdvsFor(1, true, encodeCommand(storeRq), 40),
      pdv(1, false, false, Buffer.from('abc')),
      pdv(1, false, false, Buffer.from('def')),
      pdv(1, false, true, Buffer.from('g')),
    ]);
    expect(items).toEqual([
      { kind: 'command', contextId: 1, command: storeRq },
      { kind: 'data', contextId: 1, chunk: Buffer.from('abc'), isLast: false },
      { kind: 'data', contextId: 1, chunk: Buffer.from('def'), isLast: false },
      { kind: 'data', contextId: 1, chunk: Buffer.from('g'), isLast: true },
    ]);
    expect(a.idle).toBe(true);
  });

  it('knows the command whose data set is arriving', () => {
    const a = new MessageAssembler();
    feed(a, pdvsFor(3, true, encodeCommand(storeRq), 0));
    expect(a.idle).toBe(false);
    expect(a.current).toEqual(storeRq);
    a.push(pdv(3, false, true));
    expect(a.current).toBeUndefined();
  });

  it('returns to idle after a command without a data set, ready for the next message on any context', () => {
    const a = new MessageAssembler();
    const items = feed(a, [...pdvsFor(1, true, encodeCommand(echoRq), 0), ...pdvsFor(5, true, encodeCommand(echoRq), 0)]);
    expect(items.map((i) => [i.kind, i.contextId])).toEqual([['command', 1], ['command', 5]]);
  });

  it('does not keep references to command fragments the PDU reader may reuse', () => {
    const a = new MessageAssembler();
    const bytes = Buffer.from(encodeCommand(echoRq));
    const scratch = Buffer.alloc(bytes.length);
    const half = bytes.length >> 1;
    bytes.copy(scratch, 0, 0, half);
    a.push(pdv(1, true, false, scratch.subarray(0, half)));
    scratch.fill(0xee);
    const item = a.push(pdv(1, true, true, bytes.subarray(half)));
    expect(item).toEqual({ kind: 'command', contextId: 1, command: echoRq });
  });

  const violations: [string, Pdv[]][] = [
    ['a data fragment with no command before it', [pdv(1, false, true)]],
    ['a data fragment in the middle of a command', [pdv(1, true, false, encodeCommand(storeRq).subarray(0, 10)), pdv(1, false, true)]],
    ['a command fragment on another context mid-command', [pdv(1, true, false, encodeCommand(storeRq).subarray(0, 10)), pdv(3, true, true)]],
    ['a data fragment on another context', [...pdvsFor(1, true, encodeCommand(storeRq), 0), pdv(1, false, false), pdv(3, false, true)]],
    ['a command fragment where data set fragments are due', [...pdvsFor(1, true, encodeCommand(storeRq), 0), pdv(1, false, false), ...pdvsFor(1, true, encodeCommand(echoRq), 0)]],
    ['a command set that does not decode', [pdv(1, true, true, Buffer.from('not a command set'))]],
    ['a command missing a mandatory field', [pdv(1, true, true, encodeCommand({ commandField: 0x0001, messageId: 1, affectedSopClassUid: CT, priority: 0, hasDataset: true }))]],
  ];
  it.each(violations)('rejects %s', (_what, pdvs) => {
    const a = new MessageAssembler();
    expect(() => feed(a, pdvs)).toThrow(DimseDecodeError);
  });

  it('rejects a command set over the limit before holding it', () => {
    const a = new MessageAssembler({ maxCommandLength: 1000 });
    for (let i = 0; i < 9; i++) a.push(pdv(1, true, false, new Uint8Array(100)));
    expect(() => a.push(pdv(1, true, false, new Uint8Array(101)))).toThrow(/longer than 1000 bytes/);
  });

  it('bounds a command by 64 KiB by default', () => {
    const a = new MessageAssembler();
    expect(() => feed(a, pdvsFor(1, true, new Uint8Array(64 * 1024 + 1), 16384))).toThrow(DimseDecodeError);
  });

  it('refuses all input after a protocol error', () => {
    const a = new MessageAssembler();
    expect(() => a.push(pdv(1, false, true))).toThrow(DimseDecodeError);
    expect(() => feed(a, pdvsFor(1, true, encodeCommand(echoRq), 0))).toThrow(/earlier protocol error/);
  });
});
