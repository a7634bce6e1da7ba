import { ConflictError, Decider, ForbiddenError, NotFoundError, ValidationError } from '@access-ledger/core';
import { accessRequestEvents } from './catalogue';
import { AccessRequestEvent, DecidedAs, ProvisioningOutcome, ProvisioningStatus, RequestStatus, Requester } from './events';

export const ACCESS_REQUEST_EVENT_TYPES: readonly AccessRequestEvent['type'][] = accessRequestEvents.types;

// ---- State --------------------------------------------------------------------------
/** Who took a step: the actor of the stored event's envelope (events.md), by `sub` and e-mail address. */
export type StepTakenBy = { readonly id: string; readonly email: string };

/**
 * How a request was closed: approved or rejected (`decidedAs`: a SPOC, or a platform
 * administrator standing in), or withdrawn (`decidedAs: requester`). `reason` is a rejection's
 * reason, `comment` an approval's comment; otherwise null. `by` is null only while the event
 * is not stored yet (a decision just taken has no envelope).
 */
export type RequestDecision = {
  readonly by: StepTakenBy | null;
  readonly decidedAs: DecidedAs | 'requester';
  readonly reason: string | null;
  readonly comment: string | null;
};

/**
 * Where provisioning of an approved request's account stands: `pending` from the approval
 * until downstream reports, then the last outcome it reported, with its detail and when.
 */
export type Provisioning = {
  readonly status: ProvisioningStatus;
  readonly detail: string | null;
  readonly at: string;
};

export type AccessRequestState =
  | { status: 'none' }
  | {
      status: RequestStatus;
      requestId: string;
      organisationId: string;
      application: string;
      justification: string | null;
      requester: Requester;
      /** When it was approved, rejected or withdrawn; null while open. */
      completedAt: string | null;
      decision: RequestDecision | null;
      /** null until approved; then `pending` until downstream provisioning reports an outcome. */
      provisioning: Provisioning | null;
    };
export type ExistingRequest = Exclude<AccessRequestState, { status: 'none' }>;

/** Statuses from which a SPOC may decide, and the requester may withdraw. */
export const OPEN_STATUSES: readonly RequestStatus[] = ['created', 'approval_requested'];
export const isOpen = (status: RequestStatus) => OPEN_STATUSES.includes(status);

/** A stored event brings its envelope, whose actor took the step; an event just decided has none yet. */
type FoldedEvent = AccessRequestEvent & { readonly metadata?: { readonly actor: StepTakenBy } };
const takenBy = (event: FoldedEvent): StepTakenBy | null => (event.metadata ? { id: event.metadata.actor.id, email: event.metadata.actor.email } : null);

const evolve = (state: AccessRequestState, event: FoldedEvent): AccessRequestState => {
  switch (event.type) {
    case 'RequestCreated': {
      const d = event.data;
      return {
        status: 'created',
        requestId: d.requestId,
        organisationId: d.organisationId,
        application: d.application,
        justification: d.justification,
        requester: d.requester,
        completedAt: null,
        decision: null,
        provisioning: null,
      };
    }
    case 'ApprovalRequested':
      return state.status === 'none' ? state : { ...state, status: 'approval_requested' };
    case 'RequestApproved': {
      if (state.status === 'none') return state;
      // Events written before `decidedAs` was introduced lack it and mean a SPOC (events.md).
      const decision = { by: takenBy(event), decidedAs: event.data.decidedAs ?? 'spoc', reason: null, comment: event.data.comment };
      return { ...state, status: 'approved_rae', completedAt: event.data.approvedAt, decision, provisioning: { status: 'pending', detail: null, at: event.data.approvedAt } };
    }
    case 'RequestRejected': {
      if (state.status === 'none') return state;
      const decision = { by: takenBy(event), decidedAs: event.data.decidedAs ?? 'spoc', reason: event.data.reason, comment: null };
      return { ...state, status: 'rejected', completedAt: event.data.rejectedAt, decision };
    }
    case 'RequestWithdrawn':
      if (state.status === 'none') return state;
      return { ...state, status: 'withdrawn', completedAt: event.data.withdrawnAt, decision: { by: takenBy(event), decidedAs: 'requester', reason: null, comment: null } };
    case 'AccountProvisioned':
      if (state.status === 'none') return state;
      return { ...state, provisioning: { status: 'provisioned', detail: event.data.detail, at: event.data.provisionedAt } };
    case 'AccountProvisioningFailed':
      if (state.status === 'none') return state;
      return { ...state, provisioning: { status: 'failed', detail: event.data.detail, at: event.data.failedAt } };
    default:
      return state;
  }
};

// ---- Commands -----------------------------------------------------------------------
/** The caller as this context needs them: who they are, and the organisation they are an active SPOC of (for this token). */
export interface RequestCaller {
  /** The token's `sub`. */
  readonly id: string;
  readonly email: string;
  readonly spocOf: string | null;
  readonly platformAdmin: boolean;
}

export type CreateRequest = {
  type: 'CreateRequest';
  requestId: string;
  organisationId: string;
  organisationExists: boolean;
  application: string;
  justification: string | null;
  requester: Requester;
  now: string;
};
export type SubmitRequest = { type: 'SubmitRequest'; caller: RequestCaller; now: string };
/** Whether the requester is their organisation's only active SPOC (nobody else there could decide). */
type Decision = { caller: RequestCaller; requesterIsOnlySpoc: boolean; now: string };
export type ApproveRequest = Decision & { type: 'ApproveRequest'; confirm: boolean; comment: string | null };
export type RejectRequest = Decision & { type: 'RejectRequest'; reason: string };
export type WithdrawRequest = { type: 'WithdrawRequest'; caller: RequestCaller; reason: string | null; now: string };
/** Downstream provisioning reports what it did for an approved request; `byIntegration`: the caller's token has the `integration` role. */
export type ReportProvisioning = { type: 'ReportProvisioning'; byIntegration: boolean; status: ProvisioningOutcome; detail: string | null; now: string };
export type AccessRequestCommand = CreateRequest | SubmitRequest | ApproveRequest | RejectRequest | WithdrawRequest | ReportProvisioning;

const APPLICATION = /^[A-Za-z0-9_.-]{1,64}$/;

const create = (command: CreateRequest, state: AccessRequestState): AccessRequestEvent[] => {
  if (!command.organisationExists) throw new NotFoundError('organisation-not-found', 'No such organisation.');
  if (!APPLICATION.test(command.application)) {
    throw new ValidationError('invalid-application', 'application must be 1 to 64 of A-Z, a-z, 0-9, _ . -', { field: 'application' });
  }
  if (state.status !== 'none') throw new ConflictError('request-already-exists', 'This request already exists.');
  return [
    {
      type: 'RequestCreated',
      data: {
        requestId: command.requestId,
        organisationId: command.organisationId,
        application: command.application,
        justification: command.justification,
        requester: command.requester,
        createdAt: command.now,
      },
    },
  ];
};

const existing = (state: AccessRequestState): ExistingRequest => {
  if (state.status === 'none') throw new NotFoundError('request-not-found', 'No such request.');
  return state;
};

const invalidTransition = (request: ExistingRequest, action: string) =>
  new ConflictError('invalid-transition', `A request that is ${request.status} cannot be ${action}.`, { currentStatus: request.status });

const requireRequester = (caller: RequestCaller, request: ExistingRequest) => {
  if (caller.id !== request.requester.id) throw new ForbiddenError('not-the-requester', 'Only the person who made the request may do this.');
};

/**
 * Separation of duties: nobody decides a request they made, whatever their designations. A SPOC
 * of the request's organisation decides it; when the requester is that organisation's only
 * active SPOC, a platform administrator may decide it instead, and the event says so.
 */
const decider = ({ caller, requesterIsOnlySpoc }: Decision, request: ExistingRequest): DecidedAs => {
  if (caller.id === request.requester.id || caller.email.toLowerCase() === request.requester.email.toLowerCase()) {
    throw new ForbiddenError('self-decision', 'Nobody decides a request they made themselves; another SPOC of the organisation decides it.');
  }
  if (caller.spocOf === request.organisationId) return 'spoc';
  if (caller.platformAdmin && requesterIsOnlySpoc) return 'platform_admin';
  throw new ForbiddenError('not-a-spoc', 'Only a single point of contact (SPOC) of the request’s organisation decides it.');
};

const submit = (command: SubmitRequest, state: AccessRequestState): AccessRequestEvent[] => {
  const request = existing(state);
  requireRequester(command.caller, request);
  if (request.status !== 'created') throw invalidTransition(request, 'submitted');
  const { requestId, organisationId, application, requester } = request;
  return [{ type: 'ApprovalRequested', data: { requestId, organisationId, application, requester, previousStatus: request.status, requestedAt: command.now } }];
};

const approve = (command: ApproveRequest, state: AccessRequestState): AccessRequestEvent[] => {
  const request = existing(state);
  const decidedAs = decider(command, request);
  if (!isOpen(request.status)) throw invalidTransition(request, 'approved');
  if (command.confirm !== true) throw new ValidationError('confirmation-required', 'Approving needs confirm: true.', { field: 'confirm' });
  const { requestId, organisationId, application, requester } = request;
  return [
    { type: 'RequestApproved', data: { requestId, organisationId, application, requester, comment: command.comment, previousStatus: request.status, decidedAs, approvedAt: command.now } },
  ];
};

const reject = (command: RejectRequest, state: AccessRequestState): AccessRequestEvent[] => {
  const request = existing(state);
  const decidedAs = decider(command, request);
  if (!isOpen(request.status)) throw invalidTransition(request, 'rejected');
  const reason = command.reason.trim();
  if (reason.length === 0 || reason.length > 1000) throw new ValidationError('invalid-reason', 'reason must be 1 to 1000 characters.', { field: 'reason' });
  return [{ type: 'RequestRejected', data: { requestId: request.requestId, organisationId: request.organisationId, reason, previousStatus: request.status, decidedAs, rejectedAt: command.now } }];
};

const withdraw = (command: WithdrawRequest, state: AccessRequestState): AccessRequestEvent[] => {
  const request = existing(state);
  requireRequester(command.caller, request);
  if (!isOpen(request.status)) throw invalidTransition(request, 'withdrawn');
  return [
    {
      type: 'RequestWithdrawn',
      data: { requestId: request.requestId, organisationId: request.organisationId, reason: command.reason, previousStatus: request.status, withdrawnAt: command.now },
    },
  ];
};

/**
 * An outcome of account provisioning, reported by an integration for an approved request. The
 * same outcome again (same status and detail) is recorded once: a report sent twice appends
 * nothing. `provisioned` after `failed` is an operator's successful retry; `failed` after
 * `provisioned` contradicts what was recorded (one request is provisioned once) and is refused.
 */
const reportProvisioning = (command: ReportProvisioning, state: AccessRequestState): AccessRequestEvent[] => {
  if (!command.byIntegration) throw new ForbiddenError('not-an-integration', 'Only an integration (token role integration) reports provisioning outcomes.');
  const request = existing(state);
  if (request.status !== 'approved_rae' || request.provisioning === null) {
    throw new ConflictError('request-not-approved', `A request that is ${request.status} has no account to provision.`, { currentStatus: request.status });
  }
  const current = request.provisioning;
  if (current.status === command.status && current.detail === command.detail) return [];
  if (current.status === 'provisioned' && command.status === 'failed') {
    throw new ConflictError('already-provisioned', 'This request’s account was reported provisioned; a failure cannot follow it.', { provisioning: current.status });
  }
  const ids = { requestId: request.requestId, organisationId: request.organisationId };
  return command.status === 'provisioned'
    ? [{ type: 'AccountProvisioned', data: { ...ids, detail: command.detail, provisionedAt: command.now } }]
    : [{ type: 'AccountProvisioningFailed', data: { ...ids, detail: command.detail, failedAt: command.now } }];
};

export const accessRequestDecider: Decider<AccessRequestCommand, AccessRequestEvent, AccessRequestState> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  catalogue: accessRequestEvents,
  decide: (command, state) => {
    switch (command.type) {
      case 'CreateRequest':
        return create(command, state);
      case 'SubmitRequest':
        return submit(command, state);
      case 'ApproveRequest':
        return approve(command, state);
      case 'RejectRequest':
        return reject(command, state);
      case 'WithdrawRequest':
        return withdraw(command, state);
      case 'ReportProvisioning':
        return reportProvisioning(command, state);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown command ${JSON.stringify(unknown)}`);
      }
    }
  },
};
