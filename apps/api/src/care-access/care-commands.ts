import type { Request, Response } from 'express';
import { CareCaller } from '@access-ledger/care-access';
import { etagOf, RequestContext } from '@access-ledger/platform';
import { DirectoryAccess } from '../directory/directory-access';
import { careCallerOf } from './care-caller';

/** Who writes, as every care-access command needs it: the request's context and the caller as care access sees them. */
export interface CareWriter {
  readonly context: RequestContext;
  readonly caller: CareCaller;
}

export const careWriterOf = async (directory: DirectoryAccess, context: RequestContext, request: Request): Promise<CareWriter> => ({
  context,
  caller: careCallerOf(context, await directory.callerOf(request)),
});

/** What creating a workflow or changing its settings answers with. */
export interface WorkflowWritten {
  readonly id: string;
  readonly allowAppendProfessionals: boolean;
  readonly position: number;
  readonly revision: number;
}

/** The stream's new version out as ETag. */
export const withEtag = <T>(response: Response, revision: number, body: T): T => {
  response.setHeader('ETag', etagOf(revision));
  return body;
};
