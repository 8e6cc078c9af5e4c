import { describe, expect, it } from 'vitest';
import { answerFindNegotiation, answerRetrieveNegotiation, findNegotiationRequest, retrieveNegotiationRequest } from './extended-negotiation.js';
import { PatientRootQueryRetrieveInformationModelGet, StudyRootQueryRetrieveInformationModelFind, StudyRootQueryRetrieveInformationModelMove } from './uids.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const find = (...requested: number[]) => answerFindNegotiation(StudyRootQueryRetrieveInformationModelFind, bytes(...requested));

describe('answerFindNegotiation (PS3.4 C.5.1.1)', () => {
  it('offered one byte, answers one byte: relational-queries accepted when asked', () => {
    expect(find(1)).toEqual(bytes(1));
    expect(find(0)).toEqual(bytes(0));
  });

  it('accepts relational-queries and combined date-time matching; declines fuzzy names, timezone adjustment and the rest', () => {
    expect(find(1, 1)).toEqual(bytes(1, 1));
    expect(find(0, 1)).toEqual(bytes(0, 1));
    expect(find(1, 1, 1, 1)).toEqual(bytes(1, 1, 0, 0));
    expect(find(1, 1, 1, 1, 1, 1, 1)).toEqual(bytes(1, 1, 0, 0, 0, 0, 0));
  });

  it('never answers more sub-fields than the standard defines (7): the ones left out count as 0', () => {
    expect(answerFindNegotiation(StudyRootQueryRetrieveInformationModelFind, new Uint8Array(30_000).fill(1))).toEqual(bytes(1, 1, 0, 0, 0, 0, 0));
  });

  it('a byte other than 1 is no request; an empty field gets no sub-item', () => {
    expect(find(2, 0xff)).toEqual(bytes(0, 0));
    expect(find()).toBeUndefined();
  });
});

describe('answerRetrieveNegotiation (PS3.4 C.5.2.1, C.5.3.1)', () => {
  it('accepts relational-retrieval, declines Enhanced Multi-Frame Image Conversion, at most 2 bytes', () => {
    expect(answerRetrieveNegotiation(StudyRootQueryRetrieveInformationModelMove, bytes(1))).toEqual(bytes(1));
    expect(answerRetrieveNegotiation(PatientRootQueryRetrieveInformationModelGet, bytes(1, 1))).toEqual(bytes(1, 0));
    expect(answerRetrieveNegotiation(StudyRootQueryRetrieveInformationModelMove, bytes(0, 1, 1))).toEqual(bytes(0, 0));
    expect(answerRetrieveNegotiation(StudyRootQueryRetrieveInformationModelMove, bytes())).toBeUndefined();
  });
});

describe('what an SCU proposes', () => {
  it('the shortest field that says it', () => {
    expect(findNegotiationRequest({ relational: true })).toEqual(bytes(1));
    expect(findNegotiationRequest({ combineDateTime: true })).toEqual(bytes(0, 1));
    expect(findNegotiationRequest({ relational: true, combineDateTime: true })).toEqual(bytes(1, 1));
    expect(retrieveNegotiationRequest({ relational: true })).toEqual(bytes(1));
  });
});
