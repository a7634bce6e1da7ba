import { DeciderSpecification } from '@access-ledger/core/testing';
import { PermissionLevel, can } from '@access-ledger/directory';
import {
  AddProfessionals,
  CareCaller,
  ChangeWorkflowSettings,
  CreateWorkflow,
  ExistingWorkflow,
  ProfessionalAddedToWorkflow,
  ProfessionalFacts,
  WorkflowCommand,
  WorkflowCreated,
  WorkflowEvent,
  WorkflowState,
  professionalOf,
  workflowDecider,
} from './index';

const ORG = 'org-1';
const OTHER = 'org-2';
const creation = '2026-05-01T09:00:00.000Z';
const now = '2026-05-02T10:00:00.000Z';

/**
 * A member as care access sees them: whether they manage workflows follows from their
 * permission level (the directory's table; the API resolves it the same way from the token).
 */
const member = (level: PermissionLevel, organisationId = ORG, userId = `u-${level}`): CareCaller => ({
  id: `sub-${userId}`,
  email: `${userId}@org.example`,
  name: null,
  userId,
  organisationId,
  administrator: can(level, 'manage_workflows'),
  professional: false,
  auditor: false,
});
const outsider: CareCaller = { id: 'sub-x', email: 'x@example.org', name: null, userId: null, organisationId: null, administrator: false, professional: false, auditor: false };
const admin = member('administrator');

const given = DeciderSpecification.for(workflowDecider);
const fold = (events: readonly WorkflowEvent[]): WorkflowState => events.reduce(workflowDecider.evolve, workflowDecider.initialState());

const ids = { workflowId: 'wf-1', organisationId: ORG };
const created: WorkflowCreated = {
  type: 'WorkflowCreated',
  data: { ...ids, name: 'Diabetes follow-up', project: null, allowAppendProfessionals: false, createdAt: creation },
};
const facts = (userId: string, overrides: Partial<NonNullable<ProfessionalFacts>> = {}): ProfessionalFacts => ({
  userId,
  organisationId: ORG,
  name: `Name of ${userId}`,
  professional: true,
  active: true,
  ...overrides,
});
const added = (userId: string, days = 30, reason = 'Follows up the results', addedAt = creation): ProfessionalAddedToWorkflow => ({
  type: 'ProfessionalAddedToWorkflow',
  data: { ...ids, professional: { id: userId, name: `Name of ${userId}` }, days, reason, addedAt },
});

const create = (overrides: Partial<CreateWorkflow> = {}): CreateWorkflow => ({
  type: 'CreateWorkflow',
  caller: admin,
  organisationId: ORG,
  workflowId: 'wf-1',
  organisationExists: true,
  name: ' Diabetes follow-up ',
  project: null,
  allowAppendProfessionals: false,
  now: creation,
  ...overrides,
});
const changeSettings = (allowAppendProfessionals: boolean, overrides: Partial<ChangeWorkflowSettings> = {}): ChangeWorkflowSettings => ({
  type: 'ChangeWorkflowSettings',
  caller: admin,
  organisationId: ORG,
  allowAppendProfessionals,
  now,
  ...overrides,
});
const addProfessionals = (professionals: readonly (string | { id: string; facts: ProfessionalFacts })[], overrides: Partial<AddProfessionals> = {}): AddProfessionals => ({
  type: 'AddProfessionals',
  caller: admin,
  organisationId: ORG,
  professionals: professionals.map((p) => (typeof p === 'string' ? { id: p, facts: facts(p) } : p)),
  days: 30,
  reason: 'Follows up the results',
  now,
  ...overrides,
});

describe('creating a workflow', () => {
  it('is recorded for an administrator of the organisation, name trimmed, no project', () => given().when(create()).then([created]));

  it('keeps a project, trimmed, and whether professionals may be appended later', () =>
    given()
      .when(create({ project: '  Study 7 ', allowAppendProfessionals: true }))
      .then([{ type: 'WorkflowCreated', data: { ...created.data, project: 'Study 7', allowAppendProfessionals: true } }]));

  it.each([
    ['an administrator of the organisation', member('administrator')],
    ['a lead administrator of the organisation', member('lead_administrator')],
  ])('is allowed to %s', (_who, caller) => given().when(create({ caller })).then([created]));

  it.each([
    ['a recorder of the organisation', member('recorder')],
    ['an administrator of another organisation', member('administrator', OTHER)],
    ['a lead administrator of another organisation', member('lead_administrator', OTHER)],
    ['someone outside the directory', outsider],
    ['an auditor', { ...outsider, auditor: true }],
  ])('is refused to %s', (_who, caller) => given().when(create({ caller })).thenThrows('not-an-administrator', 'forbidden'));

  it('answers not found for an organisation that does not exist', () => given().when(create({ organisationExists: false })).thenThrows('organisation-not-found', 'not_found'));

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['201 characters', 'n'.repeat(201)],
  ])('refuses a name that is %s', (_what, name) => given().when(create({ name })).thenThrows('invalid-name', 'validation'));

  it('takes a name of 200 characters and a project of 200', () =>
    given()
      .when(create({ name: 'n'.repeat(200), project: 'p'.repeat(200) }))
      .then([{ type: 'WorkflowCreated', data: { ...created.data, name: 'n'.repeat(200), project: 'p'.repeat(200) } }]));

  it.each([
    ['blank', '  '],
    ['201 characters', 'p'.repeat(201)],
  ])('refuses a project that is %s (no project is null)', (_what, project) => given().when(create({ project })).thenThrows('invalid-project', 'validation'));

  it('refuses creating it twice', () => given([created]).when(create()).thenThrows('workflow-already-exists', 'conflict'));

  it('folds to an active workflow with no professionals yet', () =>
    expect(fold([created])).toEqual({
      status: 'active',
      workflowId: 'wf-1',
      organisationId: ORG,
      name: 'Diabetes follow-up',
      project: null,
      allowAppendProfessionals: false,
      professionals: [],
      createdAt: creation,
    }));
});

describe('changing the settings', () => {
  it('records that professionals may be appended from now on, and the state follows', () => {
    const changed: WorkflowEvent = { type: 'WorkflowSettingsChanged', data: { ...ids, allowAppendProfessionals: true, changedAt: now } };
    given([created]).when(changeSettings(true)).then([changed]);
    expect(fold([created, changed])).toMatchObject({ allowAppendProfessionals: true });
    given([created, changed]).when(changeSettings(false)).then([{ type: 'WorkflowSettingsChanged', data: { ...ids, allowAppendProfessionals: false, changedAt: now } }]);
  });

  it('records nothing when the setting is already so', () => given([created]).when(changeSettings(false)).thenNothingHappens());

  it('is for administrators of the workflow’s organisation only', () => {
    given([created]).when(changeSettings(true, { caller: member('recorder') })).thenThrows('not-an-administrator', 'forbidden');
    given([created]).when(changeSettings(true, { caller: member('administrator', OTHER) })).thenThrows('not-an-administrator', 'forbidden');
    given([created]).when(changeSettings(true, { caller: outsider })).thenThrows('not-an-administrator', 'forbidden');
  });

  it('answers not found for no workflow, or one of another organisation than the path’s', () => {
    given().when(changeSettings(true)).thenThrows('workflow-not-found', 'not_found');
    given([created]).when(changeSettings(true, { organisationId: OTHER, caller: member('administrator', OTHER) })).thenThrows('workflow-not-found', 'not_found');
  });
});

describe('adding professionals up front (option 1)', () => {
  it('records each with the days and the reason (trimmed), in the order named', () =>
    given([created])
      .when(addProfessionals(['u-pro', 'u-pro2'], { reason: '  Follows up the results ' }))
      .then([added('u-pro', 30, 'Follows up the results', now), added('u-pro2', 30, 'Follows up the results', now)]));

  it.each([1, 3650])('takes %i days', (days) => given([created]).when(addProfessionals(['u-pro'], { days })).then([added('u-pro', days, 'Follows up the results', now)]));

  it.each([0, 3651, 1.5, -1, Number.NaN])('refuses %p days', (days) => given([created]).when(addProfessionals(['u-pro'], { days })).thenThrows('invalid-days', 'validation'));

  it('takes a reason of 1 and of 500 characters', () => {
    given([created]).when(addProfessionals(['u-pro'], { reason: 'r' })).then([added('u-pro', 30, 'r', now)]);
    given([created]).when(addProfessionals(['u-pro'], { reason: 'r'.repeat(500) })).then([added('u-pro', 30, 'r'.repeat(500), now)]);
  });

  it.each([
    ['empty', ''],
    ['blank', '  '],
    ['501 characters', 'r'.repeat(501)],
  ])('refuses a reason that is %s', (_what, reason) => given([created]).when(addProfessionals(['u-pro'], { reason })).thenThrows('invalid-reason', 'validation'));

  it('refuses an empty list', () => given([created]).when(addProfessionals([])).thenThrows('no-professionals', 'validation'));

  it('answers not found for a user of another organisation, or no such user, as the directory does', () => {
    given([created]).when(addProfessionals([{ id: 'u-far', facts: facts('u-far', { organisationId: OTHER }) }])).thenThrows('professional-not-found', 'not_found');
    given([created]).when(addProfessionals([{ id: 'u-none', facts: null }])).thenThrows('professional-not-found', 'not_found');
  });

  it('refuses a user without the professional designation', () =>
    given([created]).when(addProfessionals([{ id: 'u-rec', facts: facts('u-rec', { professional: false }) }])).thenThrows('not-a-professional', 'validation'));

  it('refuses a deactivated professional', () =>
    given([created]).when(addProfessionals([{ id: 'u-gone', facts: facts('u-gone', { active: false }) }])).thenThrows('professional-deactivated', 'conflict'));

  it('refuses adding a professional again, with the same days or others: their days are set once', () => {
    given([created, added('u-pro')]).when(addProfessionals(['u-pro'])).thenThrows('professional-already-added', 'conflict');
    given([created, added('u-pro')]).when(addProfessionals(['u-pro'], { days: 365 })).thenThrows('professional-already-added', 'conflict');
  });

  it('refuses a professional named twice in one list', () =>
    given([created]).when(addProfessionals(['u-pro', 'u-pro2', 'u-pro'])).thenThrows('duplicate-professional', 'validation'));

  it('adds all of the list or none: one refused professional refuses the whole list', () => {
    given([created, added('u-pro')]).when(addProfessionals(['u-new', 'u-pro'])).thenThrows('professional-already-added', 'conflict');
    given([created]).when(addProfessionals(['u-new', { id: 'u-far', facts: facts('u-far', { organisationId: OTHER }) }])).thenThrows('professional-not-found', 'not_found');
    given([created]).when(addProfessionals(['u-new', { id: 'u-gone', facts: facts('u-gone', { active: false }) }])).thenThrows('professional-deactivated', 'conflict');
  });

  it('is for administrators of the workflow’s organisation only, on a workflow that exists there', () => {
    given([created]).when(addProfessionals(['u-pro'], { caller: member('recorder') })).thenThrows('not-an-administrator', 'forbidden');
    given([created]).when(addProfessionals(['u-pro'], { caller: member('lead_administrator', OTHER) })).thenThrows('not-an-administrator', 'forbidden');
    given().when(addProfessionals(['u-pro'])).thenThrows('workflow-not-found', 'not_found');
    given([created]).when(addProfessionals(['u-pro'], { organisationId: OTHER, caller: member('administrator', OTHER) })).thenThrows('workflow-not-found', 'not_found');
  });

  it('folds the professionals in the order added, each with their days, reason and when', () => {
    const state = fold([created, added('u-pro', 30), added('u-pro2', 7, 'Second opinion', now)]) as ExistingWorkflow;
    expect(state.professionals).toEqual([
      { professional: { id: 'u-pro', name: 'Name of u-pro' }, days: 30, reason: 'Follows up the results', addedAt: creation },
      { professional: { id: 'u-pro2', name: 'Name of u-pro2' }, days: 7, reason: 'Second opinion', addedAt: now },
    ]);
    expect(professionalOf(state, 'u-pro2')?.days).toBe(7);
    expect(professionalOf(state, 'u-none')).toBeUndefined();
  });

  describe('no command changes a professional’s days', () => {
    /** One attempt per command type (a new command type does not compile until it is listed here). */
    const attempts: Record<WorkflowCommand['type'], WorkflowCommand> = {
      CreateWorkflow: create({ allowAppendProfessionals: true }),
      ChangeWorkflowSettings: changeSettings(true),
      AddProfessionals: addProfessionals(['u-new', 'u-pro'], { days: 3650 }),
    };
    it.each(Object.entries(attempts))('%s leaves the days as they were added', (_type, command) => {
      const history: WorkflowEvent[] = [created, added('u-pro', 30)];
      let events: readonly WorkflowEvent[] = [];
      try {
        events = workflowDecider.decide(command, fold(history));
      } catch {
        // Refused: nothing changes.
      }
      const after = fold([...history, ...events]) as ExistingWorkflow;
      expect(after.professionals.filter((p) => p.professional.id === 'u-pro').map((p) => p.days)).toEqual([30]);
    });
  });
});
