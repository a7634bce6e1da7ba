import { newId } from '@access-ledger/core';
import { TestApi, bearer } from './api';

export interface OrgFixture {
  readonly orgId: string;
  readonly name: string;
  readonly leadId: string;
  readonly leadEmail: string;
  readonly leadToken: string;
}

let counter = 0;
export const uniqueEmail = (local = 'user', domain = 'example.org') => `${local}${(counter += 1)}-${newId().slice(0, 8)}@${domain}`;

/** An organisation registered by a platform administrator, with its first lead administrator. */
export async function registerOrg(api: TestApi, admin: string, name = `Org ${newId().slice(0, 6)}`, emailDomains?: string[]): Promise<OrgFixture> {
  const org = await api.http.post('/organisations').set(bearer(admin)).send({ name, ...(emailDomains ? { emailDomains } : {}) });
  if (org.status !== 201) throw new Error(`register organisation: ${org.status} ${JSON.stringify(org.body)}`);
  const leadEmail = uniqueEmail('lead', emailDomains?.[0]);
  const lead = await api.http
    .post(`/organisations/${org.body.id}/users`)
    .set(bearer(admin))
    .send({ firstName: 'Lena', lastName: 'Lead', email: leadEmail, clinician: false, permissionLevel: 'lead_administrator', spoc: true });
  if (lead.status !== 201) throw new Error(`add lead: ${lead.status} ${JSON.stringify(lead.body)}`);
  return { orgId: org.body.id, name, leadId: lead.body.id, leadEmail, leadToken: await api.token({ email: leadEmail }) };
}

export async function addUser(api: TestApi, org: OrgFixture, body: Record<string, unknown> = {}) {
  const email = (body.email as string) ?? uniqueEmail();
  const response = await api.http
    .post(`/organisations/${org.orgId}/users`)
    .set(bearer(org.leadToken))
    .send({ firstName: 'Una', lastName: 'User', email, clinician: false, permissionLevel: 'recorder', ...body });
  if (response.status !== 201) throw new Error(`add user: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.id as string, email, position: response.body.position as number };
}

/** A token issued strictly after everything recorded so far (a fresh sign-in). */
export const freshSignIn = async (api: TestApi, email: string) => {
  await new Promise((r) => setTimeout(r, 5));
  return api.token({ email, issuedAt: Math.ceil(Date.now() / 1000) + 1 });
};
