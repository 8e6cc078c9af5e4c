import { describe, expect, it } from 'vitest';
import { statusCategory, statusName } from '../../core/status.js';
import { STORAGE_STATUS, StorageStatus } from './status.js';

describe('C-STORE statuses (PS3.4 Table B.2-1)', () => {
  it.each([
    [0xa700, 'failure', 'Refused: Out of Resources'],
    [0xa7ff, 'failure', 'Refused: Out of Resources'],
    [0xa900, 'failure', 'Error: Data Set does not match SOP Class'],
    [0xa9aa, 'failure', 'Error: Data Set does not match SOP Class'],
    [0xc000, 'failure', 'Error: Cannot understand'],
    [0xcfff, 'failure', 'Error: Cannot understand'],
    [0xb000, 'warning', 'Coercion of Data Elements'],
    [0xb007, 'warning', 'Data Set does not match SOP Class'],
    [0xb006, 'warning', 'Elements Discarded'],
    [0x0000, 'success', 'Success'],
    [0x0122, 'failure', 'Refused: SOP Class not supported'],
  ] as const)('status %# (%s) is %s: %s', (status, category, name) => {
    expect(statusCategory(status, STORAGE_STATUS)).toBe(category);
    expect(statusName(status, STORAGE_STATUS)).toBe(name);
  });

  it('names its codes', () => {
    expect(StorageStatus.OUT_OF_RESOURCES).toBe(0xa700);
    expect(StorageStatus.CANNOT_UNDERSTAND).toBe(0xc000);
  });
});
