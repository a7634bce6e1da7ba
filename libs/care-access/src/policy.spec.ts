import { DomainError } from '@access-ledger/core';
import { CareCaller } from './caller';
import { careReadPolicy } from './policy';

const A = 'org-a';
const B = 'org-b';
const reader = (id: string, overrides: Partial<CareCaller> = {}): CareCaller => ({
  id,
  email: `${id}@example.org`,
  name: null,
  userId: null,
  organisationId: null,
  administrator: false,
  professional: false,
  auditor: false,
  ...overrides,
});
const member = (id: string, organisationId: string, overrides: Partial<CareCaller> = {}) => reader(id, { userId: `u-${id}`, organisationId, ...overrides });

/** `allowed` (or the scope the rule answers), or the code of the refusal. */
const outcome = (rule: () => unknown): unknown => {
  try {
    return rule() ?? 'allowed';
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'forbidden') return error.code;
    throw error;
  }
};

const ADMIN = 'not-an-administrator';
const PRO = 'not-a-professional';

const readers: [string, CareCaller, string, string, unknown][] = [
  //  who                                                   reader                                                              workflows of A  workflows of B  my participants
  ['an administrator or lead administrator of A',           member('ada', A, { administrator: true }),                          'allowed',      ADMIN,          PRO],
  ['an administrator of A who is a professional too',       member('adpro', A, { administrator: true, professional: true }),   'allowed',      ADMIN,          { professionalId: 'u-adpro' }],
  ['a professional of A',                                   member('pat', A, { professional: true }),                           ADMIN,          ADMIN,          { professionalId: 'u-pat' }],
  ['a recorder of A',                                       member('rex', A),                                                   ADMIN,          ADMIN,          PRO],
  ['an auditor',                                            reader('aud', { auditor: true }),                                   'allowed',      'allowed',      PRO],
  ['a deactivated professional (no longer one for their token)', member('gone', A),                                             ADMIN,          ADMIN,          PRO],
  ['a participant, outside the directory',                  reader('pia'),                                                      ADMIN,          ADMIN,          PRO],
  ['a professional flag without a directory user',          reader('odd', { professional: true }),                              ADMIN,          ADMIN,          PRO],
];

describe('care-access read policy', () => {
  describe.each(readers)('%s', (_who, who, workflowsOfA, workflowsOfB, myParticipants) => {
    it(`reads the workflows of A: ${workflowsOfA}; of B: ${workflowsOfB}`, () => {
      expect(outcome(() => careReadPolicy.organisationWorkflows(who, A))).toBe(workflowsOfA);
      expect(outcome(() => careReadPolicy.organisationWorkflows(who, B))).toBe(workflowsOfB);
    });
    it(`lists the participants they may see: ${JSON.stringify(myParticipants)}`, () => expect(outcome(() => careReadPolicy.myParticipants(who))).toEqual(myParticipants));
    it('sees who may see their own results, and only theirs (by sub)', () => expect(careReadPolicy.myAccess(who)).toEqual({ participantId: who.id }));
    it('sees their own consent prompts, and only theirs (by sub)', () => expect(careReadPolicy.myConsentPrompts(who)).toEqual({ participantId: who.id }));
  });
});
