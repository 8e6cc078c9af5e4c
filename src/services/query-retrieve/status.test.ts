import { describe, expect, it } from 'vitest';
import { statusCategory, statusName } from '../../core/status.js';
import { QR_FIND_STATUS, QR_GET_STATUS, QR_MOVE_STATUS } from './status.js';

describe('Query/Retrieve statuses (PS3.4 Annex C)', () => {
  it('C-FIND: A700, A900, Cxxx failures; FF00/FF01 pending; FE00 cancel', () => {
    expect(statusCategory(0xa700, QR_FIND_STATUS)).toBe('failure');
    expect(statusName(0xa900, QR_FIND_STATUS)).toBe('Identifier does not match SOP Class');
    expect(statusName(0xc123, QR_FIND_STATUS)).toBe('Unable to process');
    expect(statusCategory(0xff00, QR_FIND_STATUS)).toBe('pending');
    expect(statusCategory(0xff01, QR_FIND_STATUS)).toBe('pending');
    expect(statusName(0xff01, QR_FIND_STATUS)).toMatch(/Optional Keys were not supported/);
    expect(statusCategory(0xfe00, QR_FIND_STATUS)).toBe('cancel');
    expect(statusName(0xfe00, QR_FIND_STATUS)).toBe('Matching terminated due to Cancel request');
  });

  it('C-MOVE: A701, A702, A801, A900, Cxxx failures; B000 warning; FF00 pending; FE00 cancel', () => {
    for (const s of [0xa701, 0xa702, 0xa801, 0xa900, 0xc000, 0xaa00]) expect(statusCategory(s, QR_MOVE_STATUS)).toBe('failure');
    expect(statusName(0xa801, QR_MOVE_STATUS)).toBe('Refused: Move Destination unknown');
    expect(statusCategory(0xb000, QR_MOVE_STATUS)).toBe('warning');
    expect(statusCategory(0xff00, QR_MOVE_STATUS)).toBe('pending');
    expect(statusCategory(0xfe00, QR_MOVE_STATUS)).toBe('cancel');
    expect(statusName(0x0000, QR_MOVE_STATUS)).toBe('Sub-operations Complete - No Failures');
  });

  it('C-GET: like C-MOVE without a move destination', () => {
    expect(statusName(0xb000, QR_GET_STATUS)).toBe('Sub-operations Complete - One or more Failures or Warnings');
    expect(statusName(0xa801, QR_GET_STATUS)).toBe('Failure');
    expect(statusCategory(0xa702, QR_GET_STATUS)).toBe('failure');
    expect(statusCategory(0xff00, QR_GET_STATUS)).toBe('pending');
  });
});
