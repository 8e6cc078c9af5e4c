import { describe, expect, it, vi } from 'vitest';
import type { AcceptedContext } from './presentation-context.js';
import { extendedAsRequestor, MAX_EXTENDED_NEGOTIATION_INFO, negotiateExtendedAsAcceptor } from './sop-class-extended-negotiation.js';

const FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const IMPLICIT = '1.2.840.10008.1.2';

const context = (id: number, abstractSyntax: string): AcceptedContext => ({ id, abstractSyntax, transferSyntax: IMPLICIT, requestorScu: true, requestorScp: false });
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('negotiateExtendedAsAcceptor', () => {
  it('answers each accepted SOP class it was asked about, once, with what the service says', () => {
    const answer = vi.fn((sop: string, requested: Uint8Array) => (sop === FIND ? bytes(requested[0]!, 0) : undefined));
    const result = negotiateExtendedAsAcceptor(
      [
        { sopClassUid: FIND, info: bytes(1, 1, 1) },
        { sopClassUid: MOVE, info: bytes(1) },
      ],
      [context(1, FIND), context(3, MOVE), context(5, FIND)],
      answer,
    );
    expect(result.items).toEqual([{ sopClassUid: FIND, info: bytes(1, 0) }]);
    expect([...result.negotiated]).toEqual([[FIND, bytes(1, 0)]]);
    expect(answer.mock.calls).toEqual([
      [FIND, bytes(1, 1, 1)],
      [MOVE, bytes(1)],
    ]);
  });

  it('ignores sub-items for SOP classes not accepted, and repeated ones (the first counts)', () => {
    const answer = vi.fn((_sop: string, requested: Uint8Array) => requested.slice(0, 1));
    const result = negotiateExtendedAsAcceptor(
      [
        { sopClassUid: CT, info: bytes(1) },
        { sopClassUid: '1.2.3.4', info: bytes(1) },
        { sopClassUid: FIND, info: bytes(0) },
        { sopClassUid: FIND, info: bytes(1) },
      ],
      [context(1, FIND)],
      answer,
    );
    expect(result.items).toEqual([{ sopClassUid: FIND, info: bytes(0) }]);
    expect(answer).toHaveBeenCalledTimes(1);
  });

  it('nothing without a hook or without sub-items in the RQ', () => {
    expect(negotiateExtendedAsAcceptor([{ sopClassUid: FIND, info: bytes(1) }], [context(1, FIND)], undefined).items).toEqual([]);
    const answer = vi.fn(() => bytes(1));
    expect(negotiateExtendedAsAcceptor(undefined, [context(1, FIND)], answer).items).toEqual([]);
    expect(negotiateExtendedAsAcceptor([], [context(1, FIND)], answer).items).toEqual([]);
    expect(answer).not.toHaveBeenCalled();
  });

  it('a service that throws, or answers more than a sub-item holds, gives no answer; the others still do', () => {
    const result = negotiateExtendedAsAcceptor(
      [
        { sopClassUid: FIND, info: bytes(1) },
        { sopClassUid: MOVE, info: bytes(1) },
        { sopClassUid: CT, info: bytes(1) },
      ],
      [context(1, FIND), context(3, MOVE), context(5, CT)],
      (sop) => {
        if (sop === FIND) throw new Error('confused');
        return sop === MOVE ? new Uint8Array(MAX_EXTENDED_NEGOTIATION_INFO + 1) : bytes(1);
      },
    );
    expect(result.items).toEqual([{ sopClassUid: CT, info: bytes(1) }]);
  });

  it('keeps its own copy of an answer', () => {
    const shared = bytes(1);
    const result = negotiateExtendedAsAcceptor([{ sopClassUid: FIND, info: bytes(1) }], [context(1, FIND)], () => shared);
    shared[0] = 7;
    expect(result.negotiated.get(FIND)).toEqual(bytes(1));
  });
});

describe('extendedAsRequestor', () => {
  it('keeps the first answer for each SOP class proposed, nothing else', () => {
    const negotiated = extendedAsRequestor(
      [{ sopClassUid: FIND, info: bytes(1, 1) }],
      [
        { sopClassUid: FIND, info: bytes(1, 0) },
        { sopClassUid: FIND, info: bytes(1, 1) },
        { sopClassUid: MOVE, info: bytes(1) },
      ],
    );
    expect([...negotiated]).toEqual([[FIND, bytes(1, 0)]]);
    expect(extendedAsRequestor(undefined, [{ sopClassUid: FIND, info: bytes(1) }]).size).toBe(0);
  });
});
