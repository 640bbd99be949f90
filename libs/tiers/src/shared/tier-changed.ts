import { NewLedgerEvent, TierChanged } from '@tally/contracts';

export const tierChanged = (memberId: string, occurredAt: string, data: TierChanged): NewLedgerEvent => ({
  type: 'tier.changed',
  memberId,
  occurredAt,
  data,
});
