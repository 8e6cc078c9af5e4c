import { describe, expect, it } from 'vitest';
import { statusCategory, statusName } from '../../core/status.js';
import { WORKLIST_STATUS } from './status.js';

describe('Modality Worklist C-FIND statuses (PS3.4 Table K.4-1)', () => {
  it('classifies and names its codes', () => {
    expect(statusCategory(0xa700, WORKLIST_STATUS)).toBe('failure');
    expect(statusCategory(0xa900, WORKLIST_STATUS)).toBe('failure');
    expect(statusName(0xc042, WORKLIST_STATUS)).toBe('Unable to process');
    expect(statusCategory(0xff00, WORKLIST_STATUS)).toBe('pending');
    expect(statusCategory(0xff01, WORKLIST_STATUS)).toBe('pending');
    // FE00 is Cancel here too (not a pending status, as some tables have it).
    expect(statusCategory(0xfe00, WORKLIST_STATUS)).toBe('cancel');
  });
});
