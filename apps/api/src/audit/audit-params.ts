import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ValidateBy, ValidationOptions } from 'class-validator';
import { isStreamId, parseInstant } from '@access-ledger/audit';
import { RequestValidationError } from '@access-ledger/platform';

/**
 * An instant in a query (`asOf`, `at`): ISO 8601 date and time with an offset (libs/audit
 * `parseInstant`, which the handlers then read it with: one form, UTC with milliseconds).
 */
export const IsInstant = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseInstant(value) !== null,
        defaultMessage: (args) => `${args?.property ?? 'instant'} must be an ISO 8601 date and time with an offset, e.g. 2026-05-01T09:00:00Z`,
      },
    },
    options,
  );

/** A stream id in a path: `<category>-<id>` (libs/audit `isStreamId`); anything else is a 400 naming the parameter. */
@Injectable()
export class StreamIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    const field = metadata.data ?? 'streamId';
    if (!isStreamId(value)) {
      throw new RequestValidationError([{ field, messages: [`${field} must be <category>-<id>: a lower-case category without "-", then letters, digits and "-" (e.g. request-<uuid>)`] }]);
    }
    return value;
  }
}
