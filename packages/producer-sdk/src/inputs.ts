/** The input messages of Tally's contract (docs/contracts.md), as producers build them. */

export interface PurchaseLine {
  sku: string;
  category?: string;
  quantity: number;
  amountMinor: number;
}

interface Common {
  /** 1-128 of [A-Za-z0-9._:-], unique within its topic: see `eventId()`. */
  eventId: string;
  /** ISO-8601 with an offset: see `occurredAt()`. */
  occurredAt: string;
  storeId?: string;
}

export interface PurchaseCompleted extends Common {
  type: 'purchase.completed';
  memberId: string;
  channel: 'store' | 'online';
  orderId: string;
  amountMinor: number;
  currency: string;
  lines?: PurchaseLine[];
}

export interface PurchaseRefunded extends Common {
  type: 'purchase.refunded';
  memberId: string;
  orderId: string;
  refundId: string;
  amountMinor: number;
  currency: string;
}

export interface MemberCheckedIn extends Common {
  type: 'member.checked-in';
  memberId: string;
}

export interface ReferralCompleted extends Common {
  type: 'referral.completed';
  referrerId: string;
  refereeId: string;
}

export interface MemberActivity extends Common {
  type: 'member.activity';
  memberId: string;
  activity: string;
}

export type TallyInput = PurchaseCompleted | PurchaseRefunded | MemberCheckedIn | ReferralCompleted | MemberActivity;

/** The topic each input type goes to. */
export const TOPIC_OF: Record<TallyInput['type'], string> = {
  'purchase.completed': 'loyalty.purchases.v1',
  'purchase.refunded': 'loyalty.purchases.v1',
  'member.checked-in': 'loyalty.check-ins.v1',
  'referral.completed': 'loyalty.referrals.v1',
  'member.activity': 'loyalty.member-events.v1',
};

/** The schema (generated from Tally's contracts) each input type is validated against. */
export const SCHEMA_OF: Record<TallyInput['type'], string> = {
  'purchase.completed': 'PurchaseCompleted',
  'purchase.refunded': 'PurchaseRefunded',
  'member.checked-in': 'MemberCheckedIn',
  'referral.completed': 'ReferralCompleted',
  'member.activity': 'MemberActivity',
};

/** The Kafka key: the member id; for a referral, the referrer (so a member's inputs keep their order). */
export const keyOf = (input: TallyInput): string => (input.type === 'referral.completed' ? input.referrerId : input.memberId);
