import { ForbiddenError } from '@access-ledger/core';
import { ExistingRequest, RequestCaller } from './access-request';

/** The caller as the read side needs them: who they are, the organisation they are an active SPOC of, whether they audit. */
export interface RequestReader extends Pick<RequestCaller, 'id' | 'spocOf'> {
  readonly auditor: boolean;
}

/**
 * Who reads which access requests: every query of this context asks one of these rules first.
 * Pure functions of the reader (SPOC designation as effective for their token) and the
 * resource asked for; a rule returns when the reader may read it (with the scope, where the
 * reader decides it) and throws a ForbiddenError with a stable code when not.
 * test/read-policy.api.spec.ts shows them as a table per endpoint.
 */
export const requestReadPolicy = {
  /** An organisation's requests (the SPOC overview): its SPOCs, and auditors. */
  overview(reader: RequestReader, organisationId: string): void {
    if (reader.spocOf !== organisationId && !reader.auditor) {
      throw new ForbiddenError('not-a-spoc', 'Only single points of contact (SPOCs) of this organisation see its requests.');
    }
  },

  /** One request: its requester (by `sub`), SPOCs of its organisation, and auditors. */
  getRequest(reader: RequestReader, request: Pick<ExistingRequest, 'organisationId' | 'requester'>): void {
    if (reader.id !== request.requester.id && reader.spocOf !== request.organisationId && !reader.auditor) {
      throw new ForbiddenError('not-allowed', 'Only the requester, SPOCs of the organisation and auditors see a request.');
    }
  },

  /** The reader's own requests: anyone authenticated, and only the requests they made (by `sub`). */
  myRequests(reader: RequestReader): { readonly requesterId: string } {
    return { requesterId: reader.id };
  },
};
