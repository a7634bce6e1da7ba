import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Length, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { SafeText } from './safe-text';

/**
 * Request-field decorators the DTOs of every context share: written once here, so a list's
 * paging parameters or a "not blank" rule read and validate the same everywhere.
 */

/** Applies decorators as if written one above the other (the bottom one first, as TypeScript does). */
const stacked = (...decorators: PropertyDecorator[]) => applyDecorators(...decorators.reverse());

/**
 * The field may be left out. Unlike class-validator's `IsOptional`, `null` does not count as
 * left out: it is checked like any other value (and refused by the field's type check), so a
 * `null` the OpenAPI document does not allow never reaches a decider, let alone an event.
 */
export const Omittable = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Refuses text made only of whitespace: "<field> must not be blank". */
export const NotBlank = () => Matches(/\S/, { message: '$property must not be blank' });

/** Query strings are text: digits become a number, anything else is left for the validators to refuse. */
const queryInt = Transform(({ value }) => (/^\d+$/.test(String(value)) ? Number(value) : value));

/** `after`: the nextCursor of a previous page. */
export const AfterCursor = () =>
  stacked(
    ApiPropertyOptional({ description: 'Cursor from a previous page’s nextCursor: the page after that one (instead of page). Works at any depth; page numbers reach the first 10,000 rows.' }),
    Omittable(),
    IsString(),
    MaxLength(2048),
  );

/** `page`, from 1 (how far page numbers reach is checked by `pagingOf`). `docs` adds to what OpenAPI says of it. */
export const PageNumber = (docs: ApiPropertyOptions = {}) =>
  stacked(ApiPropertyOptional({ default: 1, ...docs, description: 'page × pageSize ≤ 10,000; beyond, use after.' }), Omittable(), queryInt, IsInt(), Min(1), Max(100000));

/** `pageSize`, 1 to 100, default 25. `docs` adds to what OpenAPI says of it. */
export const PageSize = (docs: ApiPropertyOptions = {}) => stacked(ApiPropertyOptional({ default: 25, maximum: 100, ...docs }), Omittable(), queryInt, IsInt(), Min(1), Max(100));

/**
 * An optional free-text reason recorded in the event (deactivating a user, withdrawing a request,
 * the detail of a provisioning outcome): 1–1000 characters, may span lines. `docs` adds to what OpenAPI says of it.
 */
export const OptionalReason = (docs: ApiPropertyOptions = {}) =>
  stacked(ApiPropertyOptional({ maxLength: 1000, ...docs }), Omittable(), IsString(), Length(1, 1000), SafeText({ multiline: true }));

/** The paging parameters of a list (`after`, or `page`; `pageSize`), for a list's query DTO to extend. */
export class PageQueryDto {
  @AfterCursor()
  after?: string;

  @PageNumber({ minimum: 1 })
  page?: number;

  @PageSize({ minimum: 1 })
  pageSize?: number;
}
