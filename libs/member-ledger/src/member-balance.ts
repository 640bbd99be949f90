import { MemberState } from './member-state';

/** The balance a member sees: derived from the state, never stored apart from it. */
export interface MemberBalance {
  memberId: string;
  available: number;
  pending: number;
  held: number;
  lifetimeEarned: number;
  lifetimeRedeemed: number;
  expired: number;
  tier: string;
  version: number;
}

export const balanceOf = (state: MemberState): MemberBalance => {
  let spendable = 0;
  let held = 0;
  let pending = 0;
  for (const lot of state.lots.values()) {
    held += lot.held;
    if (lot.pending) pending += lot.remaining;
    else spendable += lot.remaining - lot.held;
  }
  const { totals } = state;
  return {
    memberId: state.memberId,
    available: spendable - state.debt,
    pending,
    held,
    lifetimeEarned: totals.earned,
    lifetimeRedeemed: totals.redeemed + totals.captured - totals.reversed,
    expired: totals.expired,
    tier: state.tier,
    version: state.version,
  };
};
