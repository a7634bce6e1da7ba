import { participantStream } from '@access-ledger/care-access';
import { TestApi, bearer } from './api';
import { OrgFixture, addUser } from './directory';

/** A workflow of the organisation, created by its lead administrator. */
export async function createWorkflow(api: TestApi, org: OrgFixture, body: Record<string, unknown> = {}) {
  const response = await api.http
    .post(`/organisations/${org.orgId}/workflows`)
    .set(bearer(org.leadToken))
    .send({ name: 'Coaching', allowAppendProfessionals: true, ...body });
  if (response.status !== 201) throw new Error(`create workflow: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id as string;
}

/** A user of the organisation with the professional designation, and a token of theirs. */
export async function addProfessional(api: TestApi, org: OrgFixture, body: Record<string, unknown> = {}) {
  const user = await addUser(api, org, { firstName: 'Pia', lastName: 'Professional', professional: true, ...body });
  return { ...user, token: await api.token({ email: user.email }) };
}

/** Adds professionals to a workflow up front (option 1). */
export async function addToWorkflow(api: TestApi, org: OrgFixture, workflowId: string, professionalIds: string[], days = 30, reason = 'Coaching sessions') {
  const response = await api.http
    .post(`/organisations/${org.orgId}/workflows/${workflowId}/professionals`)
    .set(bearer(org.leadToken))
    .send({ professionalIds, days, reason });
  if (response.status !== 201) throw new Error(`add professionals: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { professionalIds: string[]; position: number };
}

let participants = 0;
/** Someone outside the directory, identified by their token's `sub`. */
export async function participant(api: TestApi, name = 'Pat Participant') {
  participants += 1;
  const id = `participant-${participants}-${Math.random().toString(36).slice(2, 8)}`;
  return { id, token: await api.token({ sub: id, email: `${id}@people.example`, name }) };
}

export async function enrol(api: TestApi, token: string, workflowId: string, body: Record<string, unknown> = {}) {
  const response = await api.http.post(`/workflows/${workflowId}/enrolments`).set(bearer(token)).send(body);
  if (response.status !== 201) throw new Error(`enrol: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { consentPrompts: { professionalId: string; name: string; days: number; reason: string }[]; appendConsentAsked: boolean; position: number };
}

export async function answerPrompt(api: TestApi, token: string, workflowId: string, professionalId: string, decision: 'accept' | 'decline' = 'accept') {
  const response = await api.http.post(`/workflows/${workflowId}/consents`).set(bearer(token)).send({ professionalId, decision });
  if (response.status !== 200) throw new Error(`answer prompt: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { status: 'active' | 'declined'; until?: string; grantId?: string; position: number };
}

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

export async function assign(api: TestApi, org: OrgFixture, body: { workflowId: string; professionalId: string; participantIds: string[]; endDate?: string; reason?: string }, token = org.leadToken) {
  return api.http
    .post(`/organisations/${org.orgId}/assignments`)
    .set(bearer(token))
    .send({ endDate: inDays(30), reason: 'Follow-up', ...body });
}

export const requestResults = (api: TestApi, token: string, workflowId: string, participantId: string) =>
  api.http.post(`/workflows/${workflowId}/participants/${encodeURIComponent(participantId)}/results-access`).set(bearer(token)).send();

/** The participant's stream as stored: what each command wrote. */
export const participantEvents = async (api: TestApi, participantId: string) => api.events.readStream(participantStream(participantId));
