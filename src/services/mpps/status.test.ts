import { describe, expect, it } from 'vitest';
import { statusCategory, statusName } from '../../core/status.js';
import { MPPS_STATUS, MppsStatus } from './status.js';

describe('MPPS statuses (PS3.4 §F.7.2)', () => {
  it('uses the general codes, with 0110H explained', () => {
    expect(statusCategory(MppsStatus.PROCESSING_FAILURE, MPPS_STATUS)).toBe('failure');
    expect(statusName(0x0110, MPPS_STATUS)).toMatch(/may no longer be updated/);
    expect(MppsStatus.MAY_NO_LONGER_BE_UPDATED_ERROR_ID).toBe(0xa710);
    expect(statusCategory(0x0001, MPPS_STATUS)).toBe('warning');
    expect(statusName(0x0106, MPPS_STATUS)).toBe('Invalid Attribute Value');
  });
});
