import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LEDGER_CLOCK, LedgerQueries } from '@tally/ledger';
import { balanceOf } from '@tally/member-ledger';
import { Program } from '@tally/program';
import { eligibleRewards } from '@tally/redemption';
import { RewardStock } from '../redemptions/reward-stock.repository';
import { PROGRAM } from '@tally/service-kit';
import { RewardsQuery, RewardsResult } from './rewards.query';

@ApiTags('rewards')
@ApiBearerAuth()
@Controller('rewards')
export class RewardsController {
  /** Tier names from the lowest threshold up: a reward's `minTier` is judged by this order. */
  private readonly tierOrder: string[];

  constructor(
    private readonly queries: LedgerQueries,
    private readonly stock: RewardStock,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {
    this.tierOrder = [...program.tiers].sort((a, b) => a.threshold - b.threshold).map((tier) => tier.name);
  }

  @Get()
  @ApiOperation({ summary: "The catalog rewards a member may redeem now, each saying whether the member's points cover it" })
  @ApiOkResponse({ type: RewardsResult })
  async list(@Query() query: RewardsQuery): Promise<RewardsResult> {
    // A member without events has no points yet but may still see the catalog.
    const state = await this.queries.memberState(query.memberId);
    const balance = balanceOf(state);
    const eligible = eligibleRewards(state, this.program.rewards, this.tierOrder, this.clock().toISOString());
    const left = await this.stock.remaining(eligible.filter((r) => r.stock !== undefined).map((r) => r.id));
    const rewards = eligible.map((reward) => {
      if (reward.stock === undefined) return reward;
      const remaining = left.get(reward.id) ?? reward.stock;
      return { ...reward, remaining, affordable: reward.affordable && remaining > 0 };
    });
    return { memberId: state.memberId, tier: balance.tier, available: balance.available, rewards };
  }
}
