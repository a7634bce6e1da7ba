import { appliedTwice } from '../testing/applied-twice';
import { incrementalAndRebuilt } from '../testing/incremental-and-rebuilt';
import { careLog, resultsRequested, appendHistory } from '../testing/care-events';
import { careResultsRequestsProjection } from './care-results-requests.projection';

const APRIL = '2026-04-01T00:00:00.000Z';
const { recorded } = careLog();
const granted = recorded(resultsRequested('w1', 'ann', 'pa', { grantId: 'g1', until: APRIL }, '2026-03-08T10:00:00.000Z'), 'pa@care.example');
const refused = recorded(resultsRequested('w1', 'ann', null, { refusal: 'not_a_professional' }, '2026-03-08T11:00:00.000Z'), 'stranger@elsewhere.example');
const history = [granted, refused];

describe('care_results_requests projection', () => {
  it('keeps one row per request, the asker from the event’s actor', () => {
    expect(careResultsRequestsProjection.documentId(granted)).toBe(granted.eventId);
    expect(careResultsRequestsProjection.evolve(null, granted)).toEqual({
      id: granted.eventId,
      participantId: 'ann',
      workflowId: 'w1',
      organisationId: 'org-1',
      professionalId: 'pa',
      askedBy: 'pa@care.example',
      decision: 'granted',
      basis: 'prior_consent',
      grantId: 'g1',
      refusal: null,
      until: APRIL,
      requestedAt: '2026-03-08T10:00:00.000Z',
    });
    expect(careResultsRequestsProjection.evolve(null, refused)).toMatchObject({
      professionalId: null,
      askedBy: 'stranger@elsewhere.example',
      decision: 'refused',
      basis: null,
      grantId: null,
      refusal: 'not_a_professional',
      until: null,
    });
  });

  it.each(history.map((e) => [e.data.decision, e] as const))('is idempotent when a %s request is applied twice', async (_decision, event) => {
    const once = careResultsRequestsProjection.evolve(null, event);
    expect(careResultsRequestsProjection.evolve(once, event)).toEqual(once);
    const { once: stored, twice } = await appliedTwice(careResultsRequestsProjection, history.filter((e) => e.position < event.position), event);
    expect(twice).toEqual(stored);
  });

  it('rebuilds to what the live runner produced', async () => {
    const { incremental, rebuilt } = await incrementalAndRebuilt(careResultsRequestsProjection, (store) => appendHistory(store, history));
    expect(incremental).toHaveLength(2);
    expect(rebuilt).toEqual(incremental);
  });
});
