import { CommandContext, Recorded } from '@access-ledger/core';
import { handleCommand } from '@access-ledger/event-store';
import { ParticipantCommand, ParticipantEvent, ParticipantRef, participantDecider, participantStream } from '@access-ledger/care-access';
import { workflowOf } from '../../libs/care-access/src/testing/workflows';
import { appliedTwice } from '../testing/applied-twice';
import { incrementalAndRebuilt } from '../testing/incremental-and-rebuilt';
import { CARE_GRANTS, CareGrant, careGrantsProjection } from './care-grants.projection';
import { activeGrantsByUntil, dueForExpiry } from './due-for-expiry';

const pia: ParticipantRef = { id: 'sub-pia', email: 'pia@example.org', name: 'Pia Park' };
const pro = { id: 'u-pro', name: 'Dr Pro' };
const of = { workflowId: 'wf-1', organisationId: 'o1', participantId: pia.id };

let position = 0;
const recorded = <E extends ParticipantEvent>(event: E, occurredAt: string): Recorded<E> => ({
  ...event,
  eventId: `e${(position += 1)}`,
  streamId: participantStream(pia.id),
  revision: position,
  position,
  metadata: { occurredAt, actor: { id: pia.id, email: pia.email, roles: [] }, correlationId: 'c', causationId: 'c', commandId: `c${position}`, schemaVersion: 1 },
});

const promptAccepted = (grantId = 'g-1') =>
  recorded(
    {
      type: 'ConsentGiven',
      data: { ...of, grantId, participant: pia, professional: pro, basis: 'prior_consent', assignmentId: null, reason: 'Follow-up', from: '2026-05-02T10:00:00.000Z', until: '2026-06-01T10:00:00.000Z', givenAt: '2026-05-02T10:00:00.000Z' },
    },
    '2026-05-02T10:00:00.000Z',
  );
const mailAccepted = (grantId = 'g-m') =>
  recorded(
    {
      type: 'ConsentGiven',
      data: { ...of, grantId, participant: { ...pia, name: null }, professional: pro, basis: 'mail_consent', assignmentId: 'as-2', reason: 'Second look', from: '2026-05-04T08:00:00.000Z', until: '2026-08-01T00:00:00.000Z', givenAt: '2026-05-04T08:00:00.000Z' },
    },
    '2026-05-04T08:00:00.000Z',
  );
const assigned = (status: 'active' | 'pending_consent', grantId = 'g-a') =>
  recorded(
    {
      type: 'ProfessionalAssigned',
      data: { ...of, assignmentId: 'as-1', participant: pia, professional: pro, endDate: '2026-08-01T00:00:00.000Z', reason: 'Needs a look', status, grantId: status === 'active' ? grantId : null, assignedAt: '2026-05-03T08:00:00.000Z' },
    },
    '2026-05-03T08:00:00.000Z',
  );
const withdrawn = (grantId = 'g-1') =>
  recorded({ type: 'ConsentWithdrawn', data: { ...of, grantId, professionalId: pro.id, withdrawnAt: '2026-05-10T12:00:00.000Z' } }, '2026-05-10T12:00:00.000Z');
const expired = (grantId = 'g-1', until = '2026-06-01T10:00:00.000Z') =>
  recorded({ type: 'AccessExpired', data: { ...of, grantId, professionalId: pro.id, until, recordedAt: '2026-06-01T10:01:00.000Z' } }, '2026-06-01T10:01:00.000Z');

type GrantEvent = Parameters<typeof careGrantsProjection.evolve>[1];
const grant = (events: GrantEvent[]) => events.reduce<CareGrant | null>((doc, e) => careGrantsProjection.evolve(doc, e), null);

describe('care grants projection', () => {
  it('is the care_grants read model, with the fields and indexes its readers use', () => {
    expect(CARE_GRANTS).toBe('care_grants');
    expect(careGrantsProjection.name).toBe(CARE_GRANTS);
    expect(careGrantsProjection.collection.name).toBe(CARE_GRANTS);
    expect(careGrantsProjection.collection.fields).toEqual(['participantId', 'professionalId', 'workflowId', 'organisationId', 'status', 'until', 'from', 'updatedAt']);
    expect(careGrantsProjection.collection.indexes).toEqual(
      expect.arrayContaining([['status', 'until'], ['professionalId', 'status', 'until'], ['professionalId', 'workflowId', 'status', 'until'], ['participantId', 'status', 'until'], ['participantId', 'from']]),
    );
    expect([...careGrantsProjection.handles].sort()).toEqual(['AccessExpired', 'ConsentGiven', 'ConsentWithdrawn', 'ProfessionalAssigned']);
  });

  it('makes an active grant from an accepted prompt, under the grant’s id', () => {
    const event = promptAccepted();
    expect(careGrantsProjection.documentId(event)).toBe('g-1');
    expect(grant([event])).toEqual({
      id: 'g-1',
      participantId: 'sub-pia',
      participantEmail: 'pia@example.org',
      participantName: 'Pia Park',
      workflowId: 'wf-1',
      organisationId: 'o1',
      professionalId: 'u-pro',
      professionalName: 'Dr Pro',
      basis: 'prior_consent',
      assignmentId: null,
      reason: 'Follow-up',
      from: '2026-05-02T10:00:00.000Z',
      until: '2026-06-01T10:00:00.000Z',
      status: 'active',
      endedAt: null,
      updatedAt: '2026-05-02T10:00:00.000Z',
    });
  });

  it('makes one from an accepted mail request, with its assignment', () =>
    expect(grant([mailAccepted()])).toMatchObject({ id: 'g-m', basis: 'mail_consent', assignmentId: 'as-2', participantName: null, from: '2026-05-04T08:00:00.000Z', until: '2026-08-01T00:00:00.000Z' }));

  it('makes one from an assignment active at once: from its assignment until its end date, by append consent', () =>
    expect(grant([assigned('active')])).toMatchObject({
      id: 'g-a',
      basis: 'append_consent',
      assignmentId: 'as-1',
      reason: 'Needs a look',
      from: '2026-05-03T08:00:00.000Z',
      until: '2026-08-01T00:00:00.000Z',
      status: 'active',
      updatedAt: '2026-05-03T08:00:00.000Z',
    }));

  it('makes none from an assignment waiting for consent', () => {
    const event = assigned('pending_consent');
    expect(careGrantsProjection.documentId(event)).toBeNull();
    expect(careGrantsProjection.evolve(null, event)).toBeNull();
  });

  it('ends a grant withdrawn at the withdrawal, and one expired at its until', () => {
    expect(grant([promptAccepted(), withdrawn()])).toMatchObject({ status: 'withdrawn', endedAt: '2026-05-10T12:00:00.000Z', updatedAt: '2026-05-10T12:00:00.000Z', until: '2026-06-01T10:00:00.000Z' });
    expect(grant([promptAccepted(), expired()])).toMatchObject({ status: 'expired', endedAt: '2026-06-01T10:00:00.000Z', updatedAt: '2026-06-01T10:01:00.000Z' });
  });

  it('does not bring back a grant it has not seen made', () => {
    expect(grant([withdrawn('g-x')])).toBeNull();
    expect(grant([expired('g-x')])).toBeNull();
  });

  it('never lets the event that made a grant reset it when delivered again', () => {
    const made = promptAccepted();
    expect(grant([made, withdrawn(), made])).toMatchObject({ status: 'withdrawn' });
  });

  const everyType = [
    ['ConsentGiven (prompt)', [], promptAccepted('g-9')],
    ['ConsentGiven (mail)', [], mailAccepted('g-9')],
    ['ProfessionalAssigned (active)', [], assigned('active', 'g-9')],
    ['ConsentWithdrawn', [promptAccepted('g-9')], withdrawn('g-9')],
    ['AccessExpired', [assigned('active', 'g-9')], expired('g-9', '2026-08-01T00:00:00.000Z')],
  ] as const;

  it.each(everyType)('gives the same grant when %s is delivered twice through the store', async (_type, before, event) => {
    const { once, twice } = await appliedTwice(careGrantsProjection, before, event);
    expect(once).toHaveLength(1);
    expect(twice).toEqual(once);
  });

  it('keeps no document when an assignment waiting for consent is delivered twice', async () => {
    const { once, twice } = await appliedTwice(careGrantsProjection, [], assigned('pending_consent'));
    expect(once).toEqual([]);
    expect(twice).toEqual([]);
  });

  it('rebuilds exactly what incremental processing produced, from the events the participant decider writes', async () => {
    const wf = workflowOf({ allowAppendProfessionals: true, professionals: [{ ...pro, days: 30 }] });
    const other = { id: 'u-other', name: 'Dr Other' };

    const { incremental, rebuilt, events } = await incrementalAndRebuilt(careGrantsProjection, async (store) => {
      let n = 0;
      const run = (participant: ParticipantRef, command: ParticipantCommand) => {
        n += 1;
        const context: CommandContext = { commandId: `cmd-${n}`, actor: { id: participant.id, email: participant.email, roles: [] }, now: command.now, correlationId: `c-${n}`, causationId: `c-${n}` };
        return handleCommand(store, participantDecider, participantStream(participant.id), command, context);
      };
      for (let i = 0; i < 12; i += 1) {
        const participant: ParticipantRef = { id: `sub-${i}`, email: `p${i}@example.org`, name: i % 2 ? `Participant ${i}` : null };
        const day = (d: number) => `2026-05-${String(d).padStart(2, '0')}T09:00:00.000Z`;
        await run(participant, { type: 'EnrolParticipant', workflow: wf, participant, appendConsent: i % 3 !== 0, now: day(2) });
        await run(participant, { type: 'AnswerConsentPrompt', workflow: wf, professionalId: pro.id, decision: i % 4 === 0 ? 'decline' : 'accept', grantId: `g-${i}-prompt`, now: day(3) });
        await run(participant, {
          type: 'AssignProfessional',
          caller: { id: 'sub-admin', email: 'admin@example.org', name: null, userId: 'u-admin', organisationId: wf.organisationId, administrator: true, professional: false, auditor: false },
          organisationId: wf.organisationId,
          workflow: wf,
          participantId: participant.id,
          assignmentId: `as-${i}`,
          grantId: `g-${i}-assigned`,
          professional: { id: other.id, facts: { userId: other.id, organisationId: wf.organisationId, name: other.name, professional: true, active: true } },
          endDate: '2026-09-01T00:00:00.000Z',
          reason: 'Second look',
          now: day(4),
        });
        if (i % 3 === 0) await run(participant, { type: 'AnswerAssignment', assignmentId: `as-${i}`, decision: 'accept', grantId: `g-${i}-mail`, now: day(5) });
        if (i % 5 === 1) await run(participant, { type: 'WithdrawConsent', grantId: `g-${i}-prompt`, now: day(6) });
        await run(participant, { type: 'ExpireAccess', grantId: `g-${i}-prompt`, now: '2026-06-10T00:00:00.000Z' });
        await run(participant, { type: 'RequestResultsAccess', workflow: wf, asker: { userId: other.id, professionalOfOrganisation: true, active: true }, now: '2026-06-10T00:00:00.000Z' });
      }
    });

    expect(events).toBeGreaterThan(60);
    expect(rebuilt).toEqual(incremental);
    // The history holds every kind of grant and every end, so the comparison covers them all.
    const byStatus = (status: string) => incremental.filter((g) => g.status === status).length;
    expect([byStatus('active'), byStatus('withdrawn'), byStatus('expired')]).toEqual([12, 3, 6]);
    expect(new Set(incremental.map((g) => g.basis))).toEqual(new Set(['prior_consent', 'append_consent', 'mail_consent']));
  });
});

describe('grants due for expiry', () => {
  const active = (id: string, until: string) => ({ ...grant([promptAccepted(id)])!, until });
  const page = [active('g-a', '2026-06-01T10:00:00.000Z'), active('g-b', '2026-06-01T10:00:00.001Z'), active('g-c', '2026-07-01T00:00:00.000Z')];

  it.each([
    ['before the first until', '2026-06-01T09:59:59.999Z', [], true],
    ['at the first until', '2026-06-01T10:00:00.000Z', ['g-a'], true],
    ['between two', '2026-06-15T00:00:00.000Z', ['g-a', 'g-b'], true],
    ['after the whole page', '2026-07-01T00:00:00.000Z', ['g-a', 'g-b', 'g-c'], false],
  ])('are, %s, the grants of the page up to now; the sweep goes on only when all were due', (_when, now, due, done) => {
    const outcome = dueForExpiry(page, now);
    expect(outcome.due.map((g) => g.id)).toEqual(due);
    expect(outcome.done).toBe(done);
  });

  it('are read from the active grants, soonest until first', () =>
    expect(activeGrantsByUntil(50)).toEqual({ collection: 'care_grants', query: { where: { status: 'active' }, sort: [{ field: 'until', direction: 'asc' }], pageSize: 50, after: undefined, skipTotal: true } }));
});
