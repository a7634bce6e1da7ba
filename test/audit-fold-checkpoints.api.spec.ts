import Database from 'better-sqlite3';
import { join } from 'node:path';
import { NewEvent, eventIdFor, fold, newId } from '@access-ledger/core';
import { CHECKPOINT_EVERY, grantAt, stateAt } from '@access-ledger/audit';
import { ExistingWorkflow, ParticipantState, participantDecider, participantStream, workflowDecider, workflowStream } from '@access-ledger/care-access';
import { CARE_GRANTS } from '@access-ledger/projections';
import { FOLD_CHECKPOINTS } from '../apps/api/src/audit/state-as-of/fold-checkpoints';
import { FoldCheckpointKeeper } from '../apps/api/src/audit/state-as-of/fold-checkpoint-keeper';
import { TestApi, bearer, startApi } from './support/api';
import { registerOrg } from './support/directory';
import { addProfessional, addToWorkflow, answerPrompt, createWorkflow, enrol, participant } from './support/care';

/**
 * Fold checkpoints behind `GET /audit/<kind>/:id/state?asOf=` over real HTTP on real SQLite: a
 * participant's stream of 2,500 events (a consent, results requests, a withdrawal whose time comes
 * before the requests around it), answered as of many instants before and after checkpoints exist.
 * Given that stream, when an auditor asks for a grant's state as of an instant, then the answer is
 * the state folded from the stream's first event, whether checkpoints were there or not.
 */
describe('Audit states from fold checkpoints', () => {
  let api: TestApi;
  let auditor: string;
  let grantId: string;
  let streamId: string;

  const get = (path: string) => api.http.get(path).set(bearer(auditor));
  const stateOfGrant = async (asOf: string) => {
    const response = await get(`/audit/grants/${grantId}/state?asOf=${encodeURIComponent(asOf)}`);
    // A problem's correlationId is the request's own.
    const { correlationId: _request, ...body } = response.body;
    return { status: response.status, body };
  };
  /** What folding the whole stream from its first event answers (the libs/audit replay, no checkpoint). */
  const expected = async (asOf: string) => {
    const folded = stateAt(participantDecider, await api.events.readStream(streamId), asOf);
    const grant = folded && grantAt(folded.state, grantId, asOf);
    return grant ? { status: 200, body: { state: JSON.parse(JSON.stringify(grant)), revision: folded.revision, asOf } } : { status: 404 };
  };
  const checkpointsStored = async () =>
    (await api.reads.find<{ revision: number; version: string }>(FOLD_CHECKPOINTS.name, { where: { streamId }, sort: [{ field: 'revision', direction: 'asc' }], pageSize: 100 })).items;

  /** Until the keeper has followed the log to its head. */
  const keeperCaughtUp = async () => {
    const head = await api.events.headPosition();
    const name = api.app.get(FoldCheckpointKeeper).name;
    for (let i = 0; (await api.reads.getCheckpoint(name)) < head; i += 1) {
      if (i > 2000) throw new Error('the fold checkpoint keeper did not catch up');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  /** A deploy whose domain code differs finds none of its version and no position of its keeper: as if both were gone. */
  const restartAsNewVersion = async (env: Record<string, string>) => {
    await api.stop();
    dropCheckpoints();
    const reads = new Database(join(api.dataDir, 'read.db'));
    try {
      reads.prepare('DELETE FROM _checkpoints WHERE projection LIKE ?').run('audit-fold-checkpoints@%');
    } finally {
      reads.close();
    }
    api = await startApi(env, { dataDir: api.dataDir });
  };
  const dropCheckpoints = () => {
    const reads = new Database(join(api.dataDir, 'read.db'));
    try {
      reads.prepare(`DELETE FROM rm_${FOLD_CHECKPOINTS.name}`).run();
    } finally {
      reads.close();
    }
  };

  beforeAll(async () => {
    api = await startApi();
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    auditor = await api.token({ sub: 'sub-audrey', email: 'audrey@audit.example', roles: ['auditor'] });
    const org = await registerOrg(api, admin, 'Northside');
    const pro = await addProfessional(api, org);
    const workflowId = await createWorkflow(api, org, { allowAppendProfessionals: false });
    await addToWorkflow(api, org, workflowId, [pro.id], 30, 'Coaching sessions');
    const pat = await participant(api, 'Pat Park');
    await enrol(api, pat.token, workflowId);
    grantId = (await answerPrompt(api, pat.token, workflowId, pro.id)).grantId!;
    streamId = participantStream(pat.id);

    // Results requests decided by the participant decider on the state so far and appended as handleCommand appends them, one second apart from a minute on.
    const workflow = fold(workflowDecider, await api.events.readStream(workflowStream(workflowId))) as ExistingWorkflow;
    const start = Date.now() + 60_000;
    let asked = 0;
    const ask = async (count: number) => {
      const recorded = await api.events.readStream(streamId);
      let state: ParticipantState = fold(participantDecider, recorded);
      const events: NewEvent[] = [];
      for (let i = 0; i < count; i += 1, asked += 1) {
        const now = new Date(start + asked * 1000).toISOString();
        const commandId = newId();
        for (const [index, event] of participantDecider.decide({ type: 'RequestResultsAccess', workflow, asker: { userId: pro.id, professionalOfOrganisation: true, active: true }, now }, state).entries()) {
          state = participantDecider.evolve(state, event);
          const metadata = { occurredAt: now, actor: { id: pro.id, email: pro.email, organisationId: org.orgId, roles: ['professional'] }, correlationId: commandId, causationId: commandId, commandId, schemaVersion: 1 };
          events.push({ eventId: eventIdFor(commandId, streamId, index), type: event.type, data: event.data, metadata });
        }
      }
      for (let from = 0; from < events.length; from += 500) {
        await api.events.appendToStream(streamId, events.slice(from, from + 500), { expectedRevision: recorded.length - 1 + from });
      }
    };
    await ask(1200);
    // Withdrawn now, over HTTP: its time comes before the 1,200 requests recorded ahead of it, so only instants after all of them see it (the prefix rule).
    const withdrawn = await api.http.post(`/access/${grantId}/withdraw`).set(bearer(pat.token)).send();
    if (withdrawn.status !== 200) throw new Error(`withdraw: ${withdrawn.status} ${JSON.stringify(withdrawn.body)}`);
    await ask(1300 - 4);
    const head = await api.events.headPosition();
    // The grant's participant comes from care_grants: wait until the projection has seen the stream.
    for (let i = 0; (await api.reads.getCheckpoint(CARE_GRANTS)) < head; i += 1) {
      if (i > 400) throw new Error('care_grants did not catch up');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await keeperCaughtUp();
  }, 120_000);

  afterAll(() => api.close());

  const lastInstant = async () => (await api.events.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0].metadata.occurredAt;

  /** Instants around every place that matters: the first events, each side of each checkpoint, the withdrawal, the end. */
  const instants = async (): Promise<string[]> => {
    const recorded = await api.events.readStream(streamId);
    const at = (revision: number, ms = 0) => new Date(Date.parse(recorded[revision].metadata.occurredAt) + ms).toISOString();
    const withdrawal = recorded.findIndex((e) => e.type === 'ConsentWithdrawn');
    return [at(0, -1), at(1), at(2, 500), at(998), at(999), at(999, 500), at(1000), at(1500), at(withdrawal), at(withdrawal - 1, 500), at(1998), at(1999, 500), at(2400), at(recorded.length - 1), at(recorded.length - 1, 86_400_000)];
  };

  it('has the checkpoints written ahead of any replay, as the stream grew past each 1,000 events (the keeper), and a restart on a new code version writes them again', async () => {
    expect((await checkpointsStored()).map((c) => c.revision)).toEqual([CHECKPOINT_EVERY - 1, 2 * CHECKPOINT_EVERY - 1]);
    await restartAsNewVersion({});
    await keeperCaughtUp();
    expect((await checkpointsStored()).map((c) => c.revision)).toEqual([CHECKPOINT_EVERY - 1, 2 * CHECKPOINT_EVERY - 1]);
    expect(await stateOfGrant(await lastInstant())).toMatchObject(await expected(await lastInstant()));
  });

  it('keeps them ahead in an API whose consumers run in the projector, when RUN_FOLD_CHECKPOINT_KEEPER says so (the production layout)', async () => {
    await restartAsNewVersion({ RUN_PROJECTIONS: 'false', RUN_FOLD_CHECKPOINT_KEEPER: 'true' });
    await keeperCaughtUp();
    expect((await checkpointsStored()).map((c) => c.revision)).toEqual([CHECKPOINT_EVERY - 1, 2 * CHECKPOINT_EVERY - 1]);
    await restartAsNewVersion({});
  });

  it('answers every instant as the fold from the first event does, before and after the checkpoints are written', async () => {
    // Written as the endpoints fold, when the keeper has not (yet): gone here, and the keeper is past this stream's events.
    dropCheckpoints();
    expect(await checkpointsStored()).toEqual([]);
    const asked = await instants();
    const first = [];
    for (const asOf of asked) {
      const answer = await stateOfGrant(asOf);
      expect({ asOf, ...answer }).toMatchObject({ asOf, ...(await expected(asOf)) });
      first.push(answer);
    }
    // The replays wrote a checkpoint every CHECKPOINT_EVERY events of the stream.
    expect((await checkpointsStored()).map((c) => c.revision)).toEqual([CHECKPOINT_EVERY - 1, 2 * CHECKPOINT_EVERY - 1]);
    const second = [];
    for (const asOf of asked) second.push(await stateOfGrant(asOf));
    expect(second).toEqual(first);
    expect(first.filter((a) => a.status === 200).length).toBeGreaterThan(10);
    expect(first.map((a) => a.body.state?.grant?.status ?? a.status)).toEqual(expect.arrayContaining(['active', 'withdrawn', 404]));
  });

  it('starts from a checkpoint when one serves the instant, and from the first event when the stored event it was taken after is no longer the same', async () => {
    const recorded = await api.events.readStream(streamId);
    const asOf = new Date(Date.parse(recorded[1500].metadata.occurredAt)).toISOString();
    const right = await expected(asOf);
    const [checkpoint] = await checkpointsStored();
    // Someone edits the checkpoint's state in the read store: an answer from it shows the edit, which proves it is read.
    const reads = new Database(join(api.dataDir, 'read.db'));
    const events = new Database(join(api.dataDir, 'events.db'));
    try {
      const id = `${streamId}@${CHECKPOINT_EVERY - 1}:${checkpoint.version}`;
      const table = `rm_${FOLD_CHECKPOINTS.name}`;
      const doc = JSON.parse(reads.prepare(`SELECT doc FROM ${table} WHERE id = ?`).pluck().get(id) as string);
      const state = JSON.parse(doc.stateJson);
      state.grants[0].reason = 'edited in the read store';
      reads.prepare(`UPDATE ${table} SET doc = ? WHERE id = ?`).run(JSON.stringify({ ...doc, stateJson: JSON.stringify(state) }), id);
      // The second checkpoint (revision 1999) does not serve an instant at revision 1500: the first one is used.
      expect((await stateOfGrant(asOf)).body.state.grant.reason).toBe('edited in the read store');

      // The stored event at the checkpoint's revision changed (its chain recomputed, say): the checkpoint no longer matches and is left aside.
      const row = events.prepare('SELECT position, metadata FROM events WHERE stream_id = ? AND revision = ?').get(streamId, CHECKPOINT_EVERY - 1) as { position: number; metadata: string };
      events.prepare('UPDATE events SET metadata = ? WHERE position = ?').run(JSON.stringify({ ...JSON.parse(row.metadata), streamHash: 'f'.repeat(64) }), row.position);
      expect(await stateOfGrant(asOf)).toMatchObject(right);
    } finally {
      reads.close();
      events.close();
    }
  });
});
