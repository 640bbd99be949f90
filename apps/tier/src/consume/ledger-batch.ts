import { DeadLetterReason, TierChangedNotice } from '@tally/contracts';
import { ConsumedMessage } from '@tally/messaging';
import { UpgradeTrigger } from '../tiers/tier.service';

/** Ledger events that move qualifying points, so an upgrade may be due. */
export const UPGRADE_TRIGGERS: ReadonlySet<string> = new Set(['points.earned', 'points.clawed-back', 'points.adjusted']);

export interface ReadLedgerBatch {
  triggers: UpgradeTrigger[];
  notices: TierChangedNotice[];
  /** Messages that are not ledger events (never expected from the relay): dead letters. */
  unreadable: { message: ConsumedMessage; reason: DeadLetterReason; problem: string }[];
}

interface LedgerEventFields {
  type: string;
  memberId: string;
  version: number;
  occurredAt: string;
  data: Record<string, unknown>;
}

type Unreadable = { reason: DeadLetterReason; problem: string };

const unreadable = (reason: DeadLetterReason, problem: string): Unreadable => ({ reason, problem });

const parse = (value: Buffer | null): LedgerEventFields | Unreadable => {
  if (!value || value.length === 0) return unreadable('empty_message', 'empty message');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return unreadable('invalid_json', 'not JSON');
  }
  const e = parsed as Partial<LedgerEventFields> | null;
  if (typeof e !== 'object' || e === null) return unreadable('validation_failed', 'not an object');
  if (typeof e.type !== 'string' || typeof e.memberId !== 'string' || !Number.isInteger(e.version) || typeof e.occurredAt !== 'string') {
    return unreadable('validation_failed', 'missing type, memberId, version or occurredAt');
  }
  if (typeof e.data !== 'object' || e.data === null) return unreadable('validation_failed', 'missing data');
  return e as LedgerEventFields;
};

/** What one batch of `loyalty.ledger.v1` asks of the tier service. */
export const readLedgerBatch = (messages: ConsumedMessage[]): ReadLedgerBatch => {
  const batch: ReadLedgerBatch = { triggers: [], notices: [], unreadable: [] };
  for (const message of messages) {
    const event = parse(message.value);
    if ('problem' in event) {
      batch.unreadable.push({ message, ...event });
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
