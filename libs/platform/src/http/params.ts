import { Injectable, PipeTransform, ArgumentMetadata } from '@nestjs/common';
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
