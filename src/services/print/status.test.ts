import { describe, expect, it } from 'vitest';
import { statusCategory, statusName } from '../../core/status.js';
import { PRINT_STATUS, PrintStatus } from './status.js';

describe('Print Management statuses (PS3.4 Annex H)', () => {
  it('has B6xx warnings and C6xx failures', () => {
    for (const s of [0xb600, 0xb601, 0xb602, 0xb603, 0xb604, 0xb605, 0xb609, 0xb60a]) expect(statusCategory(s, PRINT_STATUS)).toBe('warning');
    for (const s of [0xc600, 0xc601, 0xc602, 0xc603, 0xc604, 0xc605, 0xc606, 0xc613, 0xc616]) expect(statusCategory(s, PRINT_STATUS)).toBe('failure');
    expect(statusName(PrintStatus.MEMORY_ALLOCATION_NOT_SUPPORTED, PRINT_STATUS)).toBe('Memory allocation not supported');
    expect(statusName(PrintStatus.INSUFFICIENT_MEMORY, PRINT_STATUS)).toBe('Insufficient memory in printer to store the image');
  });
});
