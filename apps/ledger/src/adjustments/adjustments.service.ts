import { createHash } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AdjustDecision, decideAdjust } from '@tally/adjustments';
import { fingerprintOf } from '@tally/contracts';
import { CommandOutcome, LEDGER_CLOCK, LedgerStore } from '@tally/ledger';
import { AppError, ApiRole, ErrorBody, Metrics, RequestLike, callerOf, describeRole } from '@tally/platform';
import { Program, expiresAtFor } from '@tally/program';
import { PROGRAM } from '@tally/service-kit';
import { AdjustmentRequest, AdjustmentResult } from './adjustment.dto';

export const ADJUSTMENT_SCOPE = 'adjustment';

type Stored = { ok: true; body: AdjustmentResult } | { ok: false; status: number; body: ErrorBody };

export interface AdjustmentReply {
  /** True when this answers a retry: the points moved once, earlier. */
  replayed: boolean;
  body: AdjustmentResult;
}

/** The actor an event names: the token's role and a short digest of it, so two ops tokens are told apart without storing either. */
export const actorOf = (role: ApiRole | undefined, token: string | undefined): string => {
  const name = role ? describeRole(role) : 'ops';
  return token ? `${name}#${createHash('sha256').update(token).digest('hex').slice(0, 8)}` : name;
};

const bearerOf = (request: RequestLike): string | undefined => {
  const header = request.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
};

/** The actor of an ops request (adjustments, imports). */
export const actorOfRequest = (request: RequestLike): string => actorOf(callerOf(request), bearerOf(request));

const REFUSAL_STATUS: Record<string, [number, string]> = {
  UNKNOWN_MEMBER: [HttpStatus.NOT_FOUND, 'member_not_found'],
  INSUFFICIENT_POINTS: [HttpStatus.UNPROCESSABLE_ENTITY, 'insufficient_points'],
};

/**
 * Ops corrections as `points.adjusted`, through the ledger's append path (decided on the member's
 * head, idempotent on `adjustmentId`). A refusal rests on the member's state, so it is logged but
 * not final: the same key may be tried again once the member has the points.
 */
@Injectable()
export class AdjustmentsService {
  constructor(
    private readonly store: LedgerStore,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
    private readonly metrics: Metrics,
  ) {}

  async adjust(memberId: string, request: AdjustmentRequest, actor: string): Promise<AdjustmentReply> {
    const occurredAt = this.clock().toISOString();
    const command = {
      adjustmentId: request.adjustmentId,
      points: request.points,
      reason: request.reason,
      note: request.note,
      actor,
      occurredAt,
      lotId: `adj-${memberId}-${request.adjustmentId}`,
      lotExpiresAt: expiresAtFor(this.program, occurredAt),
      allowDebt: request.debt === true,
    };
    const outcome = await this.store.executeOne<Stored>({
      scope: ADJUSTMENT_SCOPE,
      causationId: `${memberId}/${request.adjustmentId}`,
      memberIds: [memberId],
      refused: { input: request, occurredAt },
      fingerprint: fingerprintOf({ ...request, memberId }),
      decide: (states) => {
        const state = states[memberId];
        return outcomeOf(memberId, request, actor, decideAdjust(state, command), state.version + 1);
      },
    });
    this.metrics.counter('tally_adjustments_total', 'Manual adjustments by outcome', ['outcome']).inc({ outcome: outcome.status });
    if (outcome.status === 'duplicate' && !outcome.sameFingerprint) {
      throw new AppError({
        status: HttpStatus.CONFLICT,
        error: 'idempotency_conflict',
        message: `adjustment ${request.adjustmentId} was already requested with another body`,
        scope: ADJUSTMENT_SCOPE,
        id: request.adjustmentId,
      });
    }
    const stored = outcome.result as Stored;
    if (!stored.ok) throw new AppError({ status: stored.status, ...stored.body });
    return { replayed: outcome.status === 'duplicate', body: stored.body };
  }
}

const outcomeOf = (memberId: string, request: AdjustmentRequest, actor: string, decision: AdjustDecision, version: number): CommandOutcome<Stored> => {
  if (decision.kind === 'reject') {
    const [status, error] = REFUSAL_STATUS[decision.code];
    const body: ErrorBody = { error, message: decision.message, ...decision.details };
    return { ...decision, result: { ok: false, status, body } };
  }
  const { available, debt } = decision.result;
  return {
    ...decision,
    result: {
      ok: true,
      body: {
        adjustmentId: request.adjustmentId,
        memberId,
        points: request.points,
        reason: request.reason,
        ...(request.note ? { note: request.note } : {}),
        actor,
        available,
        debt,
        version,
      },
    },
  };
};
