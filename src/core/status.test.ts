import { describe, expect, it } from 'vitest';
import { DimseStatusError } from './errors.js';
import { assertSuccess, describeStatus, formatStatus, type StatusCategory, statusCategory, statusName, statusTable } from './status.js';

describe('statusCategory (PS3.7 Annex C)', () => {
  const cases: [number, StatusCategory][] = [
    [0x0000, 'success'],
    [0xff00, 'pending'],
    [0xff01, 'pending'],
    [0xfe00, 'cancel'],
    [0x0001, 'warning'],
    [0x0107, 'warning'],
    [0x0116, 'warning'],
    [0xb000, 'warning'],
    [0xb006, 'warning'],
    [0xbfff, 'warning'],
    [0xa700, 'failure'],
    [0xa7ff, 'failure'],
    [0xa801, 'failure'],
    [0xa900, 'failure'],
    [0xc000, 'failure'],
    [0xcfff, 'failure'],
    [0x0105, 'failure'],
    [0x0110, 'failure'],
    [0x0122, 'failure'],
    [0x01ff, 'failure'],
    [0x0211, 'failure'],
    [0x0213, 'failure'],
    [0xff02, 'failure'],
    [0x1234, 'failure'],
  ];
  it.each(cases.map(([s, c]) => [formatStatus(s), c, s] as const))('%s is %s', (_hex, category, status) => {
    expect(statusCategory(status)).toBe(category);
  });

  it('lets a service table give a code its own class and name', () => {
    const table = statusTable('Test', [[0xc123, 'warning', 'Not so bad']], [[0xa000, 0xa0ff, 'failure', 'Range failure']]);
    expect(statusCategory(0xc123, table)).toBe('warning');
    expect(statusName(0xc123, table)).toBe('Not so bad');
    expect(statusName(0xa042, table)).toBe('Range failure');
    expect(statusName(0xa142, table)).toBe('Failure');
  });
});

describe('statusName', () => {
  it('names the general codes', () => {
    expect(statusName(0x0000)).toBe('Success');
    expect(statusName(0x0105)).toBe('No such Attribute');
    expect(statusName(0x0106)).toBe('Invalid Attribute Value');
    expect(statusName(0x0110)).toBe('Processing failure');
    expect(statusName(0x0111)).toBe('Duplicate SOP Instance');
    expect(statusName(0x0112)).toBe('No such SOP Instance');
    expect(statusName(0x0117)).toBe('Invalid SOP Instance');
    expect(statusName(0x0118)).toBe('No such SOP Class');
    expect(statusName(0x0119)).toBe('Class-Instance conflict');
    expect(statusName(0x0120)).toBe('Missing Attribute');
    expect(statusName(0x0121)).toBe('Missing Attribute Value');
    expect(statusName(0x0122)).toBe('Refused: SOP Class not supported');
    expect(statusName(0x0124)).toBe('Refused: Not authorized');
    expect(statusName(0x0210)).toBe('Duplicate invocation');
    expect(statusName(0x0211)).toBe('Unrecognized operation');
    expect(statusName(0x0212)).toBe('Mistyped argument');
    expect(statusName(0x0213)).toBe('Resource limitation');
    expect(statusName(0xfe00)).toBe('Cancel');
  });

  it('falls back to the class for a code no table names', () => {
    expect(statusName(0xb123)).toBe('Warning');
    expect(statusName(0xc001)).toBe('Failure');
  });

  it('formats codes as four hex digits', () => {
    expect(formatStatus(0xa7)).toBe('0x00A7');
    expect(describeStatus(0x0112)).toBe('0x0112 No such SOP Instance (failure)');
  });
});

describe('assertSuccess', () => {
  it('returns the class of any status that is not a failure', () => {
    expect(assertSuccess(0x0000)).toBe('success');
    expect(assertSuccess(0xb000)).toBe('warning');
    expect(assertSuccess(0xff00)).toBe('pending');
    expect(assertSuccess(0xfe00)).toBe('cancel');
  });

  it('throws DimseStatusError with the status, class and error comment for a failure', () => {
    const table = statusTable('Storage', [], [[0xa700, 0xa7ff, 'failure', 'Refused: Out of Resources']]);
    try {
      assertSuccess(0xa702, table, { errorComment: 'disk full' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DimseStatusError);
      const e = error as DimseStatusError;
      expect(e.status).toBe(0xa702);
      expect(e.category).toBe('failure');
      expect(e.code).toBe('ERR_DIMSE_STATUS');
      expect(e.message).toBe('Storage failed with status 0xA702 Refused: Out of Resources: disk full');
    }
  });
});
