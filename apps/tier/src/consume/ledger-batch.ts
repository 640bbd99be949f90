import { TierChangedNotice } from '@tally/contracts';
import { ConsumedMessage } from '@tally/messaging';
import { UpgradeTrigger } from '../tiers/tier.service';

/** Ledger events that move qualifying points, so an upgrade may be due. */
export const UPGRADE_TRIGGERS: ReadonlySet<string> = new Set(['points.earned', 'points.clawed-back', 'points.adjusted']);

export interface ReadLedgerBatch {
  triggers: UpgradeTrigger[];
  notices: TierChangedNotice[];
  /** Messages that are not ledger events (never expected from the relay). */
  unreadable: { message: ConsumedMessage; problem: string }[];
}

interface LedgerEventFields {
  type: string;
  memberId: string;
  version: number;
  occurredAt: string;
  data: Record<string, unknown>;
}

const parse = (value: Buffer | null): LedgerEventFields | string => {
  if (!value) return 'empty message';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  const e = parsed as Partial<LedgerEventFields>;
  if (typeof e !== 'object' || e === null) return 'not an object';
  if (typeof e.type !== 'string' || typeof e.memberId !== 'string' || !Number.isInteger(e.version) || typeof e.occurredAt !== 'string') {
    return 'missing type, memberId, version or occurredAt';
  }
  if (typeof e.data !== 'object' || e.data === null) return 'missing data';
  return e as LedgerEventFields;
};

/** What one batch of `loyalty.ledger.v1` asks of the tier service. */
export const readLedgerBatch = (messages: ConsumedMessage[]): ReadLedgerBatch => {
  const batch: ReadLedgerBatch = { triggers: [], notices: [], unreadable: [] };
  for (const message of messages) {
    const event = parse(message.value);
    if (typeof event === 'string') {
      batch.unreadable.push({ message, problem: event });
      continue;
    }
    if (UPGRADE_TRIGGERS.has(event.type)) batch.triggers.push({ memberId: event.memberId, version: event.version });
    if (event.type === 'tier.changed') {
      const { from, to } = event.data as { from?: unknown; to?: unknown };
      // A floor set at or below the current tier is recorded but changes no tier: nothing to announce.
      if (typeof from === 'string' && typeof to === 'string' && from !== to) {
        batch.notices.push({ type: 'tier.changed', memberId: event.memberId, from, to, effectiveAt: event.occurredAt });
      }
    }
  }
  return batch;
};
