import { ConflictError, Decider, ForbiddenError, NotFoundError, ValidationError } from '@access-ledger/core';
import { Caller, isPlatformAdmin, managesUsersOf, requireUserManager } from './caller';
import { OrganisationState } from './organisation';
import { PermissionLevel } from './permissions';
import { emailDomainOf, normaliseEmail } from './streams';
import { LeadStandingCause } from './lead-administrators';
import { userEvents } from './catalogue';

// ---- Events -------------------------------------------------------------------------
type Of<T extends string, D> = { type: T; data: { userId: string; organisationId: string } & D };

export type UserAdded = Of<
  'UserAdded',
  { firstName: string; lastName: string; email: string; clinician: boolean; permissionLevel: PermissionLevel; spoc: boolean; professional: boolean; addedAt: string }
>;
/** `userStatus`, like `permissionLevel` on (de)activation, states the user's standing at the time, so read models can count without a lookup. */
export type UserPermissionLevelChanged = Of<'UserPermissionLevelChanged', { from: PermissionLevel; to: PermissionLevel; userStatus: 'active' | 'deactivated'; changedAt: string }>;
export type UserDesignationsChanged = Of<'UserDesignationsChanged', { spoc: boolean; professional: boolean; changedAt: string }>;
export type UserClinicianStatusChanged = Of<'UserClinicianStatusChanged', { clinician: boolean; changedAt: string }>;
export type UserDeactivated = Of<'UserDeactivated', { permissionLevel: PermissionLevel; reason: string | null; deactivatedAt: string }>;
export type UserReactivated = Of<'UserReactivated', { permissionLevel: PermissionLevel; reason: string | null; reactivatedAt: string }>;

export type UserEvent =
  | UserAdded
  | UserPermissionLevelChanged
  | UserDesignationsChanged
  | UserClinicianStatusChanged
  | UserDeactivated
  | UserReactivated;

export const USER_EVENT_TYPES: readonly UserEvent['type'][] = userEvents.types;

// ---- State --------------------------------------------------------------------------
/** Rights that take effect at the next sign-in: each period starts when the change was made. */
export interface RightsPeriod {
  readonly permissionLevel: PermissionLevel;
  readonly spoc: boolean;
  readonly professional: boolean;
  readonly effectiveFrom: string;
}

export type UserState =
  | { status: 'none' }
  | {
      status: 'active' | 'deactivated';
      userId: string;
      organisationId: string;
      firstName: string;
      lastName: string;
      email: string;
      clinician: boolean;
      /** Newest last; the last one is what new tokens get. */
      rights: readonly RightsPeriod[];
    };
export type ExistingUser = Exclude<UserState, { status: 'none' }>;

export const currentRights = (user: ExistingUser): RightsPeriod => user.rights[user.rights.length - 1];

/** How a user is named to others: first and last name. */
export const fullNameOf = (user: Pick<ExistingUser, 'firstName' | 'lastName'>): string => `${user.firstName} ${user.lastName}`;

/**
 * The rights a token carries: those in force when it was issued (`iat`, in seconds). A
 * change made later applies from the next sign-in; a token issued within the same second
 * as the change still carries the earlier rights.
 */
export const rightsForToken = (user: ExistingUser, issuedAtSeconds: number): RightsPeriod => {
  const issuedAtMs = issuedAtSeconds * 1000;
  let effective = user.rights[0];
  for (const period of user.rights) if (Date.parse(period.effectiveFrom) <= issuedAtMs) effective = period;
  return effective;
};

const evolve = (state: UserState, event: UserEvent): UserState => {
  if (event.type === 'UserAdded') {
    const d = event.data;
    return {
      status: 'active',
      userId: d.userId,
      organisationId: d.organisationId,
      firstName: d.firstName,
      lastName: d.lastName,
      email: d.email,
      clinician: d.clinician,
      rights: [{ permissionLevel: d.permissionLevel, spoc: d.spoc, professional: d.professional, effectiveFrom: d.addedAt }],
    };
  }
  if (state.status === 'none') return state;
  const latest = currentRights(state);
  switch (event.type) {
    case 'UserPermissionLevelChanged':
      return { ...state, rights: [...state.rights, { ...latest, permissionLevel: event.data.to, effectiveFrom: event.data.changedAt }] };
    case 'UserDesignationsChanged':
      return { ...state, rights: [...state.rights, { ...latest, spoc: event.data.spoc, professional: event.data.professional, effectiveFrom: event.data.changedAt }] };
    case 'UserClinicianStatusChanged':
      return { ...state, clinician: event.data.clinician };
    case 'UserDeactivated':
      return { ...state, status: 'deactivated' };
    case 'UserReactivated':
      return { ...state, status: 'active' };
    default:
      return state;
  }
};

/** An active user whose recorded level (what their next sign-in gets) is lead administrator. */
export const isActiveLead = (state: UserState): boolean =>
  state.status === 'active' && currentRights(state).permissionLevel === 'lead_administrator';

const CAUSES: Record<UserEvent['type'], LeadStandingCause | null> = {
  UserAdded: 'added',
  UserPermissionLevelChanged: null,
  UserDesignationsChanged: null,
  UserClinicianStatusChanged: null,
  UserDeactivated: 'deactivated',
  UserReactivated: 'reactivated',
};

/**
 * How events about to be appended change the user's standing as an active lead administrator,
 * or null when they do not: such a change has to be admitted by the organisation first.
 */
export const leadStandingChange = (before: UserState, events: readonly UserEvent[]): { activeLead: boolean; cause: LeadStandingCause } | null => {
  const after = events.reduce(evolve, before);
  const activeLead = isActiveLead(after);
  if (activeLead === isActiveLead(before)) return null;
  const decisive = events.map((e) => CAUSES[e.type]).find((cause) => cause !== null);
  return { activeLead, cause: decisive ?? (activeLead ? 'promoted' : 'demoted') };
};

// ---- Commands -----------------------------------------------------------------------
interface Common {
  caller: Caller;
  now: string;
}

export type AddUser = Common & {
  type: 'AddUser';
  userId: string;
  organisation: OrganisationState;
  organisationId: string;
  firstName: string;
  lastName: string;
  email: string;
  clinician: boolean;
  permissionLevel: PermissionLevel;
  spoc: boolean;
  professional: boolean;
};
export type ChangeUser = Common & {
  type: 'ChangeUser';
  organisationId: string;
  permissionLevel?: PermissionLevel;
  clinician?: boolean;
  spoc?: boolean;
  professional?: boolean;
};
export type DeactivateUser = Common & { type: 'DeactivateUser'; organisationId: string; reason: string | null };
export type ReactivateUser = Common & { type: 'ReactivateUser'; organisationId: string; reason: string | null };
export type UserCommand = AddUser | ChangeUser | DeactivateUser | ReactivateUser;

const MAX_NAME = 100;
const checkName = (field: string, value: string) => {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME) {
    throw new ValidationError('invalid-name', `${field} must be 1 to ${MAX_NAME} characters.`, { field });
  }
  return trimmed;
};

const addUser = (command: AddUser, state: UserState): UserEvent[] => {
  const { organisation } = command;
  if (organisation.status !== 'registered') throw new NotFoundError('organisation-not-found', 'No such organisation.');
  if (!managesUsersOf(command.caller, command.organisationId)) {
    if (!isPlatformAdmin(command.caller)) {
      throw new ForbiddenError('not-a-lead-administrator', 'Only lead administrators of this organisation manage its users.');
    }
    // Whether it is the *first* is decided in the organisation's stream (lead-administrators.ts).
    if (command.permissionLevel !== 'lead_administrator') {
      throw new ForbiddenError(
        'first-lead-administrator-only',
        'Platform administrators add only the first lead administrator of an organisation; its lead administrators add everyone else.',
      );
    }
  }
  if (state.status !== 'none') throw new ConflictError('user-already-exists', 'This user already exists.');
  const email = normaliseEmail(command.email);
  if (organisation.emailDomains.length > 0 && !organisation.emailDomains.includes(emailDomainOf(email))) {
    throw new ValidationError('email-domain-not-allowed', `The e-mail address must be in one of the organisation's domains: ${organisation.emailDomains.join(', ')}.`, {
      field: 'email',
    });
  }
  return [
    {
      type: 'UserAdded',
      data: {
        userId: command.userId,
        organisationId: command.organisationId,
        firstName: checkName('firstName', command.firstName),
        lastName: checkName('lastName', command.lastName),
        email,
        clinician: command.clinician,
        permissionLevel: command.permissionLevel,
        spoc: command.spoc,
        professional: command.professional,
        addedAt: command.now,
      },
    },
  ];
};

/** Authorised, and the user is one of the organisation in the path (another organisation's user reads as missing). */
const existing = (command: Exclude<UserCommand, AddUser>, state: UserState): ExistingUser => {
  requireUserManager(command.caller, command.organisationId);
  if (state.status === 'none' || state.organisationId !== command.organisationId) throw new NotFoundError('user-not-found', 'No such user in this organisation.');
  return state;
};

const changeUser = (command: ChangeUser, state: UserState): UserEvent[] => {
  const user = existing(command, state);
  const ids = { userId: user.userId, organisationId: user.organisationId };
  const rights = currentRights(user);
  const events: UserEvent[] = [];
  if (command.permissionLevel !== undefined && command.permissionLevel !== rights.permissionLevel) {
    events.push({
      type: 'UserPermissionLevelChanged',
      data: { ...ids, from: rights.permissionLevel, to: command.permissionLevel, userStatus: user.status, changedAt: command.now },
    });
  }
  const spoc = command.spoc ?? rights.spoc;
  const professional = command.professional ?? rights.professional;
  if (spoc !== rights.spoc || professional !== rights.professional) {
    events.push({ type: 'UserDesignationsChanged', data: { ...ids, spoc, professional, changedAt: command.now } });
  }
  if (command.clinician !== undefined && command.clinician !== user.clinician) {
    events.push({ type: 'UserClinicianStatusChanged', data: { ...ids, clinician: command.clinician, changedAt: command.now } });
  }
  return events;
};

const deactivate = (command: DeactivateUser, state: UserState): UserEvent[] => {
  const user = existing(command, state);
  if (user.status === 'deactivated') throw new ConflictError('user-already-deactivated', 'This user is already deactivated.');
  return [
    {
      type: 'UserDeactivated',
      data: { userId: user.userId, organisationId: user.organisationId, permissionLevel: currentRights(user).permissionLevel, reason: command.reason, deactivatedAt: command.now },
    },
  ];
};

const reactivate = (command: ReactivateUser, state: UserState): UserEvent[] => {
  const user = existing(command, state);
  if (user.status === 'active') throw new ConflictError('user-already-active', 'This user is already active.');
  return [
    {
      type: 'UserReactivated',
      data: { userId: user.userId, organisationId: user.organisationId, permissionLevel: currentRights(user).permissionLevel, reason: command.reason, reactivatedAt: command.now },
    },
  ];
};

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  catalogue: userEvents,
  decide: (command, state) => {
    switch (command.type) {
      case 'AddUser':
        return addUser(command, state);
      case 'ChangeUser':
        return changeUser(command, state);
      case 'DeactivateUser':
        return deactivate(command, state);
      case 'ReactivateUser':
        return reactivate(command, state);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown command ${JSON.stringify(unknown)}`);
      }
    }
  },
};
