import { describe, expect, it } from 'vitest';
import { statusCategory, statusName } from '../../core/status.js';
import { VERIFICATION_STATUS } from './status.js';

describe('Verification statuses', () => {
  it('are the general codes', () => {
    expect(statusCategory(0x0000, VERIFICATION_STATUS)).toBe('success');
    expect(statusName(0x0122, VERIFICATION_STATUS)).toBe('Refused: SOP Class not supported');
    expect(statusCategory(0x0211, VERIFICATION_STATUS)).toBe('failure');
  });
});
