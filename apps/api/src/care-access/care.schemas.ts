import { ASSIGNMENT_STATUSES_AT_ASSIGNMENT, GRANT_BASES, REFUSALS, RESULTS_DECISIONS } from '@access-ledger/care-access';
import { pageOf, POSITION, s } from '@access-ledger/platform';
import { SHOWN_LINK_STATUSES } from './queries/participants.dto';

/** Care access's answers as the OpenAPI document describes them (docs/api.md, "Care access"). */

/** A participant: the token's `sub`. */
const PARTICIPANT_ID = s.string({ description: 'The participant’s token sub.' });
export const BASIS = s.named('GrantBasis', s.oneOf(GRANT_BASES));
export const REFUSAL = s.named('Refusal', s.oneOf(REFUSALS));

export const WORKFLOW_SETTINGS = s.named('WorkflowSettings', s.object({ id: s.uuid(), allowAppendProfessionals: s.boolean(), position: POSITION }));
export const PROFESSIONALS_ADDED = s.named('ProfessionalsAdded', s.object({ professionalIds: s.list(s.uuid()), position: POSITION }));

const CONSENT_PROMPT = s.named('ConsentPrompt', s.object({ professionalId: s.uuid(), name: s.string(), days: s.integer({ minimum: 1 }), reason: s.string() }));
export const CONSENT_PROMPTS = s.named('ConsentPrompts', s.object({ items: s.list(CONSENT_PROMPT) }));
export const ENROLLED = s.named('Enrolled', s.object({ consentPrompts: s.list(CONSENT_PROMPT), appendConsentAsked: s.boolean(), position: POSITION }));

export const CONSENT_ANSWERED = s.named(
  'ConsentAnswered',
  s.object({ status: s.oneOf(['active', 'declined']), until: s.instant('When accepted: the grant’s end.'), grantId: s.uuid('When accepted.'), position: POSITION }, { optional: ['until', 'grantId'] }),
);
export const ASSIGNMENTS_MADE = s.named(
  'AssignmentsMade',
  s.object({ assignments: s.list(s.object({ id: s.uuid(), participantId: PARTICIPANT_ID, status: s.oneOf(ASSIGNMENT_STATUSES_AT_ASSIGNMENT) })), position: POSITION }),
);
export const CONSENT_WITHDRAWN = s.named('ConsentWithdrawn', s.object({ grantId: s.uuid(), status: s.oneOf(['withdrawn']), position: POSITION }));
export const RESULTS_ACCESS_ALLOWED = s.named(
  'ResultsAccessAllowed',
  s.object({ allowed: { type: 'boolean', enum: [true] }, until: s.instant(), basis: BASIS, grantId: s.uuid(), position: POSITION }, { description: 'A refusal is a 403 `no-consent` with `reason` (a Refusal) and `position`.' }),
);

export const WORKFLOWS_PAGE = pageOf(
  'WorkflowsPage',
  s.named(
    'WorkflowRow',
    s.object({
      id: s.uuid(),
      name: s.string(),
      project: s.nullable(s.string()),
      allowAppendProfessionals: s.boolean(),
      professionals: s.integer({ minimum: 0, description: 'Professionals added up front (option 1).' }),
      participants: s.integer({ minimum: 0, description: 'Participants enrolled.' }),
      createdAt: s.instant(),
      updatedAt: s.instant(),
    }),
  ),
);
export const WORKFLOW_PROFESSIONALS = s.named(
  'WorkflowProfessionals',
  s.object({ items: s.list(s.object({ professionalId: s.uuid(), name: s.string(), days: s.integer({ minimum: 1 }), reason: s.string(), addedAt: s.instant() })) }),
);
export const PARTICIPANTS_PAGE = pageOf(
  'ParticipantsPage',
  s.named(
    'ParticipantRow',
    s.object({
      participantId: PARTICIPANT_ID,
      email: s.string(),
      name: s.nullable(s.string()),
      enrolledAt: s.instant(),
      appendConsentAsked: s.boolean(),
      appendConsent: s.boolean(),
      professionals: s.list(
        s.object({ professionalId: s.uuid(), name: s.string(), status: s.oneOf(SHOWN_LINK_STATUSES), until: s.nullable(s.instant()), basis: s.nullable(BASIS) }),
        'Per professional, the link as it stands at the time of the request.',
      ),
    }),
  ),
);
export const MY_PARTICIPANTS_PAGE = pageOf(
  'MyParticipantsPage',
  s.named(
    'MyParticipant',
    s.object({ grantId: s.uuid(), participantId: PARTICIPANT_ID, email: s.string(), name: s.nullable(s.string()), workflowId: s.uuid(), basis: BASIS, from: s.instant(), until: s.instant() }),
  ),
);

const WORKFLOW_REF = s.object({ id: s.uuid(), name: s.nullable(s.string()) });
export const MY_ACCESS = s.named(
  'MyAccess',
  s.object({
    grants: s.list(
      s.object({
        grantId: s.uuid(),
        professional: s.object({ id: s.uuid(), name: s.string(), deactivated: s.boolean() }),
        workflow: WORKFLOW_REF,
        organisationId: s.uuid(),
        basis: BASIS,
        reason: s.string(),
        from: s.instant(),
        until: s.instant(),
      }),
      'Who may see my results now, the longest-lasting first (at most 100).',
    ),
    grantsTruncated: s.boolean(),
    requests: s.list(
      s.object({
        id: s.uuid(),
        askedBy: s.string(),
        professionalId: s.nullable(s.uuid()),
        workflow: WORKFLOW_REF,
        organisationId: s.uuid(),
        decision: s.oneOf(RESULTS_DECISIONS),
        basis: s.nullable(BASIS),
        refusal: s.nullable(REFUSAL),
        until: s.nullable(s.instant()),
        requestedAt: s.instant(),
      }),
      'The latest requests for my results (at most 50).',
    ),
  }),
);
