import { NewLedgerEvent, PurchaseCompleted, mapAnswer } from '@tally/contracts';
import { decideEarn } from '@tally/earning';
import { LedgerStore } from '@tally/ledger';
import { DEFAULT_PROGRAM, Program } from '@tally/program';
import { decideRedeem } from '@tally/redemption';

/**
 * Integration-test support: appends what the earn and redeem services would, through the real
 * deciders and the real ledger store, at business times the test chooses (a controllable clock).
 */
export class LedgerDriver {
  private seq = 0;
  private readonly lotsPerMember = new Map<string, number>();

  constructor(
    private readonly store: LedgerStore,
    private readonly program: Program = DEFAULT_PROGRAM,
  ) {}

  /** A store purchase: `amountMinor / 100` points times the member's tier multiplier; lots are `lot-<member>-<n>`, n counting the member's purchases. */
  async purchase(memberId: string, amountMinor: number, occurredAt: string): Promise<Extract<NewLedgerEvent, { type: 'points.earned' }>> {
    const n = ++this.seq;
    const lot = (this.lotsPerMember.get(memberId) ?? 0) + 1;
    this.lotsPerMember.set(memberId, lot);
    const input = {
      eventId: `pos-test-${n}`,
      type: 'purchase.completed',
      occurredAt,
      memberId,
      storeId: 'sh-07',
      channel: 'store',
      orderId: `o-${n}`,
      amountMinor,
      currency: 'CNY',
    } as PurchaseCompleted;
    const ctx = { program: this.program, now: new Date(occurredAt), newLotId: () => `lot-${memberId}-${lot}` };
    const [result] = await this.store.execute([
      {
        scope: 'test-earn',
        causationId: input.eventId,
        memberIds: [memberId],
        decide: (states) => {
          const decision = decideEarn(input, { ...states }, ctx);
          if (decision.kind !== 'append') throw new Error(`purchase not earned: ${JSON.stringify(decision)}`);
          return { kind: 'append', events: decision.events, result: decision.events };
        },
      },
    ]);
    if (result.status !== 'appended') throw new Error(`purchase not appended: ${result.status}`);
    const earned = (result.result as NewLedgerEvent[]).find((e) => e.type === 'points.earned');
    if (earned?.type !== 'points.earned') throw new Error('no points.earned');
    return earned;
  }

  /** Any events, as a service would append them (e.g. pending points, which the default program has not). */
  async append(memberId: string, events: NewLedgerEvent[]): Promise<void> {
    const [result] = await this.store.execute([
      { scope: 'test-append', causationId: `append-${++this.seq}`, memberIds: [memberId], decide: () => ({ kind: 'append', events, result: null }) },
    ]);
    if (result.status !== 'appended') throw new Error(`not appended: ${result.status}`);
  }

  /** A cash-deduction redemption: spends the soonest-expiring lots first. */
  async redeem(memberId: string, points: number, occurredAt: string): Promise<{ lotId: string; points: number }[]> {
    const redemptionId = `red-test-${++this.seq}`;
    const [result] = await this.store.execute([
      {
        scope: 'test-redeem',
        causationId: redemptionId,
        memberIds: [memberId],
        decide: (states) => {
          const decision = decideRedeem(states[memberId], { redemptionId, points, storeId: 'sh-07', occurredAt }, this.program);
          if (decision.kind !== 'append') throw new Error(`redemption refused: ${decision.code}`);
          return mapAnswer(decision, (made) => made.fromLots.map((p) => ({ lotId: p.lotId, points: p.points })));
        },
      },
    ]);
    if (result.status !== 'appended') throw new Error(`redemption not appended: ${result.status}`);
    return result.result as { lotId: string; points: number }[];
  }
}
