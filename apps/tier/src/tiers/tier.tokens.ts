export const TIER_GROUP_ID = 'tally-tier';
export const UPGRADE_SCOPE = 'tier-upgrade';
export const DAILY_SCOPE = 'tier-daily';
export const FLOOR_SCOPE = 'tier-floor';
