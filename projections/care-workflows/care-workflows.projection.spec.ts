import { Recorded } from '@access-ledger/core';
import { CareAccessEvent } from '@access-ledger/care-access';
import { appliedTwice } from '../testing/applied-twice';
import { incrementalAndRebuilt } from '../testing/incremental-and-rebuilt';
import { careLog, enrolled, person, professionalAdded, settingsChanged, workflowCreated, consentGiven, appendHistory } from '../testing/care-events';
import { deliveredInBatches, throughStore } from '../testing/through-store';
import { CareWorkflowRow, careWorkflowsProjection } from './care-workflows.projection';

const { recorded } = careLog();
const created = recorded(workflowCreated('w1', false));
const changed = recorded(settingsChanged('w1', true));
const addedA = recorded(professionalAdded('w1', 'pa'));
const addedB = recorded(professionalAdded('w1', 'pb'));
const ann = recorded(enrolled('w1', person('ann')));
const bob = recorded(enrolled('w1', person('bob')));
const consent = recorded(consentGiven('w1', person('ann'), 'pa', 'g1', '2026-04-01T00:00:00.000Z'));
const otherWorkflow = recorded(workflowCreated('w2'));
const inOther = recorded(enrolled('w2', person('ann')));
const history = [created, changed, addedA, addedB, ann, bob, consent, otherWorkflow, inOther];

const row = (events: Recorded<CareAccessEvent>[]) =>
  events
    .filter((e) => careWorkflowsProjection.handles.includes(e.type as never) && careWorkflowsProjection.documentId(e as never) === 'w1')
    .reduce<CareWorkflowRow | null>((doc, e) => careWorkflowsProjection.evolve(doc, e as never), null);

describe('care_workflows projection', () => {
  it('makes a row from WorkflowCreated with no professionals or participants', () => {
    expect(row([created])).toEqual({
      id: 'w1',
      organisationId: 'org-1',
      name: 'Workflow w1',
      project: null,
      allowAppendProfessionals: false,
      professionals: 0,
      participants: 0,
      createdAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
      appliedPosition: created.position,
    });
  });

  it('follows the settings, counts professionals and enrolments, and ignores what happens to consents', () => {
    expect(row(history)).toMatchObject({ allowAppendProfessionals: true, professionals: 2, participants: 2, updatedAt: '2026-03-03T00:00:00.000Z' });
    expect(careWorkflowsProjection.handles).not.toContain('ConsentGiven');
  });

  it('ignores events of a workflow it never saw created', () => {
    expect(careWorkflowsProjection.evolve(null, addedA as never)).toBeNull();
    expect(careWorkflowsProjection.evolve(null, ann as never)).toBeNull();
  });

  const everyType = [
    ['WorkflowCreated', [], created],
    ['WorkflowSettingsChanged', [created], changed],
    ['ProfessionalAddedToWorkflow', [created, changed], addedA],
    ['ParticipantEnrolled', [created, changed, addedA, addedB], ann],
  ] as const;

  it.each(everyType)('counts the same when %s is applied twice', (_type, before, event) => {
    const once = careWorkflowsProjection.evolve(row([...before]), event as never);
    expect(careWorkflowsProjection.evolve(once, event as never)).toEqual(once);
  });

  it.each(everyType)('gives the same row when %s is delivered twice through the store', async (_type, before, event) => {
    const { once, twice } = await appliedTwice(careWorkflowsProjection, before, event);
    expect(once).toHaveLength(1);
    expect(twice).toEqual(once);
  });

  it('counts each event once when a catch-up batch replays events already counted together with new ones', async () => {
    // The store's guard skips a change only when every event folded into it is old; the row's own
    // appliedPosition skips the old events inside a change that also holds new ones.
    const rows = await throughStore(careWorkflowsProjection, async ({ deliver, snapshot }) => {
      await deliver(history.slice(0, 5)); // created … ann: 2 professionals, 1 participant counted
      await deliver(history.slice(2)); // the checkpoint was lost: addedA, addedB and ann come again, with bob
      return snapshot();
    });
    expect(rows.find((r) => r.id === 'w1')).toMatchObject({ professionals: 2, participants: 2 });
  });

  it('rebuilds to what the live runner produced, and counts the same whatever the batches', async () => {
    const { incremental, rebuilt } = await incrementalAndRebuilt(careWorkflowsProjection, (store) => appendHistory(store, history));
    expect(incremental.map((r) => [r.id, r.professionals, r.participants])).toEqual([
      ['w1', 2, 2],
      ['w2', 0, 1],
    ]);
    expect(rebuilt).toEqual(incremental);
    expect(await deliveredInBatches(careWorkflowsProjection, history, 4)).toEqual(await deliveredInBatches(careWorkflowsProjection, history, 1));
  });
});
