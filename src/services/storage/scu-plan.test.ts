import { describe, expect, it } from 'vitest';
import {
  DeflatedExplicitVRLittleEndian,
  ExplicitVRBigEndian,
  ExplicitVRLittleEndian,
  ImplicitVRLittleEndian,
  JPEG2000Lossless,
  JPEGBaseline8Bit,
  RLELossless,
} from '../../encoding/transfer-syntax.js';
import type { AcceptedContext } from '../../net/acse/presentation-context.js';
import type { StoreInstance } from './scu-instance.js';
import { chooseTransfer, isConvertible, MAX_CONTEXTS, planAssociations, proposedContexts } from './scu-plan.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const SC = '1.2.840.10008.5.1.4.1.1.7';

let serial = 0;
function instance(sopClassUid: string, transferSyntax: string, size = 100): StoreInstance {
  serial++;
  return {
    sopClassUid,
    sopInstanceUid: `1.2.3.${serial}`,
    transferSyntax,
    size,
    label: `file${serial}.dcm`,
    source: { kind: 'file', path: `/tmp/file${serial}.dcm`, datasetOffset: 132 },
  };
}

const accepted = (...pairs: [string, string][]): AcceptedContext[] =>
  pairs.map(([abstractSyntax, transferSyntax], n) => ({ id: 2 * n + 1, abstractSyntax, transferSyntax, requestorScu: true, requestorScp: false }));

describe('proposedContexts: one context per (SOP class, transfer syntax), own syntaxes first, then Explicit and Implicit VR LE', () => {
  it('an explicit CT file: Explicit VR LE, then the Implicit VR LE fallback', () => {
    expect(proposedContexts([instance(CT, ExplicitVRLittleEndian)])).toEqual([
      { abstractSyntax: CT, transferSyntaxes: [ExplicitVRLittleEndian] },
      { abstractSyntax: CT, transferSyntaxes: [ImplicitVRLittleEndian] },
    ]);
  });

  it('a JPEG CT and an implicit MR: each SOP class gets its own syntaxes and both fallbacks, in the order first seen', () => {
    const contexts = proposedContexts([instance(CT, JPEGBaseline8Bit), instance(MR, ImplicitVRLittleEndian), instance(CT, JPEGBaseline8Bit)]);
    expect(contexts.map((c) => [c.abstractSyntax, ...c.transferSyntaxes])).toEqual([
      [CT, JPEGBaseline8Bit],
      [CT, ExplicitVRLittleEndian],
      [CT, ImplicitVRLittleEndian],
      [MR, ImplicitVRLittleEndian],
      [MR, ExplicitVRLittleEndian],
    ]);
  });

  it('instances of one SOP class in several syntaxes propose each once', () => {
    const contexts = proposedContexts([instance(SC, RLELossless), instance(SC, JPEG2000Lossless), instance(SC, RLELossless), instance(SC, ExplicitVRBigEndian)]);
    expect(contexts.map((c) => c.transferSyntaxes[0])).toEqual([RLELossless, JPEG2000Lossless, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian]);
  });
});

describe('planAssociations: at most 128 presentation contexts per association', () => {
  it('few SOP classes: one association with every instance in order', () => {
    const all = [instance(CT, ExplicitVRLittleEndian), instance(MR, ExplicitVRLittleEndian), instance(CT, ImplicitVRLittleEndian)];
    const plans = planAssociations(all);
    expect(plans).toHaveLength(1);
    expect(plans[0]!.instances).toEqual(all);
    expect(plans[0]!.contexts).toHaveLength(4);
  });

  it('70 SOP classes of 2 contexts each (140): split into associations of ≤ 128, each SOP class whole on one', () => {
    const all = Array.from({ length: 70 }, (_, n) => instance(`1.2.826.0.1.3680043.2.1.${n}`, ExplicitVRLittleEndian));
    const plans = planAssociations(all);
    expect(plans.map((p) => p.contexts.length)).toEqual([128, 12]);
    expect(plans.flatMap((p) => p.instances)).toEqual(all);
    for (const p of plans) {
      const sops = new Set(p.contexts.map((c) => c.abstractSyntax));
      for (const i of p.instances) expect(sops.has(i.sopClassUid)).toBe(true);
    }
  });

  it('a smaller limit splits sooner, never splitting a SOP class', () => {
    const all = [instance(CT, JPEGBaseline8Bit), instance(MR, ExplicitVRLittleEndian), instance(SC, RLELossless), instance(CT, ExplicitVRLittleEndian)];
    const plans = planAssociations(all, 4);
    expect(plans.map((p) => p.contexts.map((c) => c.abstractSyntax))).toEqual([[CT, CT, CT], [MR, MR], [SC, SC, SC]]);
    expect(plans[0]!.instances).toEqual([all[0], all[3]]);
  });

  it('refuses a limit outside 3–128', () => {
    expect(() => planAssociations([], 129)).toThrow(RangeError);
    expect(() => planAssociations([], 2)).toThrow(RangeError);
    expect(MAX_CONTEXTS).toBe(128);
  });
});

describe('chooseTransfer: the instance\'s own syntax when accepted, else an uncompressed conversion, else a clear refusal', () => {
  it('own syntax accepted: sent as is', () => {
    const choice = chooseTransfer(instance(CT, JPEGBaseline8Bit), accepted([CT, ExplicitVRLittleEndian], [CT, JPEGBaseline8Bit]));
    expect(choice).toMatchObject({ kind: 'as-is', context: { transferSyntax: JPEGBaseline8Bit } });
  });

  it('explicit file, only implicit accepted: converted to Implicit VR LE', () => {
    const choice = chooseTransfer(instance(CT, ExplicitVRLittleEndian), accepted([CT, ImplicitVRLittleEndian]));
    expect(choice).toMatchObject({ kind: 'convert', context: { transferSyntax: ImplicitVRLittleEndian } });
  });

  it('big endian or deflated file, both little endian syntaxes accepted: converted to Explicit VR LE (keeps VRs)', () => {
    const contexts = accepted([CT, ImplicitVRLittleEndian], [CT, ExplicitVRLittleEndian]);
    expect(chooseTransfer(instance(CT, ExplicitVRBigEndian), contexts)).toMatchObject({ kind: 'convert', context: { transferSyntax: ExplicitVRLittleEndian } });
    expect(chooseTransfer(instance(CT, DeflatedExplicitVRLittleEndian), contexts)).toMatchObject({ kind: 'convert', context: { transferSyntax: ExplicitVRLittleEndian } });
  });

  it('compressed file whose syntax was refused: fails, naming the syntax and the SOP class', () => {
    const choice = chooseTransfer(instance(CT, JPEGBaseline8Bit), accepted([CT, ExplicitVRLittleEndian]));
    expect(choice).toEqual({
      kind: 'refused',
      reason: 'peer does not accept JPEG Baseline (Process 1) for CT Image Storage and decompression is not available yet',
    });
  });

  it('SOP class not accepted at all', () => {
    expect(chooseTransfer(instance(MR, ExplicitVRLittleEndian), accepted([CT, ExplicitVRLittleEndian]))).toEqual({
      kind: 'refused',
      reason: 'peer does not accept MR Image Storage',
    });
  });

  it('only native non-encapsulated syntaxes can be converted', () => {
    expect([ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian].every(isConvertible)).toBe(true);
    expect([JPEGBaseline8Bit, RLELossless, JPEG2000Lossless, '1.2.840.10008.1.2.1.98', '1.2.840.10008.1.2.4.94', '9.9.9'].some(isConvertible)).toBe(false);
  });
});
