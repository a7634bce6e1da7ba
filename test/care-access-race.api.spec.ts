import { TestApi, startApi, withReadLatency } from './support/api';
import { OrgFixture, registerOrg } from './support/directory';
import { addProfessional, addToWorkflow, answerPrompt, createWorkflow, enrol, participant, participantEvents, requestResults } from './support/care';
import { bearer } from './support/api';

/**
 * A participant withdrawing while the professional asks for their results: each request is
 * either refused or granted *before* the withdrawal in the participant's stream, never granted
 * after it. Both are appended to that stream with the revision they were decided on; reads get
 * a network store's latency so that requests really interleave between reading and appending.
 */
describe('Care access under concurrency', () => {
  let api: TestApi;
  let org: OrgFixture;
  const TRIALS = 12;
  const REQUESTS = 4;

  beforeAll(async () => {
    api = await startApi();
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    org = await registerOrg(api, admin);
    withReadLatency(api.events, 4);
  });
  afterAll(() => api.close());

  it('never grants results after the withdrawal it raced with', async () => {
    const pro = await addProfessional(api, org);
    const workflowId = await createWorkflow(api, org);
    await addToWorkflow(api, org, workflowId, [pro.id]);
    let grantedAfter = 0;
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const pat = await participant(api);
      await enrol(api, pat.token, workflowId);
      const { grantId } = await answerPrompt(api, pat.token, workflowId, pro.id);
      // The withdrawal starts a little later each trial: it takes fewer reads than a results request, and would otherwise always come first.
      const [withdrawal, ...requests] = await Promise.all([
        new Promise((resolve) => setTimeout(resolve, (trial % 6) * 2)).then(() => api.http.post(`/access/${grantId}/withdraw`).set(bearer(pat.token)).send()),
        ...Array.from({ length: REQUESTS }, () => requestResults(api, pro.token, workflowId, pat.id)),
      ]);
      expect(withdrawal.status).toBe(200);
      for (const response of requests) expect([200, 403]).toContain(response.status);

      const events = await participantEvents(api, pat.id);
      const withdrawnAt = events.find((e) => e.type === 'ConsentWithdrawn')!.revision;
      const decisions = events.filter((e) => e.type === 'ResultsAccessRequested');
      expect(decisions).toHaveLength(REQUESTS);
      for (const decision of decisions) {
        if (decision.revision > withdrawnAt) {
          if (decision.data.decision === 'granted') grantedAfter += 1;
          else expect(decision.data.refusal).toBe('consent_withdrawn');
        }
      }
      // What the professional was told matches what was recorded: as many 200s as grants recorded before the withdrawal.
      const grantedBefore = decisions.filter((d) => d.revision < withdrawnAt && d.data.decision === 'granted').length;
      expect(requests.filter((r) => r.status === 200)).toHaveLength(grantedBefore + decisions.filter((d) => d.revision > withdrawnAt && d.data.decision === 'granted').length);
    }
    expect(grantedAfter).toBe(0);
  });
});
