import { HttpStatus, Injectable } from '@nestjs/common';
import { ConcurrencyConflictError, LedgerBatcher } from '@tally/ledger';
import { AppError, Metrics } from '@tally/platform';
import { IdempotentRequest, StoredReply, idempotentCommand } from './idempotent-command';

export type { IdempotentRequest, StoredReply } from './idempotent-command';

export interface Reply<B> {
  /** True when this answers a retry: the effect happened once, earlier. */
  replayed: boolean;
  body: B;
}

/**
 * Runs one HTTP mutation as a ledger command, decided on the member's head (no overspend), with an
 * effect at most once per (scope, key): a success is the key's final answer (a retry gets it again,
 * another body with the same key 409), and so is a refusal about the request itself; a refusal that
 * rests on the member's state is not, so a retry with the key decides again.
 */
@Injectable()
export class IdempotentLedger {
  constructor(
    private readonly batcher: LedgerBatcher,
    private readonly metrics: Metrics,
  ) {}

  async execute<B>(request: IdempotentRequest<B>): Promise<Reply<B>> {
    const outcome = await this.run(request);
    const counted = outcome.status === 'duplicate' && !outcome.sameFingerprint ? 'conflict' : outcome.status;
    this.metrics
      .counter('tally_redeem_requests_total', 'Redeem-service mutations by idempotency scope and outcome', ['scope', 'outcome'])
      .inc({ scope: request.scope, outcome: counted });
    if (outcome.status !== 'duplicate') return answer(outcome.result, false);
    if (!outcome.sameFingerprint) {
      throw new AppError({
        status: HttpStatus.CONFLICT,
        error: 'idempotency_conflict',
        message: `${request.scope} ${request.key} was already requested with another body`,
        scope: request.scope,
        id: request.key,
      });
    }
    return answer(outcome.result as StoredReply<B>, true);
  }

  private async run<B>(request: IdempotentRequest<B>) {
    try {
      // Group commit: concurrent requests share one transaction (see LedgerBatcher).
      return await this.batcher.submit(idempotentCommand(request));
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError)) throw error;
      throw new AppError({
        status: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'ledger_busy',
        message: 'the member is being changed by many requests at once; retry with the same id',
        headers: { 'Retry-After': '1' },
      });
    }
  }
}

const answer = <B>(reply: StoredReply<B>, replayed: boolean): Reply<B> => {
  if (reply.ok) return { replayed, body: reply.body };
  throw new AppError({ status: reply.status, ...reply.body });
};
