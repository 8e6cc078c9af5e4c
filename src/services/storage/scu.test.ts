import { describe, expect, it } from 'vitest';
import { classifyStoreStatus } from './scu.js';

describe('classifyStoreStatus (PS3.4 Table B.2-1 and the seeds\' handling)', () => {
  it.each([
    [0x0000, 'success', false],
    [0xb000, 'warning', false],
    [0xb006, 'warning', false],
    [0xb007, 'warning', false],
    [0xa700, 'failure', true],
    [0xa7ff, 'failure', true],
    [0xa900, 'failure', false],
    [0xa9ab, 'failure', false],
    [0xc000, 'failure', false],
    [0xcfff, 'failure', false],
    [0x0122, 'failure', false],
    [0x0110, 'failure', false],
    [0xff00, 'failure', false],
    [0xfe00, 'failure', false],
    [0x1234, 'failure', false],
  ] as const)('status %# (0x%s): %s, transient %s', (status, outcome, transient) => {
    expect(classifyStoreStatus(status)).toEqual({ outcome, transient });
  });
});
