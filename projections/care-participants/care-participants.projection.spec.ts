import { Recorded } from '@access-ledger/core';
import { CareAccessEvent } from '@access-ledger/care-access';
import { appliedTwice } from '../testing/applied-twice';
import { incrementalAndRebuilt } from '../testing/incremental-and-rebuilt';
import {
  accessExpired,
  assigned,
  careLog,
  consentDeclined,
  consentGiven,
  consentRequested,
  consentWithdrawn,
  enrolled,
  person,
  professionalAdded,
  resultsRequested,
  workflowCreated,
  appendHistory,
} from '../testing/care-events';
import { deliveredInBatches, throughStore } from '../testing/through-store';
import { CareParticipantRow, careParticipantsProjection } from './care-participants.projection';

const APRIL = '2026-04-01T00:00:00.000Z';
const MAY = '2026-05-01T00:00:00.000Z';
const ann = person('ann');
const bob = person('bob', null);
const { recorded } = careLog();

const created = recorded(workflowCreated('w1'));
const addedA = recorded(professionalAdded('w1', 'pa'));
const annEnrolled = recorded(enrolled('w1', ann, true));
const bobEnrolled = recorded(enrolled('w1', bob));
const annAccepts = recorded(consentGiven('w1', ann, 'pa', 'g1', APRIL));
const bobDeclines = recorded(consentDeclined('w1', 'bob', 'pa'));
const annAssignedB = recorded(assigned('w1', ann, 'pb', 'as1', MAY, 'g2'));
const bobAssignedB = recorded(assigned('w1', bob, 'pb', 'as2', MAY, null));
const bobAsked = recorded(consentRequested('w1', bob, 'pb', 'as2', MAY));
const bobAcceptsB = recorded(consentGiven('w1', bob, 'pb', 'g3', MAY, 'as2'));
const annWithdrawsA = recorded(consentWithdrawn('w1', 'ann', 'pa', 'g1'));
const bobExpiresB = recorded(accessExpired('w1', 'bob', 'pb', 'g3', MAY));
const asked = recorded(resultsRequested('w1', 'ann', 'pb', { grantId: 'g2', until: MAY }));
const history: Recorded<CareAccessEvent>[] = [
  created,
  addedA,
  annEnrolled,
  bobEnrolled,
  annAccepts,
  bobDeclines,
  annAssignedB,
  bobAssignedB,
  bobAsked,
  bobAcceptsB,
  annWithdrawsA,
  bobExpiresB,
  asked,
];

const rowOf = (id: string, events: readonly Recorded<CareAccessEvent>[]) =>
  events
    .filter((e) => careParticipantsProjection.handles.includes(e.type as never) && careParticipantsProjection.documentId(e as never) === id)
    .reduce<CareParticipantRow | null>((doc, e) => careParticipantsProjection.evolve(doc, e as never), null);
const upTo = (event: Recorded<CareAccessEvent>) => history.filter((e) => e.position <= event.position);

describe('care_participants projection', () => {
  it('makes a row per (workflow, participant) from ParticipantEnrolled, labelled by name, else e-mail', () => {
    expect(rowOf('w1:ann', [annEnrolled])).toEqual({
      id: 'w1:ann',
      workflowId: 'w1',
      organisationId: 'org-1',
      participantId: 'ann',
      participantEmail: 'ann@mail.example',
      participantName: 'Name ann',
      participantLabel: 'Name ann',
      appendConsentAsked: true,
      appendConsent: true,
      enrolledAt: '2026-03-04T00:00:00.000Z',
      updatedAt: '2026-03-04T00:00:00.000Z',
      links: [],
      answeredPrompts: [],
      promptAnswers: 0,
      linkActive: false,
      linkDeclined: false,
      linkPendingConsent: false,
      linkWithdrawn: false,
      linkMayBeExpired: false,
    });
    expect(rowOf('w1:bob', [bobEnrolled])).toMatchObject({ participantName: null, participantLabel: 'bob@mail.example', appendConsent: false });
  });

  it('records an accepted prompt as an active link with its grant, and counts the answer', () => {
    expect(rowOf('w1:ann', upTo(annAccepts))).toMatchObject({
      links: [{ professionalId: 'pa', professionalName: 'Dr pa', status: 'active', until: APRIL, grantId: 'g1', assignmentId: null, basis: 'prior_consent' }],
      answeredPrompts: ['pa'],
      promptAnswers: 1,
      linkActive: true,
      linkMayBeExpired: true,
      updatedAt: annAccepts.metadata.occurredAt,
    });
  });

  it('records a declined prompt, with the name the link had (none yet: the query takes it from the workflow)', () => {
    expect(rowOf('w1:bob', upTo(bobDeclines))).toMatchObject({
      links: [{ professionalId: 'pa', professionalName: '', status: 'declined', until: null, grantId: null, assignmentId: null, basis: null }],
      promptAnswers: 1,
      linkDeclined: true,
      linkActive: false,
    });
  });

  it('records an assignment active at once (append consent) or pending the participant’s consent, which a mail answer turns active', () => {
    expect(rowOf('w1:ann', upTo(annAssignedB))?.links[1]).toEqual({
      professionalId: 'pb',
      professionalName: 'Dr pb',
      status: 'active',
      until: MAY,
      grantId: 'g2',
      assignmentId: 'as1',
      basis: 'append_consent',
    });
    const pending = rowOf('w1:bob', upTo(bobAsked));
    expect(pending?.links[1]).toEqual({ professionalId: 'pb', professionalName: 'Dr pb', status: 'pending_consent', until: MAY, grantId: null, assignmentId: 'as2', basis: null });
    expect(pending).toMatchObject({ linkPendingConsent: true, linkActive: false, linkMayBeExpired: true, promptAnswers: 1 });
    const accepted = rowOf('w1:bob', upTo(bobAcceptsB));
    expect(accepted?.links[1]).toMatchObject({ status: 'active', grantId: 'g3', basis: 'mail_consent' });
    // A mail answer is not an answer to a prompt.
    expect(accepted).toMatchObject({ linkPendingConsent: false, linkActive: true, promptAnswers: 1 });
  });

  it('ends the link of the grant withdrawn or expired, and leaves a link about another grant as it is', () => {
    expect(rowOf('w1:ann', history)).toMatchObject({
      links: [
        { professionalId: 'pa', status: 'withdrawn', grantId: 'g1', until: APRIL, basis: 'prior_consent' },
        { professionalId: 'pb', status: 'active', grantId: 'g2' },
      ],
      linkWithdrawn: true,
      linkActive: true,
    });
    expect(rowOf('w1:bob', history)).toMatchObject({
      links: [{ status: 'declined' }, { professionalId: 'pb', status: 'expired', grantId: 'g3' }],
      linkActive: false,
      linkMayBeExpired: true,
    });
    const stale = recorded(consentWithdrawn('w1', 'ann', 'pb', 'g-old'));
    const before = rowOf('w1:ann', history)!;
    expect(careParticipantsProjection.evolve(before, stale as never)?.links).toEqual(before.links);
  });

  it('ignores the workflow’s own events, the mail request and results requests, and participants it never saw enrolled', () => {
    expect(careParticipantsProjection.handles).toEqual(['ParticipantEnrolled', 'ConsentGiven', 'ConsentDeclined', 'ProfessionalAssigned', 'ConsentWithdrawn', 'AccessExpired']);
    expect(careParticipantsProjection.evolve(null, annAccepts as never)).toBeNull();
  });

  const everyType = [annEnrolled, annAccepts, bobDeclines, annAssignedB, bobAssignedB, bobAcceptsB, annWithdrawsA, bobExpiresB].map(
    (event) => [event.type + (event.type === 'ProfessionalAssigned' || event.type === 'ConsentGiven' ? ` (${event.position})` : ''), event] as const,
  );

  it.each(everyType)('is idempotent when %s is applied twice', (_type, event) => {
    const id = careParticipantsProjection.documentId(event as never)!;
    const once = rowOf(id, upTo(event));
    expect(careParticipantsProjection.evolve(once, event as never)).toEqual(once);
  });

  it.each(everyType)('gives the same rows when %s is delivered twice through the store', async (_type, event) => {
    const { once, twice } = await appliedTwice(careParticipantsProjection, history.filter((e) => e.position < event.position), event);
    expect(once.length).toBeGreaterThan(0);
    expect(twice).toEqual(once);
  });

  it('gives the same rows when a catch-up batch replays events already applied together with new ones', async () => {
    const clean = await deliveredInBatches(careParticipantsProjection, history, 1);
    const replayed = await throughStore(careParticipantsProjection, async ({ deliver, snapshot }) => {
      await deliver(history.slice(0, 9));
      await deliver(history.slice(3));
      return snapshot();
    });
    expect(replayed).toEqual(clean);
  });

  it('rebuilds to what the live runner produced', async () => {
    const { incremental, rebuilt } = await incrementalAndRebuilt(careParticipantsProjection, (store) => appendHistory(store, history));
    expect(incremental.map((r) => r.id)).toEqual(['w1:ann', 'w1:bob']);
    expect(rebuilt).toEqual(incremental);
  });
});
