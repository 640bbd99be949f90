import { LedgerEventMessage, TierChangedNotice } from '@tally/contracts';
import { UpgradeTrigger } from '../tiers/tier.service';

/** Ledger events that move qualifying points, so an upgrade may be due. */
export const UPGRADE_TRIGGERS: ReadonlySet<string> = new Set(['points.earned', 'points.clawed-back', 'points.adjusted']);

/** What one batch of `loyalty.ledger.v1` asks of the tier service. */
export interface TierWork {
  triggers: UpgradeTrigger[];
  notices: TierChangedNotice[];
}

/** The upgrade checks and the tier-change notices a batch of ledger events calls for. */
export const tierWork = (events: readonly LedgerEventMessage[]): TierWork => {
  const work: TierWork = { triggers: [], notices: [] };
  for (const event of events) {
    if (UPGRADE_TRIGGERS.has(event.type)) work.triggers.push({ memberId: event.memberId, version: event.version });
    if (event.type === 'tier.changed') {
      const { from, to } = event.data as { from?: unknown; to?: unknown };
      // A floor set at or below the current tier is recorded but changes no tier: nothing to announce.
      if (typeof from === 'string' && typeof to === 'string' && from !== to) {
        work.notices.push({ type: 'tier.changed', memberId: event.memberId, from, to, effectiveAt: event.occurredAt });
      }
    }
  }
  return work;
};
