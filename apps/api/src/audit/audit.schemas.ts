import { s } from '@access-ledger/platform';
import { BASIS, REFUSAL } from '../care-access/care.schemas';

/** The audit endpoints' answers as the OpenAPI document describes them (docs/api.md, "Audit"). */

const ACTOR = s.named('ActorRef', s.object({ id: s.string({ description: 'The token’s sub.' }), email: s.string(), organisationId: s.nullable(s.uuid()) }));
const STREAM_ID = s.string({ description: '<category>-<id>' });

export const TIMELINE = s.named(
  'Timeline',
  s.object({
    streamId: STREAM_ID,
    revision: s.integer({ minimum: 0, description: 'The stream’s last revision.' }),
    entries: s.list(
      s.object(
        {
          position: s.integer({ minimum: 0 }),
          revision: s.integer({ minimum: 0 }),
          at: s.instant(),
          type: s.string({ description: 'The event type.' }),
          actor: ACTOR,
          summary: s.string(),
          changes: s.list(s.object({ field: s.string(), from: s.any('The value before (null: none).'), to: s.any('The value after (null: none).') })),
          reason: s.string(),
          correlationId: s.string(),
        },
        { optional: ['reason'] },
      ),
      'Oldest first.',
    ),
  }),
);

export const STATE_AS_OF = s.named(
  'StateAsOf',
  s.object({
    state: s.object({}, { open: true, description: 'The entity’s state as the live deciders fold it (a grant: { participantId, grant, assignment, activeAt }).' }),
    revision: s.integer({ minimum: 0, description: 'The last event folded.' }),
    asOf: s.instant(),
  }),
);

const STEP = s.named('Step', s.object({ type: s.string(), at: s.instant(), by: ACTOR, position: s.integer({ minimum: 0 }), revision: s.integer({ minimum: 0 }) }));
export const ACCESS_ANSWER = s.named(
  'AccessAnswer',
  s.object({
    participantId: s.string(),
    professionalId: s.uuid(),
    workflowId: s.uuid(),
    at: s.instant(),
    access: s.boolean(),
    basis: s.nullable(BASIS),
    revision: s.nullable(s.integer({ minimum: 0 })),
    enrolledAt: s.nullable(s.instant()),
    link: s.nullable(
      s.object({
        workflowId: s.uuid(),
        professional: s.object({ id: s.uuid(), name: s.string() }),
        status: s.oneOf(['active', 'declined', 'pending_consent', 'withdrawn', 'expired']),
        grantId: s.nullable(s.uuid()),
        assignmentId: s.nullable(s.uuid()),
        until: s.nullable(s.instant()),
        refusedBefore: s.boolean(),
      }),
    ),
    grant: s.nullable(
      s.object({
        grantId: s.uuid(),
        basis: BASIS,
        assignmentId: s.nullable(s.uuid()),
        reason: s.string(),
        from: s.instant(),
        until: s.instant(),
        granted: STEP,
        ended: s.nullable(s.object({ how: s.oneOf(['withdrawn', 'expired']), at: s.instant(), recorded: s.nullable(STEP) })),
      }),
    ),
    resultsRequests: s.object({
      window: s.object({ from: s.instant(), to: s.instant(), around: s.oneOf(['grant', 'at']), marginDays: s.integer({ minimum: 0 }) }),
      items: s.list(
        s.object({
          at: s.instant(),
          decision: s.oneOf(['granted', 'refused']),
          refusal: s.nullable(REFUSAL),
          grantId: s.nullable(s.uuid()),
          grantVersion: s.nullable(s.integer({ minimum: 0 })),
          by: ACTOR,
          position: s.integer({ minimum: 0 }),
          revision: s.integer({ minimum: 0 }),
        }),
      ),
    }),
  }),
);

export const RAW_STREAM = s.named(
  'RawStream',
  s.object({
    streamId: STREAM_ID,
    events: s.list(
      s.named(
        'StoredEvent',
        s.object({
          eventId: s.uuid(),
          type: s.string(),
          streamId: STREAM_ID,
          revision: s.integer({ minimum: 0 }),
          position: s.integer({ minimum: 0 }),
          data: s.object({}, { open: true, description: 'As stored (not upcast).' }),
          metadata: s.object(
            {
              occurredAt: s.instant(),
              actor: s.object({ id: s.string(), email: s.string(), organisationId: s.nullable(s.uuid()), roles: s.list(s.string()) }, { optional: ['organisationId'] }),
              correlationId: s.string(),
              causationId: s.string(),
              commandId: s.string(),
              schemaVersion: s.integer({ minimum: 1 }),
              streamHash: s.string({ description: 'The stream’s hash chain (docs/events.md); absent on events stored before it.' }),
            },
            { optional: ['streamHash'], open: true },
          ),
        }),
      ),
    ),
    nextRevision: s.nullable(s.integer({ minimum: 0, description: 'Send as fromRevision for the next page; null on the last.' })),
  }),
);

export const FHIR_CONSENT = s.named(
  'FhirConsent',
  s.object({ resourceType: s.oneOf(['Consent']), id: s.uuid() }, { open: true, description: 'A FHIR R4 Consent (docs/api.md, "Audit: FHIR").' }),
);
