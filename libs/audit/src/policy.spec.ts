import { AuditReader, auditReadPolicy } from './policy';

const reader = (overrides: Partial<AuditReader> = {}): AuditReader => ({ id: 'sub-x', email: 'x@example.org', auditor: false, leadAdministratorOf: null, ...overrides });
const READERS = {
  auditor: reader({ auditor: true }),
  'lead administrator of org-1': reader({ leadAdministratorOf: 'org-1' }),
  'lead administrator of org-2': reader({ leadAdministratorOf: 'org-2' }),
  'the participant sub-pat': reader({ id: 'sub-pat' }),
  'anyone else': reader(),
};
const allowed = (rule: () => void) => {
  try {
    rule();
    return 'yes';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('the audit read policy', () => {
  it('as a table: reader × rule', () => {
    const table = Object.fromEntries(
      Object.entries(READERS).map(([name, r]) => [
        name,
        [
          allowed(() => auditReadPolicy.auditorOnly(r)),
          allowed(() => auditReadPolicy.someOrganisationTimeline(r)),
          allowed(() => auditReadPolicy.organisationTimeline(r, 'org-1')),
          allowed(() => auditReadPolicy.organisationTimeline(r, null)),
          allowed(() => auditReadPolicy.participantTimeline(r, 'sub-pat')),
        ],
      ]),
    );
    expect(table).toEqual({
      //                                 auditor only     some org timeline  org-1's timeline  no org's         sub-pat's timeline
      auditor:                         ['yes',            'yes',             'yes',            'yes',           'yes'],
      'lead administrator of org-1':   ['not-an-auditor', 'yes',             'yes',            'not-allowed',   'not-allowed'],
      'lead administrator of org-2':   ['not-an-auditor', 'yes',             'not-allowed',    'not-allowed',   'not-allowed'],
      'the participant sub-pat':       ['not-an-auditor', 'not-allowed',     'not-allowed',    'not-allowed',   'yes'],
      'anyone else':                   ['not-an-auditor', 'not-allowed',     'not-allowed',    'not-allowed',   'not-allowed'],
    });
  });
});
