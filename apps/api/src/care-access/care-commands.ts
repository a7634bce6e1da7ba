import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CareCaller } from '@access-ledger/care-access';
import { etagOf, RequestContext, RequestValidationError } from '@access-ledger/platform';
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

/** What the token verifier refuses in a `sub` (libs/auth): controls, lone surrogates, bidi overrides and isolates. */
const UNSAFE = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/u;

/** A participant in a path: their `sub` as tokens carry it (1–255 characters, none the verifier refuses). */
@Injectable()
export class ParticipantIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    const field = metadata.data ?? 'participantId';
    if (value.length === 0 || value.length > 255 || UNSAFE.test(value)) {
      throw new RequestValidationError([{ field, messages: [`${field} must be a participant's id: the sub of their token (1 to 255 characters)`] }]);
    }
    return value;
  }
}
