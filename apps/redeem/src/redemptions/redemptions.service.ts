import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { LEDGER_CLOCK } from '@tally/ledger';
import { Program } from '@tally/program';
import { RedeemRules, RedemptionRecord, decideRedemptionChallenge } from '@tally/redemption';
import { AppError, crashPoint } from '@tally/platform';
import { ChallengeResult } from '../challenges/challenge.dto';
import { ChallengeRow } from '../challenges/challenge.repository';
import { ChallengeCompletion, StepUp } from '../challenges/step-up.service';
import { IdempotentLedger, Reply } from '../shared/idempotent-ledger';
import { MemberLookup } from '../shared/member-lookup.query';
import { PROGRAM } from '@tally/service-kit';
import { RedeemRequest, RedemptionResult, ReverseResult } from './redemption.dto';
import { StoredRedemption, redeemRequest, reverseRequest } from './redemption.requests';
import { REDEMPTION_SCOPE } from './redemption.scopes';
import { RewardStock, StockClaim } from './reward-stock.repository';

/** A redemption found by its id: whom it belongs to, which store made it, and what it spent. */
export interface RedemptionRef {
  redemptionId: string;
  memberId: string;
  storeId: string;
  record: RedemptionRecord;
}

const replyBody = ({ storeId: _storeId, ...body }: StoredRedemption): RedemptionResult => body;

@Injectable()
export class RedemptionsService {
  private readonly rules: RedeemRules;

  constructor(
    private readonly ledger: IdempotentLedger,
    private readonly lookup: MemberLookup,
    private readonly stock: RewardStock,
    private readonly stepUp: StepUp,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {
    this.rules = program;
  }

  /**
   * A reward with limited stock takes a unit first (outside the ledger transaction); a redemption that
   * is not appended by this call gives it back, and one the program refuses for want of stock is
   * recorded like any other refusal.
   */
  async redeem(request: RedeemRequest): Promise<Reply<RedemptionResult>> {
    return this.redeemFrom(request);
  }

  /**
   * At or above the program's step-up threshold a redemption not yet made waits for its one-time
   * code: its points are held and the caller gets a challenge (202) instead of the redemption.
   */
  async needsChallenge(request: RedeemRequest): Promise<boolean> {
    const threshold = this.program.stepUp.redemptionThreshold;
    const reward = request.rewardId === undefined ? undefined : this.program.rewards.find((r) => r.id === request.rewardId);
    const points = request.points ?? reward?.points;
    if (threshold === undefined || points === undefined || points < threshold) return false;
    return !(await this.lookup.appendedReply(REDEMPTION_SCOPE, request.redemptionId));
  }

  challenge(request: RedeemRequest): Promise<ChallengeResult> {
    const { redemptionId, memberId, points, storeId, rewardId } = request;
    const occurredAt = this.clock().toISOString();
    const reward = rewardId === undefined ? undefined : this.program.rewards.find((r) => r.id === rewardId);
    return this.stepUp.begin({
      purpose: 'redemption',
      requestId: redemptionId,
      memberId,
      points: points ?? reward?.points ?? 0,
      request: { ...request },
      occurredAt,
      decideHold: (state, _states, holdId, ttlSeconds) =>
        decideRedemptionChallenge(state, { redemptionId, points, storeId, rewardId, occurredAt, holdId, ttlSeconds }, this.rules),
    });
  }

  /** How a confirmed redemption challenge is made: from the held points, stock claimed as for any redemption. */
  readonly completion: ChallengeCompletion<RedemptionResult> = {
    complete: (challenge: ChallengeRow) => this.redeemFrom(challenge.request as unknown as RedeemRequest, challenge.holdId),
    made: async (challenge: ChallengeRow) => {
      const done = await this.lookup.appendedReply<StoredRedemption>(REDEMPTION_SCOPE, challenge.requestId);
      return done && replyBody(done.body);
    },
  };

  /** A redemption, from available points or (`holdId`) from the points its challenge held. */
  private async redeemFrom(request: RedeemRequest, holdId?: string): Promise<Reply<RedemptionResult>> {
    const reward = request.rewardId === undefined ? undefined : this.program.rewards.find((r) => r.id === request.rewardId);
    const claim = reward?.stock === undefined ? undefined : await this.stock.claim(reward.id, reward.stock, request.redemptionId);
    if (claim === 'claimed') crashPoint('redeem.after-stock-claim');
    try {
      const reply = await this.execute(request, claim, holdId);
      if (claim === 'claimed' && reply.replayed) await this.stock.releaseUnlessLive(request.redemptionId);
      return { replayed: reply.replayed, body: replyBody(reply.body) };
    } catch (error) {
      // Only known outcomes (refusals, conflicts): after an unknown failure the append may have happened; a retry settles it.
      if (claim === 'claimed' && error instanceof AppError) await this.stock.releaseUnlessLive(request.redemptionId);
      throw error;
    }
  }

  private execute(request: RedeemRequest, claim: StockClaim | undefined, holdId?: string): Promise<Reply<StoredRedemption>> {
    return this.ledger.execute(redeemRequest(request, this.clock().toISOString(), this.rules, claim, holdId));
  }

  /**
   * 404 unless a redemption with this id was made (a refused one was not) for a store the caller may
   * act for (`visibleTo`): another store's redemption gets the same 404 as none. What it spent comes
   * from its stored first result: the member state keeps no record of past redemptions.
   */
  async find(redemptionId: string, visibleTo: (storeId: string) => boolean): Promise<RedemptionRef> {
    const stored = await this.lookup.appendedReply<StoredRedemption>(REDEMPTION_SCOPE, redemptionId);
    if (!stored || !visibleTo(stored.body.storeId)) {
      throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'redemption_not_found', message: `no redemption ${redemptionId}`, redemptionId });
    }
    const { memberId, body } = stored;
    const { storeId } = body;
    const record: RedemptionRecord = {
      redemptionId,
      points: body.points,
      storeId,
      fromLots: body.fromLots,
      ...(body.rewardId !== undefined ? { rewardId: body.rewardId } : {}),
    };
    return { redemptionId, memberId, storeId, record };
  }

  async reverse(redemption: RedemptionRef): Promise<Reply<ReverseResult>> {
    const reply = await this.executeReverse(redemption);
    // A reward's unit goes back to the stock (a no-op for a cash deduction).
    await this.stock.releaseUnlessLive(redemption.redemptionId);
    return reply;
  }

  /** Once per redemption: a second reversal of the same id is an idempotent replay (scope `redemption-reverse`). */
  private executeReverse({ redemptionId, memberId, record }: RedemptionRef): Promise<Reply<ReverseResult>> {
    return this.ledger.execute(reverseRequest(redemptionId, memberId, record, this.clock().toISOString()));
  }
}
