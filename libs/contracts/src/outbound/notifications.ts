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

export type Notification = PointsExpiringSoon | TierChangedNotice;
