import { DomainError } from '@access-ledger/core';
import { RequestReader, requestReadPolicy } from './policy';

const A = 'org-a';
const B = 'org-b';
const reader = (id: string, spocOf: string | null = null, auditor = false): RequestReader => ({ id, spocOf, auditor });
const requestTo = (organisationId: string) => ({ organisationId, requester: { id: 'sub-req', email: 'req@example.org', name: null } });

/** `allowed`, or the code of the refusal. */
const outcome = (rule: () => void): string => {
  try {
    rule();
    return 'allowed';
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'forbidden') return error.code;
    throw error;
  }
};

const readers: [string, RequestReader, string, string, string, string][] = [
  //  who                                    reader                          overview A    overview B    request to A   request to B
  ['an auditor',                             reader('sub-audit', null, true), 'allowed',    'allowed',    'allowed',     'allowed'],
  ['a SPOC of A',                            reader('sub-spoc', A),           'allowed',    'not-a-spoc', 'allowed',     'not-allowed'],
  ['the requester',                          reader('sub-req'),               'not-a-spoc', 'not-a-spoc', 'allowed',     'allowed'],
  ['the requester, as a SPOC of B',          reader('sub-req', B),            'not-a-spoc', 'allowed',    'allowed',     'allowed'],
  ['anyone else (platform staff, members who are no SPOC)', reader('sub-x'), 'not-a-spoc', 'not-a-spoc', 'not-allowed', 'not-allowed'],
];

describe('access-request read policy', () => {
  describe.each(readers)('%s', (_who, who, overviewA, overviewB, requestA, requestB) => {
    it(`reads the overview of A: ${overviewA}; of B: ${overviewB}`, () => {
      expect(outcome(() => requestReadPolicy.overview(who, A))).toBe(overviewA);
      expect(outcome(() => requestReadPolicy.overview(who, B))).toBe(overviewB);
    });
    it(`reads a request to A: ${requestA}; to B: ${requestB}`, () => {
      expect(outcome(() => requestReadPolicy.getRequest(who, requestTo(A)))).toBe(requestA);
      expect(outcome(() => requestReadPolicy.getRequest(who, requestTo(B)))).toBe(requestB);
    });
    it('lists their own requests, and only those', () => expect(requestReadPolicy.myRequests(who)).toEqual({ requesterId: who.id }));
  });
});
