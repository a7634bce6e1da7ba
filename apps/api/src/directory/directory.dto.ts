import { IsIn } from 'class-validator';
import { PERMISSION_LEVELS } from '@access-ledger/directory';
import { OptionalReason } from '@access-ledger/platform';

/** Request pieces more than one directory use case takes. */

/** A permission level, refused with the list of levels. */
export const IsPermissionLevel = () => IsIn(PERMISSION_LEVELS, { message: `permissionLevel must be one of ${PERMISSION_LEVELS.join(', ')}` });

/** The body of deactivate and reactivate: an optional reason, recorded in the event. */
export class UserStatusChangeDto {
  @OptionalReason()
  reason?: string;
}
