import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandContext } from '@access-ledger/core';
import { ParticipantCommand, ParticipantRef, participantDecider, participantStream } from '@access-ledger/care-access';
import { workflowOf } from '../../../care-access/src/testing/workflows';
import { EventStore, SqliteEventStore, handleCommand, toArray } from '@access-ledger/event-store';
import { rebuildProjection } from '@access-ledger/projection-runner';
import { CARE_GRANTS, careGrantsProjection } from '@access-ledger/projections';
import { ReadStore, SqliteReadStore } from '@access-ledger/read-store';
import { ACCESS_EXPIRY_ACTOR, AccessExpiry, expireCommandId } from './access-expiry';

/**
 * The sweeper on the real embedded stores: grants made by the participant decider through
 * handleCommand, care_grants built from them by the projection, and passes at chosen times (the
 * clock is the `now` each pass is given; nothing here waits for time to pass).
 */
const pro = { id: 'u-pro', name: 'Dr Pro' };
const workflow = workflowOf({ professionals: [{ ...pro, days: 1 }] });

/** Monday 08:00; u-pro's grants last one day from the acceptance. */
const t0 = Date.parse('2026-06-01T08:00:00.000Z');
const hours = (h: number) => new Date(t0 + h * 3_600_000);
const iso = (h: number) => hours(h).toISOString();

describe('the access-expiry sweeper', () => {
  let dir: string;
  let events: SqliteEventStore;
  let reads: SqliteReadStore;
  let commands = 0;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'al-expiry-'));
    events = new SqliteEventStore({ file: join(dir, 'events.db') });
    reads = new SqliteReadStore({ file: join(dir, 'read.db') });
    await reads.ensureCollection(careGrantsProjection.collection);
  });
  afterEach(async () => {
    await events.close();
    await reads.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const participant = (n: number): ParticipantRef => ({ id: `sub-${n}`, email: `p${n}@example.org`, name: null });
  const run = (who: ParticipantRef, command: ParticipantCommand) => {
    commands += 1;
    const context: CommandContext = { commandId: `cmd-${commands}`, actor: { id: who.id, email: who.email, roles: [] }, now: command.now, correlationId: 'c', causationId: 'c' };
    return handleCommand(events, participantDecider, participantStream(who.id), command, context);
  };
  /** Participant n enrols and accepts u-pro's prompt at hour `h`: grant `g-<n>` lasts until hour h + 24. */
  const grantAt = async (n: number, h: number) => {
    await run(participant(n), { type: 'EnrolParticipant', workflow, participant: participant(n), appendConsent: undefined, now: iso(h) });
    await run(participant(n), { type: 'AnswerConsentPrompt', workflow, professionalId: pro.id, decision: 'accept', grantId: `g-${n}`, now: iso(h) });
  };
  const withdrawAt = (n: number, h: number) => run(participant(n), { type: 'WithdrawConsent', grantId: `g-${n}`, now: iso(h) });
  /** care_grants as the projection makes it from the whole log (what the runner has when it has caught up). */
  const project = () => rebuildProjection(events, reads, careGrantsProjection);
  const expiredOf = async (n: number) => (await events.readStream(participantStream(participant(n).id))).filter((e) => e.type === 'AccessExpired');
  const everyExpiry = async () => (await toArray(events.readAll({ fromPosition: 0 }))).filter((e) => e.type === 'AccessExpired').map((e) => e.data.grantId as string);
  const sweeper = (store: EventStore = events, readStore: ReadStore = reads, pageSize = 100) => new AccessExpiry(store, readStore, { intervalMs: 60_000, pageSize });

  it('records AccessExpired once for a grant past its until, by the system, however often it passes', async () => {
    await grantAt(1, 0);
    await project();
    const expiry = sweeper();
    expect(await expiry.sweep(hours(25))).toEqual({ due: ['g-1'] });
    // The read model has not seen the expiry yet: the grant still looks due, and nothing more is recorded.
    expect(await expiry.sweep(hours(26))).toEqual({ due: ['g-1'] });
    const [expired, ...more] = await expiredOf(1);
    expect(more).toEqual([]);
    expect(expired.data).toMatchObject({ grantId: 'g-1', professionalId: 'u-pro', until: iso(24), recordedAt: iso(25) });
    expect(expired.metadata).toMatchObject({ actor: ACCESS_EXPIRY_ACTOR, commandId: expireCommandId('g-1'), occurredAt: iso(25) });
    // Once the read model has caught up, the grant is not even looked at.
    await project();
    expect(await reads.get(CARE_GRANTS, 'g-1')).toMatchObject({ status: 'expired', endedAt: iso(24) });
    expect(await expiry.sweep(hours(27))).toEqual({ due: [] });
    expect(await everyExpiry()).toEqual(['g-1']);
  });

  it('records it at until exactly, when access ends', async () => {
    await grantAt(1, 0);
    await project();
    expect(await sweeper().sweep(hours(24))).toEqual({ due: ['g-1'] });
    expect(await everyExpiry()).toEqual(['g-1']);
  });

  it('records nothing for a grant whose until is still ahead, and leaves it active', async () => {
    await grantAt(1, 0);
    await project();
    expect(await sweeper().sweep(new Date(t0 + 24 * 3_600_000 - 1))).toEqual({ due: [] });
    expect(await everyExpiry()).toEqual([]);
    expect(await reads.get(CARE_GRANTS, 'g-1')).toMatchObject({ status: 'active' });
  });

  it('records nothing for a withdrawn grant, also while the read model still shows it active', async () => {
    await grantAt(1, 0);
    await grantAt(2, 0);
    await withdrawAt(1, 2);
    await project();
    await withdrawAt(2, 3); // after the read model was built: care_grants still says active
    expect(await reads.get(CARE_GRANTS, 'g-2')).toMatchObject({ status: 'active' });
    expect(await sweeper().sweep(hours(30))).toEqual({ due: ['g-2'] });
    expect(await everyExpiry()).toEqual([]);
  });

  it('expires only the due ones, soonest first, page by page', async () => {
    for (const [n, h] of [[1, 5], [2, 0], [3, 10], [4, 1], [5, 30], [6, 2]]) await grantAt(n, h);
    await project();
    expect(await sweeper(events, reads, 2).sweep(hours(34))).toEqual({ due: ['g-2', 'g-4', 'g-6', 'g-1', 'g-3'] });
    expect((await everyExpiry()).sort()).toEqual(['g-1', 'g-2', 'g-3', 'g-4', 'g-6']);
  });

  it('appends no duplicate when a pass that crashed half way is run again', async () => {
    for (let n = 1; n <= 5; n += 1) await grantAt(n, n);
    await project();
    // The read store fails on the third page: the pass stops after expiring the first four grants.
    let finds = 0;
    const crashing = Object.create(reads) as ReadStore;
    crashing.find = async (...args) => {
      finds += 1;
      if (finds === 3) throw new Error('read store went away');
      return reads.find(...args);
    };
    await expect(sweeper(events, crashing, 2).sweep(hours(40))).rejects.toThrow('read store went away');
    expect((await everyExpiry()).sort()).toEqual(['g-1', 'g-2', 'g-3', 'g-4']);
    // Run again on the same (not yet caught up) read model: every grant is tried again, the first four record nothing.
    expect(await sweeper(events, reads, 2).sweep(hours(41))).toEqual({ due: ['g-1', 'g-2', 'g-3', 'g-4', 'g-5'] });
    expect((await everyExpiry()).sort()).toEqual(['g-1', 'g-2', 'g-3', 'g-4', 'g-5']);
    for (let n = 1; n <= 5; n += 1) expect(await expiredOf(n)).toHaveLength(1);
  });

  it('goes on past a grant it cannot expire, then says so; the next pass expires it', async () => {
    await grantAt(1, 0);
    await grantAt(2, 1);
    await project();
    const failing = Object.create(events) as EventStore;
    failing.appendToStream = async (stream, newEvents, options) => {
      if (stream === participantStream(participant(1).id)) throw new Error('disk full');
      return events.appendToStream(stream, newEvents, options);
    };
    await expect(sweeper(failing).sweep(hours(30))).rejects.toThrow('Access expiry: 1 of 2 due grants could not be expired (grant g-1: disk full)');
    expect(await everyExpiry()).toEqual(['g-2']);
    await sweeper().sweep(hours(31));
    expect((await everyExpiry()).sort()).toEqual(['g-1', 'g-2']);
  });

  it('stops between grants when its runner stops', async () => {
    for (let n = 1; n <= 3; n += 1) await grantAt(n, n);
    await project();
    const stopping = new AbortController();
    const observed = Object.create(events) as EventStore;
    observed.appendToStream = async (...args) => {
      const appended = await events.appendToStream(...args);
      stopping.abort(); // the process is asked to stop while the first grant is being expired
      return appended;
    };
    expect(await sweeper(observed).sweep(hours(40), stopping.signal)).toEqual({ due: ['g-1'] });
    expect(await everyExpiry()).toEqual(['g-1']);
  });
});
