import { INestApplication } from '@nestjs/common';
import { CommandContext, RecordedEvent } from '@access-ledger/core';
import { ParticipantCommand, ParticipantRef, participantDecider, participantStream } from '@access-ledger/care-access';
import { workflowOf } from '../libs/care-access/src/testing/workflows';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { ACCESS_EXPIRY_ACTOR, loadConfig } from '@access-ledger/platform';
import { createProjectorApp } from '../apps/projector/src/projector.module';
import { TEST_MANAGEMENT_TOKEN, TestApi, startApi } from './support/api';

/**
 * The access-expiry sweeper where it runs: in the embedded API (RUN_PROJECTIONS) and in the
 * projector, every ACCESS_EXPIRY_INTERVAL_MS, on the real clock. The grants here ended in 2020,
 * so the first pass after the read model has them records their expiry; the sweeper's own rules
 * at chosen times are specified in libs/platform/src/sweeps/access-expiry.spec.ts.
 */
const pro = { id: 'u-pro', name: 'Dr Pro' };
const workflow = workflowOf({ at: '2020-01-01T00:00:00.000Z', professionals: [{ ...pro, days: 1 }] });

/** Enrols the participant and accepts u-pro's prompt on 2 January 2020: grant `g-<sub>` ended on the 3rd. */
async function grantThatEnded(events: EventStore, participant: ParticipantRef): Promise<void> {
  const commands: ParticipantCommand[] = [
    { type: 'EnrolParticipant', workflow, participant, appendConsent: undefined, now: '2020-01-02T00:00:00.000Z' },
    { type: 'AnswerConsentPrompt', workflow, professionalId: pro.id, decision: 'accept', grantId: `g-${participant.id}`, now: '2020-01-02T00:00:00.000Z' },
  ];
  for (const [i, command] of commands.entries()) {
    const context: CommandContext = { commandId: `${participant.id}-${i}`, actor: { id: participant.id, email: participant.email, roles: [] }, now: command.now, correlationId: 'c', causationId: 'c' };
    await handleCommand(events, participantDecider, participantStream(participant.id), command, context);
  }
}

/** The AccessExpired events of the participant's stream, once there is one (or none after `timeoutMs`). */
async function expiryOf(events: EventStore, participant: ParticipantRef, timeoutMs = 15_000): Promise<RecordedEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const expired = (await events.readStream(participantStream(participant.id))).filter((e) => e.type === 'AccessExpired');
    if (expired.length > 0 || Date.now() > deadline) return expired;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the access-expiry sweeper in the processes', () => {
  const pia: ParticipantRef = { id: 'sub-pia', email: 'pia@example.org', name: null };

  describe('in the embedded API (RUN_PROJECTIONS)', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startApi({ ACCESS_EXPIRY_INTERVAL_MS: '1000' });
    });
    afterAll(() => api.close());

    it('records AccessExpired, by the system, for a grant that ended', async () => {
      await grantThatEnded(api.events, pia);
      const [expired, ...more] = await expiryOf(api.events, pia);
      expect(more).toEqual([]);
      expect(expired.data).toMatchObject({ grantId: 'g-sub-pia', until: '2020-01-03T00:00:00.000Z' });
      expect(expired.metadata.actor).toEqual(ACCESS_EXPIRY_ACTOR);
    });
  });

  describe('in the projector, beside an API that runs no consumers', () => {
    let api: TestApi;
    let projector: INestApplication;
    beforeAll(async () => {
      api = await startApi({ RUN_PROJECTIONS: 'false', ACCESS_EXPIRY_INTERVAL_MS: '1000' });
      const config = loadConfig({ DATA_DIR: api.dataDir, LOG_LEVEL: 'silent', MANAGEMENT_TOKEN: TEST_MANAGEMENT_TOKEN, ACCESS_EXPIRY_INTERVAL_MS: '1000' }, { auth: false });
      projector = await createProjectorApp(config);
      await projector.listen(0, '127.0.0.1');
    });
    afterAll(async () => {
      await projector.close();
      await api.close();
    });

    it('records AccessExpired for a grant that ended, and stops with the projector', async () => {
      await grantThatEnded(api.events, pia);
      expect(await expiryOf(api.events, pia)).toHaveLength(1);
    });
  });
});
