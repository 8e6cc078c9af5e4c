import fc from 'fast-check';
import { describe, it } from 'vitest';
import { DicomError, PduDecodeError } from '../../core/errors.js';
import { decodePduBody, encodePdu } from './pdu-codec.js';
import { PduReader } from './pdu-reader.js';
import { type Pdu, PduType } from './types.js';

/**
 * Property: whatever the bytes, the reader and the decoders either return PDUs or throw a PduDecodeError; nothing
 * else escapes, nothing hangs. `npm test` runs a bounded number of cases; `npm run fuzz` sets FUZZ_RUNS for more.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const SEEDS: Uint8Array[] = (
  [
    {
      type: PduType.A_ASSOCIATE_RQ,
      protocolVersion: 1,
      calledAeTitle: 'ANY-SCP',
      callingAeTitle: 'FUZZ',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [
        { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
        { id: 3, abstractSyntax: '1.2.840.10008.5.1.4.1.1.7', transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] },
      ],
      userInformation: {
        maxPduLength: 16384,
        implementationClassUid: '1.2.3.4',
        implementationVersionName: 'FUZZ',
        asyncOperationsWindow: { maxOperationsInvoked: 1, maxOperationsPerformed: 1 },
        roleSelections: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', scuRole: true, scpRole: true }],
        extendedNegotiations: [{ sopClassUid: '1.2', info: Uint8Array.of(1, 0, 1) }],
        commonExtendedNegotiations: [{ sopClassUid: '1.2', serviceClassUid: '1.3', relatedGeneralSopClassUids: ['1.4', '1.5'] }],
        userIdentityRq: { type: 2, positiveResponseRequested: true, primaryField: Uint8Array.of(0x61), secondaryField: Uint8Array.of(0x62) },
      },
    },
    {
      type: PduType.A_ASSOCIATE_AC,
      protocolVersion: 1,
      calledAeTitle: 'ANY-SCP',
      callingAeTitle: 'FUZZ',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [
        { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' },
        { id: 3, result: 3, transferSyntax: '' },
      ],
      userInformation: { maxPduLength: 0, userIdentityAc: { serverResponse: Uint8Array.of(1, 2) } },
    },
    { type: PduType.P_DATA_TF, pdvs: [{ contextId: 1, isCommand: true, isLast: false, data: Uint8Array.of(1, 2, 3, 4) }, { contextId: 3, isCommand: false, isLast: true, data: new Uint8Array(20) }] },
    { type: PduType.A_ASSOCIATE_RJ, result: 1, source: 1, reason: 1 },
    { type: PduType.A_RELEASE_RQ },
    { type: PduType.A_RELEASE_RP },
    { type: PduType.A_ABORT, source: 2, reason: 1 },
  ] satisfies Pdu[]
).map(encodePdu);

/** Runs `work`; any exception that is not a PduDecodeError fails the property. Re-encoding may add DicomEncodeError. */
function onlyDecodeErrors(work: () => void): void {
  try {
    work();
  } catch (error) {
    if (!(error instanceof PduDecodeError)) throw error;
  }
}

function readAll(bytes: Uint8Array, cuts: number[]): void {
  const reader = new PduReader({ maxPDataLength: 4096 + 6, maxAssociateLength: 8192 });
  let from = 0;
  for (const to of [...cuts.filter((c) => c <= bytes.length).sort((a, b) => a - b), bytes.length]) {
    for (const pdu of reader.push(bytes.subarray(from, to))) reencode(pdu);
    from = to;
  }
}

/** A decoded PDU must encode again, or be refused with a DicomError (e.g. an AC's untested AE title). */
function reencode(pdu: Pdu): void {
  try {
    encodePdu(pdu);
  } catch (error) {
    if (!(error instanceof DicomError)) throw error;
  }
}

describe('fuzz: the PDU reader and decoders only ever succeed or throw a PduDecodeError', () => {
  it('on random bytes, in random chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat({ max: 600 }), { maxLength: 6 }), (bytes, cuts) => {
        onlyDecodeErrors(() => readAll(bytes, cuts));
      }),
      { numRuns: RUNS },
    );
  });

  it('on random bodies given to every decoder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.uint8Array({ maxLength: 400 }), (type, body) => {
        onlyDecodeErrors(() => reencode(decodePduBody(type, body)));
      }),
      { numRuns: RUNS },
    );
  });

  it('on mutated, truncated and concatenated valid PDUs', () => {
    const mutation = fc.record({
      seeds: fc.array(fc.nat({ max: SEEDS.length - 1 }), { minLength: 1, maxLength: 3 }),
      flips: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      cuts: fc.array(fc.nat({ max: 1200 }), { maxLength: 5 }),
    });
    fc.assert(
      fc.property(mutation, ({ seeds, flips, cut, cuts }) => {
        const parts = seeds.map((s) => SEEDS[s]!);
        const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) {
          bytes.set(p, at);
          at += p.length;
        }
        for (const f of flips) bytes[f.at % bytes.length] = f.byte;
        onlyDecodeErrors(() => readAll(cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1)), cuts));
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
