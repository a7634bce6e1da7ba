import { DomainEvent } from '@access-ledger/core';
import { organisationDecider, userDecider, userStream, emailReservationDecider } from '@access-ledger/directory';
import { accessRequestDecider, requestStream } from '@access-ledger/access-requests';
import { participantDecider, participantStream, workflowDecider, workflowStream } from '@access-ledger/care-access';
import { auditLogDecider } from './audit-log';
import { Replayable } from './replay';

/**
 * What the audit context replays, and how: every kind of stream with its decider (the same
 * `evolve` and catalogue as live), found by the stream's category (what comes before the first
 * `-`). The audit context reads the other contexts' events through their own public deciders and
 * catalogues; it decides nothing of theirs.
 */
/* One map of deciders of different event and state types: `any` erases them; each is used with its own stream only. */
export const REPLAYABLE: Readonly<Record<string, Replayable<any, any>>> = {
  organisation: organisationDecider,
  user: userDecider,
  useremail: emailReservationDecider,
  request: accessRequestDecider,
  workflow: workflowDecider,
  participant: participantDecider,
  auditlog: auditLogDecider,
};

/** `<category>-<id>`: a lower-case category without `-`, then an id of letters, digits and `-` (UUIDs, hashes). */
const STREAM_ID = /^[a-z][a-z0-9]{0,31}-[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;
export const isStreamId = (text: string): boolean => STREAM_ID.test(text);
export const categoryOf = (streamId: string): string => streamId.slice(0, streamId.indexOf('-'));
export const replayableOf = (streamId: string): Replayable<any, any> | undefined =>
  Object.hasOwn(REPLAYABLE, categoryOf(streamId)) ? REPLAYABLE[categoryOf(streamId)] : undefined;

/**
 * The entities that have a timeline and a state as of a moment: the stream an id names, its
 * decider, and the organisations whose data its state holds (for the read policy and for the
 * record of the read).
 */
export interface AuditedEntity<S = any> {
  readonly kind: string;
  readonly streamOf: (id: string) => string;
  readonly replayable: Replayable<DomainEvent, S>;
  /** Null while the state says the entity does not exist. */
  readonly exists: (state: S) => boolean;
  readonly organisationsOf: (state: S) => readonly string[];
  /** The problem code when there is no such entity. */
  readonly notFound: string;
}

const entity = <E extends DomainEvent, S extends { status: string }>(definition: {
  kind: string;
  streamOf: (id: string) => string;
  replayable: Replayable<E, S>;
  organisationsOf: (state: Exclude<S, { status: 'none' }>) => readonly string[];
  notFound: string;
}): AuditedEntity<S> => ({
  ...definition,
  replayable: definition.replayable as unknown as Replayable<DomainEvent, S>,
  exists: (state) => state.status !== 'none',
  organisationsOf: (state) => (state.status === 'none' ? [] : definition.organisationsOf(state as Exclude<S, { status: 'none' }>)),
});

const ENTITIES = {
  request: entity({ kind: 'request', streamOf: requestStream, replayable: accessRequestDecider, organisationsOf: (s) => [s.organisationId], notFound: 'request-not-found' }),
  user: entity({ kind: 'user', streamOf: userStream, replayable: userDecider, organisationsOf: (s) => [s.organisationId], notFound: 'user-not-found' }),
  workflow: entity({ kind: 'workflow', streamOf: workflowStream, replayable: workflowDecider, organisationsOf: (s) => [s.organisationId], notFound: 'workflow-not-found' }),
  /** A participant takes part in workflows of any number of organisations. */
  participant: entity({
    kind: 'participant',
    streamOf: participantStream,
    replayable: participantDecider,
    organisationsOf: (s) => [...new Set(Object.values(s.enrolments).map((e) => e.organisationId))].sort(),
    notFound: 'participant-not-found',
  }),
};
export type AuditedKind = keyof typeof ENTITIES;
/** By kind, each with its state type erased: handlers use an entity's functions on that entity's own stream only. */
export const AUDITED_ENTITIES: Readonly<Record<AuditedKind, AuditedEntity>> = ENTITIES;
