import { ConflictError, Decider } from '@access-ledger/core';
import { emailReservationEvents } from './catalogue';

/**
 * E-mail uniqueness across all organisations, race-free: one reservation stream per
 * normalised address, appended with `no_stream`, so of many concurrent adds exactly one
 * reserves the address.
 */
export type EmailReserved = {
  type: 'EmailReserved';
  data: { email: string; userId: string; organisationId: string; reservedAt: string };
};
export type EmailReservationEvent = EmailReserved;

export type EmailReservationState =
  | { status: 'none' }
  | { status: 'reserved'; userId: string; reservedAt: string };

export type ReserveEmail = {
  type: 'ReserveEmail';
  email: string;
  userId: string;
  organisationId: string;
  /** Used to suggest the `+organisationname` variation when the address is taken. */
  organisationName: string;
  /** Whether the user holding the reservation exists (a crash may leave a reservation behind). */
  holderExists: boolean;
  now: string;
};

/** A reservation whose user was never written (the process stopped in between) may be taken over after this long. */
export const ORPHANED_RESERVATION_MS = 60_000;

export const plusVariation = (email: string, organisationName: string): string => {
  const [local, domain] = email.split('@');
  const tag = organisationName.toLowerCase().replace(/[^a-z0-9]+/g, '') || 'organisation';
  return `${local}+${tag}@${domain}`;
};

const reserve = (command: ReserveEmail, state: EmailReservationState): EmailReservationEvent[] => {
  if (state.status === 'reserved') {
    if (state.userId === command.userId) return [];
    const orphaned = !command.holderExists && Date.parse(command.now) - Date.parse(state.reservedAt) > ORPHANED_RESERVATION_MS;
    if (!orphaned) {
      throw new ConflictError(
        'email-already-exists',
        `A user with this e-mail address already exists. If the same person works for several organisations, add them with a +organisationname variation such as ${plusVariation(command.email, command.organisationName)}.`,
      );
    }
  }
  return [{ type: 'EmailReserved', data: { email: command.email, userId: command.userId, organisationId: command.organisationId, reservedAt: command.now } }];
};

export const emailReservationDecider: Decider<ReserveEmail, EmailReservationEvent, EmailReservationState> = {
  initialState: () => ({ status: 'none' }),
  evolve: (_state, event) => ({ status: 'reserved', userId: event.data.userId, reservedAt: event.data.reservedAt }),
  decide: (command, state) => reserve(command, state),
  catalogue: emailReservationEvents,
};
