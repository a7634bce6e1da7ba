import { Injectable, PipeTransform, ArgumentMetadata } from '@nestjs/common';
import { isValidSub } from '@access-ledger/auth';
import { RequestValidationError } from './problem';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Path ids are UUIDs; anything else is a 400 naming the parameter. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!UUID.test(value)) throw new RequestValidationError([{ field: metadata.data ?? 'id', messages: [`${metadata.data ?? 'id'} must be a UUID`] }]);
    return value.toLowerCase();
  }
}

/** A participant in a path: their `sub`, by the token verifier's own rule (libs/auth `isValidSub`); anything else is a 400 naming the parameter. */
@Injectable()
export class ParticipantIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    const field = metadata.data ?? 'participantId';
    if (!isValidSub(value)) {
      throw new RequestValidationError([{ field, messages: [`${field} must be a participant's id: the sub of their token (1 to 255 characters)`] }]);
    }
    return value;
  }
}
