import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MalformedEventError, RecordedEvent } from '@access-ledger/core';
import { CONTEXT_CATALOGUES, SAMPLES, recorded, recordedSamples } from '../../audit/src/testing/samples';
import { FEED_TYPES, FeedReader, feedEventOf, feedPage, feedReadPolicy, selectedFeedTypes, unknownFeedTypes } from './index';

/** The types the contract names (issue11-contracts.md, "Event feed"). */
const CONTRACT_TYPES = [
  'RequestCreated', 'ApprovalRequested', 'RequestApproved', 'RequestRejected', 'RequestWithdrawn', 'AccountProvisioned', 'AccountProvisioningFailed',
  'UserAdded', 'UserDeactivated', 'UserReactivated', 'UserPermissionLevelChanged', 'UserAccountProvisioned', 'UserAccountDisabled', 'UserAccountProvisioningFailed',
  'ConsentGiven', 'ConsentWithdrawn', 'ConsentRequested', 'AccessExpired',
];

/** What each type carries, as docs/api.md ("Event feed") documents it: the paths of the feed data, nested ones dotted. */
const documented = (): Record<string, string[]> => {
  const api = readFileSync(join(__dirname, '../../../docs/api.md'), 'utf8');
  const section = api.slice(api.indexOf('## Event feed'));
  const rows = [...section.matchAll(/^\| `([A-Za-z]+)` \| ([^|]+) \|/gm)];
  return Object.fromEntries(rows.map(([, type, fields]) => [type, [...fields.matchAll(/`([A-Za-z.]+)`/g)].map((m) => m[1]).sort()]));
};

/** The leaf paths of a value: `requester.id`, … */
const paths = (value: unknown, prefix = ''): string[] =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.entries(value).flatMap(([key, inner]) => paths(inner, prefix ? `${prefix}.${key}` : key))
    : [prefix];

const at = (value: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | null)?.[key], value);

const feedSamples = () => recordedSamples().filter((e) => (FEED_TYPES as readonly string[]).includes(e.type));

describe('the event feed', () => {
  it('serves every type the contract names, and only types a context defines or is about to (the provisioning outcomes)', () => {
    expect([...FEED_TYPES].sort()).toEqual([...CONTRACT_TYPES].sort());
    const defined = FEED_TYPES.filter((type) => CONTEXT_CATALOGUES.some((c) => c.includes(type)));
    const pending = FEED_TYPES.filter((type) => !defined.includes(type));
    expect(pending.every((type) => /^(User)?Account/.test(type))).toBe(true);
    // Every defined type has a sample to check its view against (samples are complete by type).
    expect(defined.filter((type) => !(type in SAMPLES))).toEqual([]);
  });

  it('gives each type exactly the fields docs/api.md says it carries, each as stored (a view only leaves fields out)', () => {
    const docs = documented();
    expect(Object.keys(docs).sort()).toEqual([...FEED_TYPES].sort());
    for (const event of feedSamples()) {
      const served = feedEventOf(event)!;
      const carried = paths(served.data).sort();
      expect([event.type, carried]).toEqual([event.type, docs[event.type]]);
      for (const path of carried) expect([event.type, path, at(served.data, path)]).toEqual([event.type, path, at(event.data, path)]);
    }
  });

  it('keeps no personal data but what provisioning an account needs: no reason, justification, comment, participant or professional name, nor the actor', () => {
    const personal = ['pia@people.example', 'Pia Park', 'Dr Pro', 'Coaching', 'Follow-up', 'Left', 'sub-lead'];
    for (const event of feedSamples()) {
      const text = JSON.stringify(feedEventOf(event));
      for (const value of personal) expect([event.type, text.includes(value)]).toEqual([event.type, false]);
    }
    const provisioned = feedSamples().filter((e) => e.type === 'RequestApproved' || e.type === 'UserAdded');
    expect(provisioned.map((e) => JSON.stringify(feedEventOf(e)!.data)).join()).toMatch(/req@people\.example.*lena@north\.example|lena@north\.example.*req@people\.example/);
  });

  it('serves the envelope without the actor: position, ids, stream, revision, when, correlation and causation', () => {
    const event = feedSamples().find((e) => e.type === 'UserAdded')!;
    expect(feedEventOf(event)).toEqual({
      position: event.position,
      eventId: event.eventId,
      type: 'UserAdded',
      streamId: event.streamId,
      revision: event.revision,
      occurredAt: event.metadata.occurredAt,
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.causationId,
      data: expect.any(Object),
    });
  });

  it('never serves what a newer writer added to the stored data, at any depth', () => {
    const approved = SAMPLES.RequestApproved[0];
    const event = recorded('RequestApproved', { ...approved, internalNote: 'x', requester: { ...approved.requester, phone: '0123' } }, { schemaVersion: 2 });
    const data = feedEventOf(event)!.data;
    expect(paths(data).sort()).toEqual(documented().RequestApproved);
  });

  it('reads old events through their catalogue: a RequestApproved of version 1 is served as version 2 is', () => {
    const { decidedAs: _, ...v1 } = SAMPLES.RequestApproved[0];
    expect(feedEventOf(recorded('RequestApproved', v1, { schemaVersion: 1 }))!.data).toMatchObject({ requestId: v1.requestId, application: v1.application });
  });

  it('does not serve types it does not list (null), and refuses a stored event of a feed type it cannot read', () => {
    for (const type of ['ResultsAccessRequested', 'EmailReserved', 'LeadAdministratorChangeAdmitted', 'AuditRecordRead', 'IdempotencyKeyClaimed', 'UserClinicianStatusChanged', 'Unheard']) {
      expect([type, feedEventOf(recorded(type, {}))]).toEqual([type, null]);
    }
    expect(() => feedEventOf(recorded('UserAdded', { userId: 'u' }))).toThrow(MalformedEventError);
  });

  it('names the unknown types of a selection, and selects every feed type when none is named', () => {
    expect(unknownFeedTypes(['UserAdded', 'Nope', 'userAdded', 'AuditRecordRead'])).toEqual(['Nope', 'userAdded', 'AuditRecordRead']);
    expect(selectedFeedTypes(undefined)).toEqual(FEED_TYPES);
    expect(selectedFeedTypes(['UserAdded', 'RequestApproved', 'UserAdded'])).toEqual(['RequestApproved', 'UserAdded']);
  });

  it('resumes a page from its last event, or from where it was asked when it is empty', () => {
    const events = feedSamples().slice(0, 3).map((e) => feedEventOf(e as RecordedEvent)!);
    expect(feedPage(events, 0).lastPosition).toBe(events[2].position);
    expect(feedPage([], 41)).toEqual({ events: [], lastPosition: 41 });
  });

  it('is read by integrations only', () => {
    const verdict = (reader: FeedReader) => {
      try {
        feedReadPolicy.integrationOnly(reader);
        return 'yes';
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    expect({
      integration: verdict({ roles: ['integration'] }),
      'integration and auditor': verdict({ roles: ['auditor', 'integration'] }),
      platform_admin: verdict({ roles: ['platform_admin'] }),
      auditor: verdict({ roles: ['auditor'] }),
      'no platform role': verdict({ roles: [] }),
    }).toEqual({ integration: 'yes', 'integration and auditor': 'yes', platform_admin: 'not-an-integration', auditor: 'not-an-integration', 'no platform role': 'not-an-integration' });
  });
});
