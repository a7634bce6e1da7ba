import { OptionalReason } from '@access-ledger/platform';

export class WithdrawRequestDto {
  @OptionalReason()
  reason?: string;
}
