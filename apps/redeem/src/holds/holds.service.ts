import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { LEDGER_CLOCK } from '@tally/ledger';
import { AppError } from '@tally/platform';
import { IdempotentLedger, Reply } from '../shared/idempotent-ledger';
import { MemberLookup, StoredCausation, appendedReplyOf } from '../shared/member-lookup.query';
import { CaptureRequest, CaptureResult, HoldRequest, HoldResult, ReleaseResult } from './hold.dto';
import { CAPTURE_SCOPE, HOLD_SCOPE, HoldRef, RELEASE_SCOPE, captureRequest, holdRequest, releaseRequest } from './hold.requests';

const isAppended = (causation: StoredCausation | undefined): boolean => causation?.outcome === 'appended';

@Injectable()
export class HoldsService {
  constructor(
    private readonly ledger: IdempotentLedger,
    private readonly lookup: MemberLookup,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  hold(request: HoldRequest): Promise<Reply<HoldResult>> {
    return this.ledger.execute(holdRequest(request, this.clock().toISOString()));
  }

  /**
   * 404 unless a hold with this id was placed (a refused one was not) by a store the caller may act
   * for (`visibleTo`): another store's hold gets the same 404 as none, so a store cannot tell other
   * stores' hold ids from unknown ones. Its member and store come from its stored first result, and
   * how it was resolved from the capture and release causations: one primary-key read, nothing from
   * the member state (which forgets a hold once it is resolved).
   */
  async find(holdId: string, visibleTo: (storeId: string) => boolean): Promise<HoldRef> {
    const causations = await this.lookup.causations([HOLD_SCOPE, CAPTURE_SCOPE, RELEASE_SCOPE], holdId);
    const placed = appendedReplyOf<HoldResult>(causations.get(HOLD_SCOPE));
    if (!placed || !visibleTo(placed.body.storeId)) {
      throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'hold_not_found', message: `no hold ${holdId}`, holdId });
    }
    const resolvedBy = isAppended(causations.get(CAPTURE_SCOPE)) ? 'captured' : isAppended(causations.get(RELEASE_SCOPE)) ? 'released' : undefined;
    return {
      holdId,
      memberId: placed.memberId,
      storeId: placed.body.storeId,
      expiresAt: placed.body.expiresAt,
      ...(resolvedBy !== undefined ? { resolvedBy } : {}),
    };
  }

  /** A retry of a capture replays it; capturing a hold that is no longer open is 409 `hold_already_resolved`. */
  capture(hold: HoldRef, request: CaptureRequest): Promise<Reply<CaptureResult>> {
    return this.ledger.execute(captureRequest(hold, request, this.clock().toISOString()));
  }

  /** A retry of a release replays it; releasing a hold that is no longer open is 409 `hold_already_resolved`. */
  release(hold: HoldRef): Promise<Reply<ReleaseResult>> {
    return this.ledger.execute(releaseRequest(hold, this.clock().toISOString()));
  }
}
