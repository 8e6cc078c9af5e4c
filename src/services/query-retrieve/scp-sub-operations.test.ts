import { describe, expect, it } from 'vitest';
import { decodeRequestIdentifier } from './scp-identifier.js';
import { PENDING_INTERVAL_MS, SubOperations } from './scp-sub-operations.js';

const EXPLICIT = '1.2.840.10008.1.2.1';

describe('SubOperations', () => {
  it('sends a pending response at most every PENDING_INTERVAL_MS, not one per instance', () => {
    let now = 1000;
    const ops = new SubOperations(1000, () => now);
    let pendings = 0;
    for (let i = 0; i < 1000; i++) {
      now += 1; // 1000 instances in one second
      ops.record(`1.2.${i}`, 'success');
      if (ops.pendingDue()) pendings++;
    }
    expect(pendings).toBeLessThanOrEqual(1000 / PENDING_INTERVAL_MS + 1);
    expect(pendings).toBeGreaterThanOrEqual(9);
  });

  it('pending responses carry Remaining, Completed, Failed and Warning', () => {
    const ops = new SubOperations(4, () => 0);
    ops.record('1', 'success');
    ops.record('2', 'warning');
    ops.record('3', 'failure');
    expect(ops.pendingDue()).toEqual({ status: 0xff00, fields: { remainingSuboperations: 1, completedSuboperations: 1, failedSuboperations: 1, warningSuboperations: 1 } });
    ops.record('4', 'success');
    expect(ops.pendingDue()).toBeUndefined(); // none remain: the final response says it
  });

  it('final: Success without a data set; no Remaining', async () => {
    const ops = new SubOperations(2);
    ops.record('1', 'success');
    ops.record('2', 'success');
    expect(await ops.final(EXPLICIT)).toEqual({ status: 0, fields: { completedSuboperations: 2, failedSuboperations: 0, warningSuboperations: 0 } });
  });

  it('final: B000 when some failed or warned, with the Failed SOP Instance UID List and why', async () => {
    const ops = new SubOperations(3);
    ops.record('1.2.1', 'success');
    ops.record('1.2.2', 'failure', 'peer does not accept MR Image Storage');
    ops.record('1.2.3', 'warning');
    const final = await ops.final(EXPLICIT);
    expect(final.status).toBe(0xb000);
    expect(final.fields?.errorComment).toBe('1 failed, 1 with warnings: peer does not accept MR Image Storage');
    expect(decodeRequestIdentifier(final.dataset, EXPLICIT).strings('FailedSOPInstanceUIDList')).toEqual(['1.2.2']);
    const warnings = new SubOperations(1);
    warnings.record('1.2.1', 'warning');
    expect((await warnings.final(EXPLICIT)).status).toBe(0xb000);
  });

  it('final: A702 when every one failed; Cancel with the Remaining count', async () => {
    const failed = new SubOperations(2);
    failed.record('1', 'failure');
    failed.record('2', 'failure');
    expect((await failed.final(EXPLICIT)).status).toBe(0xa702);
    const cancelled = new SubOperations(10);
    cancelled.record('1', 'success');
    const final = await cancelled.final(EXPLICIT, { cancelled: true });
    expect(final).toEqual({ status: 0xfe00, fields: { completedSuboperations: 1, failedSuboperations: 0, warningSuboperations: 0, remainingSuboperations: 9 } });
  });

  it('counts past 65535 are reported as 65535 (they are US)', () => {
    const ops = new SubOperations(70_000, () => 0);
    expect(ops.pendingDue()?.fields?.remainingSuboperations).toBe(0xffff);
  });
});
