import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsInt, Max, Min, ValidateBy } from 'class-validator';
import { FEED_TYPES, FeedType, unknownFeedTypes } from '@access-ledger/feed';
import { Omittable } from '@access-ledger/platform';

/** Query strings are text: digits become a number, anything else is left for the validators to refuse. */
const queryInt = Transform(({ value }) => (/^\d+$/.test(String(value)) ? Number(value) : value));

/** `types=A,B`, `types=A&types=B` or both: one list of the names, blanks between commas dropped. */
const commaSeparated = Transform(({ value }) =>
  typeof value === 'string' || Array.isArray(value)
    ? ([] as unknown[]).concat(value).flatMap((part) => (typeof part === 'string' ? part.split(',').map((name) => name.trim()).filter(Boolean) : [part]))
    : value,
);

const namesFeedTypes = ValidateBy({
  name: 'feedTypes',
  validator: {
    validate: (value: unknown) => Array.isArray(value) && value.every((name) => typeof name === 'string') && unknownFeedTypes(value).length === 0,
    defaultMessage: (args) => {
      const value: unknown = args?.value;
      const unknown = Array.isArray(value) ? unknownFeedTypes(value.map(String)) : [];
      return `types names what the feed does not serve: ${unknown.join(', ')} (feed types: ${FEED_TYPES.join(', ')})`;
    },
  },
});

/** Where a feed read starts and which types it reads: GET /events and its stream alike. */
export class FeedSelectionDto {
  @ApiPropertyOptional({ default: 0, minimum: 0, description: 'A position: the events after it (exclusive). Resume from a page’s lastPosition (or, on the stream, the last id).' })
  @Omittable()
  @queryInt
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;

  @ApiPropertyOptional({ description: `Comma-separated event types, of: ${FEED_TYPES.join(', ')}. Default: all of them.`, example: 'RequestApproved,UserAdded' })
  @Omittable()
  @commaSeparated
  @ArrayNotEmpty({ message: 'types must name at least one event type' })
  @ArrayMaxSize(100)
  @namesFeedTypes
  types?: FeedType[];
}
