export interface PointsExpiringSoon {
  type: 'points.expiring-soon';
  memberId: string;
  points: number;
  expiresAt: string;
  lots: { lotId: string; points: number; expiresAt: string }[];
}

export interface TierChangedNotice {
  type: 'tier.changed';
  memberId: string;
  from: string;
  to: string;
  effectiveAt: string;
}

/**
 * A one-time code for step-up verification, for the SMS sender outside Tally to deliver. Tally keeps
 * only its hash; the code is valid until `expiresAt` and for a limited number of wrong tries.
 */
export interface ChallengeCodeNotice {
  type: 'challenge.code';
  memberId: string;
  challengeId: string;
  purpose: 'transfer' | 'redemption';
  points: number;
  code: string;
  expiresAt: string;
}

export type Notification = PointsExpiringSoon | TierChangedNotice | ChallengeCodeNotice;
