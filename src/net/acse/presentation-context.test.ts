import { describe, expect, it } from 'vitest';
import { acceptedAsRequestor, negotiateAsAcceptor, proposeContexts } from './presentation-context.js';

const VERIFICATION = '1.2.840.10008.1.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const BIG = '1.2.840.10008.1.2.2';
const JPEG = '1.2.840.10008.1.2.4.50';

describe('negotiateAsAcceptor', () => {
  const supported = new Map([
    [VERIFICATION, [EXPLICIT, IMPLICIT, BIG]],
    [CT, [JPEG, EXPLICIT, IMPLICIT]],
  ]);

  it('accepts with the first transfer syntax in OUR preference order that was offered', () => {
    const { results, accepted } = negotiateAsAcceptor([{ id: 1, abstractSyntax: CT, transferSyntaxes: [IMPLICIT, EXPLICIT] }], supported);
    expect(results).toEqual([{ id: 1, result: 0, transferSyntax: EXPLICIT }]);
    expect(accepted.get(1)).toMatchObject({ abstractSyntax: CT, transferSyntax: EXPLICIT, requestorScu: true, requestorScp: false });
  });

  it('rejects an unknown abstract syntax with reason 3 and unsupported transfer syntaxes with reason 4', () => {
    const { results, accepted } = negotiateAsAcceptor(
      [
        { id: 1, abstractSyntax: '1.2.3.4', transferSyntaxes: [IMPLICIT] },
        { id: 3, abstractSyntax: VERIFICATION, transferSyntaxes: ['1.2.840.10008.1.2.4.90'] },
        { id: 5, abstractSyntax: VERIFICATION, transferSyntaxes: [BIG] },
      ],
      supported,
    );
    expect(results.map((r) => r.result)).toEqual([3, 4, 0]);
    expect([...accepted.keys()]).toEqual([5]);
  });

  it('answers role selection for accepted SOP classes, granting the SCP role only where allowed', () => {
    const roles = [{ sopClassUid: CT, scuRole: false, scpRole: true }];
    const granted = negotiateAsAcceptor([{ id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT] }], supported, roles);
    expect(granted.roles).toEqual([{ sopClassUid: CT, scuRole: false, scpRole: true }]);
    expect(granted.accepted.get(1)).toMatchObject({ requestorScu: false, requestorScp: true });
    const refused = negotiateAsAcceptor([{ id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT] }], supported, roles, () => false);
    expect(refused.roles).toEqual([{ sopClassUid: CT, scuRole: false, scpRole: false }]);
  });
});

describe('acceptedAsRequestor', () => {
  it('keeps only accepted contexts we proposed, with a transfer syntax we offered', () => {
    const proposed = proposeContexts([
      { abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] },
      { abstractSyntax: CT, transferSyntaxes: [EXPLICIT] },
      { abstractSyntax: CT, transferSyntaxes: [JPEG] },
    ]);
    expect(proposed.map((p) => p.id)).toEqual([1, 3, 5]);
    const accepted = acceptedAsRequestor(proposed, [
      { id: 1, result: 0, transferSyntax: IMPLICIT },
      { id: 3, result: 4, transferSyntax: EXPLICIT },
      { id: 5, result: 0, transferSyntax: EXPLICIT }, // not what we offered for 5
      { id: 7, result: 0, transferSyntax: IMPLICIT }, // never proposed
    ]);
    expect([...accepted.keys()]).toEqual([1]);
  });

  it('refuses to propose more than 128 contexts', () => {
    expect(() => proposeContexts(Array.from({ length: 129 }, () => ({ abstractSyntax: CT, transferSyntaxes: [IMPLICIT] })))).toThrow(RangeError);
  });
});
