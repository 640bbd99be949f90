import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { LEDGER_CLOCK } from '@tally/ledger';
import { Program } from '@tally/program';
import { RedeemRules, decideRedeem, decideReverse } from '@tally/redemption';
import { AppError } from '@tally/platform';
import { availableAfter } from '../shared/balance-after';
import { IdempotentLedger, Reply } from '../shared/idempotent-ledger';
import { MemberLookup } from '../shared/member-lookup.query';
import { PROGRAM } from '../shared/program.provider';
import { RedeemRequest, RedemptionResult, ReverseResult } from './redemption.dto';

export const REDEMPTION_SCOPE = 'redemption';
export const REVERSE_SCOPE = 'redemption-reverse';

/** A redemption found by its id: whom it belongs to and which store made it. */
export interface RedemptionRef {
  redemptionId: string;
  memberId: string;
  storeId: string;
}

@Injectable()
export class RedemptionsService {
  private readonly rules: RedeemRules;

  constructor(
    private readonly ledger: IdempotentLedger,
    private readonly lookup: MemberLookup,
    @Inject(PROGRAM) program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {
    this.rules = program;
  }

  redeem(request: RedeemRequest): Promise<Reply<RedemptionResult>> {
    const { redemptionId, memberId, points, storeId, rewardId } = request;
    const occurredAt = this.clock().toISOString();
    return this.ledger.execute<RedemptionResult>({
      scope: REDEMPTION_SCOPE,
      key: redemptionId,
      memberId,
      input: { ...request },
      occurredAt,
      decide: (state) => {
        const decision = decideRedeem(state, { redemptionId, points, storeId, rewardId, occurredAt }, this.rules);
        if (!decision.ok) return { kind: 'refuse', refusal: decision };
        return {
          kind: 'append',
          events: decision.events,
          body: {
            redemptionId,
            memberId,
            points: decision.points,
            available: decision.available,
            fromLots: decision.fromLots,
            valueMinor: decision.valueMinor,
            currency: decision.currency,
            ...(rewardId !== undefined ? { rewardId } : {}),
          },
        };
      },
    });
  }

  /** 404 unless a redemption with this id was made. */
  async find(redemptionId: string): Promise<RedemptionRef> {
    const state = await this.lookup.stateOf(REDEMPTION_SCOPE, redemptionId);
    const redemption = state?.redemptions[redemptionId];
    if (!state || !redemption) {
      throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'redemption_not_found', message: `no redemption ${redemptionId}`, redemptionId });
    }
    return { redemptionId, memberId: state.memberId, storeId: redemption.storeId };
  }

  reverse({ redemptionId, memberId }: RedemptionRef): Promise<Reply<ReverseResult>> {
    const occurredAt = this.clock().toISOString();
    return this.ledger.execute<ReverseResult>({
      scope: REVERSE_SCOPE,
      key: redemptionId,
      memberId,
      input: { redemptionId },
      occurredAt,
      decide: (state) => {
        const decision = decideReverse(state, { redemptionId, occurredAt });
        if (!decision.ok) return { kind: 'refuse', refusal: decision };
        return {
          kind: 'append',
          events: decision.events,
          body: { redemptionId, memberId, points: decision.points, toLots: decision.toLots, available: availableAfter(state, decision.events) },
        };
      },
    });
  }
}
