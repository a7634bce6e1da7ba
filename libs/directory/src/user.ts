import { ConflictError, Decider, ForbiddenError, NotFoundError, ValidationError } from '@access-ledger/core';
import { Caller, isIntegration, isPlatformAdmin, managesUsersOf, requireUserManager } from './caller';
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
/**
 * Downstream account provisioning reports what it did with the user's account: made it (after
 * an add or a reactivation), disabled it (after a deactivation), or failed to do either.
 * `detail` is the integration's own text (or null); who reported is `metadata.actor`.
 */
export type UserAccountProvisioned = Of<'UserAccountProvisioned', { detail: string | null; provisionedAt: string }>;
export type UserAccountDisabled = Of<'UserAccountDisabled', { detail: string | null; disabledAt: string }>;
export type UserAccountProvisioningFailed = Of<'UserAccountProvisioningFailed', { detail: string | null; failedAt: string }>;
export type UserAccountOutcomeEvent = UserAccountProvisioned | UserAccountDisabled | UserAccountProvisioningFailed;

export type UserEvent =
  | UserAdded
  | UserPermissionLevelChanged
  | UserDesignationsChanged
  | UserClinicianStatusChanged
  | UserDeactivated
  | UserReactivated
  | UserAccountOutcomeEvent;

/** What downstream may report of a user's account (`POST /organisations/:orgId/users/:userId/provisioning`). */
export const ACCOUNT_OUTCOMES = ['provisioned', 'disabled', 'failed'] as const;
export type AccountOutcome = (typeof ACCOUNT_OUTCOMES)[number];
export type AccountStatus = 'pending' | AccountOutcome;

const ACCOUNT_OUTCOME_EVENTS: Readonly<Record<UserAccountOutcomeEvent['type'], AccountOutcome>> = {
  UserAccountProvisioned: 'provisioned',
  UserAccountDisabled: 'disabled',
  UserAccountProvisioningFailed: 'failed',
};
const isAccountOutcome = (type: string): type is UserAccountOutcomeEvent['type'] => Object.hasOwn(ACCOUNT_OUTCOME_EVENTS, type);

/**
 * The revision of a user's stream as far as the user's standing goes: its last event that is
 * not an account outcome (-1: none). Downstream's reports change nothing about who the user is
 * or what they may do, so they must not make an admission look written (lead-administrators.ts).
 */
export const standingRevisionOf = (recorded: readonly { readonly type: string }[]): number => {
  for (let revision = recorded.length - 1; revision >= 0; revision -= 1) if (!isAccountOutcome(recorded[revision].type)) return revision;
  return -1;
};

export const USER_EVENT_TYPES: readonly UserEvent['type'][] = userEvents.types;

// ---- State --------------------------------------------------------------------------
/** Rights that take effect at the next sign-in: each period starts when the change was made. */
export interface RightsPeriod {
  readonly permissionLevel: PermissionLevel;
  readonly spoc: boolean;
  readonly professional: boolean;
  readonly effectiveFrom: string;
}

/**
 * The user's account downstream, as last reported: `pending` from an add, deactivation or
 * reactivation until downstream reports what it did; then that outcome, its detail and when.
 */
export interface Account {
  readonly status: AccountStatus;
  readonly detail: string | null;
  readonly at: string;
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
      account: Account;
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

const pending = (at: string): Account => ({ status: 'pending', detail: null, at });

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
      account: pending(d.addedAt),
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
      return { ...state, status: 'deactivated', account: pending(event.data.deactivatedAt) };
    case 'UserReactivated':
      return { ...state, status: 'active', account: pending(event.data.reactivatedAt) };
    case 'UserAccountProvisioned':
      return { ...state, account: { status: 'provisioned', detail: event.data.detail, at: event.data.provisionedAt } };
    case 'UserAccountDisabled':
      return { ...state, account: { status: 'disabled', detail: event.data.detail, at: event.data.disabledAt } };
    case 'UserAccountProvisioningFailed':
      return { ...state, account: { status: 'failed', detail: event.data.detail, at: event.data.failedAt } };
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
  UserAccountProvisioned: null,
  UserAccountDisabled: null,
  UserAccountProvisioningFailed: null,
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
/** Downstream provisioning reports what it did with the user's account. */
export type ReportAccountOutcome = Common & { type: 'ReportAccountOutcome'; organisationId: string; organisationExists: boolean; status: AccountOutcome; detail: string | null };
export type UserCommand = AddUser | ChangeUser | DeactivateUser | ReactivateUser | ReportAccountOutcome;

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

const inOrganisation = (organisationId: string, state: UserState): ExistingUser => {
  if (state.status === 'none' || state.organisationId !== organisationId) throw new NotFoundError('user-not-found', 'No such user in this organisation.');
  return state;
};

/** Authorised, and the user is one of the organisation in the path (another organisation's user reads as missing). */
const existing = (command: Exclude<UserCommand, AddUser | ReportAccountOutcome>, state: UserState): ExistingUser => {
  requireUserManager(command.caller, command.organisationId);
  return inOrganisation(command.organisationId, state);
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

/**
 * An outcome downstream reports for the user's account. Downstream reports what it did, in the
 * order it did it, which need not be the order of the user's own events: a `provisioned` for the
 * add may arrive after the user was deactivated, a `disabled` after they were reactivated. Each
 * is recorded as reported (it is what happened to the account) and the account shows the
 * latest; the next report follows. Only the same outcome again (same status and detail as the
 * account shows) records nothing: a report sent twice.
 */
const reportAccountOutcome = (command: ReportAccountOutcome, state: UserState): UserEvent[] => {
  if (!isIntegration(command.caller)) throw new ForbiddenError('not-an-integration', 'Only an integration (token role integration) reports account outcomes.');
  if (!command.organisationExists) throw new NotFoundError('organisation-not-found', 'No such organisation.');
  const user = inOrganisation(command.organisationId, state);
  if (user.account.status === command.status && user.account.detail === command.detail) return [];
  const ids = { userId: user.userId, organisationId: user.organisationId, detail: command.detail };
  switch (command.status) {
    case 'provisioned':
      return [{ type: 'UserAccountProvisioned', data: { ...ids, provisionedAt: command.now } }];
    case 'disabled':
      return [{ type: 'UserAccountDisabled', data: { ...ids, disabledAt: command.now } }];
    case 'failed':
      return [{ type: 'UserAccountProvisioningFailed', data: { ...ids, failedAt: command.now } }];
  }
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
      case 'ReportAccountOutcome':
        return reportAccountOutcome(command, state);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown command ${JSON.stringify(unknown)}`);
      }
    }
  },
};
