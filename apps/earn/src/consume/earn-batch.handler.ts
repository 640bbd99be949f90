import { DeadLetter, InputEvent, parseInput } from '@tally/contracts';
import {
  EarnContext,
  EarnDecision,
  EarnResult,
  OrderPurchase,
  CountedInput,
  StoreGrant,
  decideStoreFlags,
  orderWaitKey,
  redecideStoreFlags,
  settlingRefusal,
  storeGrantsOf,
  storeHourDeltas,
  storeHourOfInput,
  storePointsRules,
  withPurchase,
} from '@tally/earning';
import { CommandResult, CountedResults, DeadLetterLog, LedgerCommand, LedgerStore, ParkedInputs, StoreFlags, StoreHourTotals } from '@tally/ledger';
import { ConsumedMessage, TypedProducer, publishDeadLetters, toDeadLetter } from '@tally/messaging';
import { isInfrastructureError } from '@tally/platform';
import { earnCommand, inputFingerprint } from './earn.command';

export interface EarnBatchDeps {
  store: LedgerStore;
  deadLetterLog: DeadLetterLog;
  parked: ParkedInputs;
  producer: TypedProducer;
  namespace: string;
  consumerGroup: string;
  clock: () => Date;
  context: () => EarnContext;
  onOutcome?: (outcome: string, count: number) => void;
  /** An abuse rule flagged a member or a store. */
  onFlag?: (ruleId: string) => void;
  /** Stores' points per hour and their flags: needed once the program has a store-points rule. */
  storeFlags?: StoreFlags;
}

type Letter = { letter: DeadLetter; original: ConsumedMessage };

/** One append call of a batch: the items it decided, and the stores' hourly counts it committed. */
interface Counted {
  items: Pending[];
  totals: StoreHourTotals;
}

interface Pending {
  message: ConsumedMessage;
  command: LedgerCommand<EarnResult>;
  input: InputEvent;
  /** The last decision made, kept only while the program has store-points rules. */
  decided?: EarnDecision;
}

/**
 * Handles one consumed batch: invalid messages to the dead-letter topic, every valid one decided
 * and appended in one ledger transaction, refunds that arrived before their purchase parked until
 * it comes. Only then does the consumer commit the batch's offsets.
 */
export class EarnBatchHandler {
  constructor(private readonly deps: EarnBatchDeps) {}

  async handle(messages: ConsumedMessage[]): Promise<void> {
    const now = this.deps.clock();
    // One context for the batch: the rules' clock and program are the same for all of it.
    const context = this.deps.context();
    const contextOf = () => context;
    const watchesStores = this.deps.storeFlags !== undefined && storePointsRules(context.program.abuse.rules).length > 0;
    const pending: Pending[] = [];
    const letters: Letter[] = [];
    for (const message of messages) {
      const parsed = parseInput(message.contractTopic, message.value, now);
      if (!parsed.ok) {
        letters.push({ letter: toDeadLetter(message, parsed, this.deps.consumerGroup, now), original: message });
        continue;
      }
      const item = { message, input: parsed.event } as Pending;
      item.command = earnCommand(message.contractTopic, parsed.event, contextOf, watchesStores ? { onDecided: (decision) => (item.decided = decision) } : {});
      // The store-points rule's counts go into the append's own statement: counted if and only if applied.
      if (watchesStores) item.command.counts = (events) => storeHourDeltas(storeGrantsOf(parsed.event.eventId, events));
      pending.push(item);
    }
    await this.deadLetterParkedReuses(pending, letters, now);
    const counted: Counted[] = [];
    const results = await this.execute(pending, letters, now, counted);
    if (watchesStores) await this.flagStores(pending, results, counted, context);
    this.deadLetterReusedIds(pending, results, letters, now);
    this.deadLetterDeferredReuses(pending, results, letters, now);
    await this.deadLetter(letters);
    await this.parkDeferred(pending, results, now);
    await this.applyWaitingRefunds(pending, results);
  }

  /**
   * An input parked under its `eventId` (a refund waiting for its purchase) holds that id as an
   * answered one does: the ledger has no causation for it yet, so the id reused with another body,
   * by an input parked before, is found here and dead-lettered, and the parked input stands. The
   * same body again goes on and is decided again, which changes nothing while its purchase has not
   * come. (One parked within this batch is checked once it is deferred: `deadLetterDeferredReuses`.)
   * The pending list is filtered in place.
   */
  private async deadLetterParkedReuses(pending: Pending[], letters: Letter[], now: Date) {
    if (!(await this.deps.parked.anyParked())) return;
    const parkedWith = new Map<string, string>();
    for (const p of await this.deps.parked.parkedAs(pending.map((item) => item.command))) {
      parkedWith.set(parkKey(p.scope, p.causationId), inputFingerprint(p.input as InputEvent));
    }
    const reused = new Set<Pending>();
    for (const item of pending) {
      const fingerprint = parkedWith.get(parkKey(item.command.scope, item.command.causationId));
      if (fingerprint !== undefined && fingerprint !== item.command.fingerprint) reused.add(item);
    }
    if (reused.size === 0) return;
    for (const item of reused)
      letters.push({ letter: toDeadLetter(item.message, reusedIdProblem(item), this.deps.consumerGroup, now), original: item.message });
    const kept = pending.filter((item) => !reused.has(item));
    pending.splice(0, pending.length, ...kept);
  }

  private async execute(pending: Pending[], letters: Letter[], now: Date, counted: Counted[]) {
    try {
      return this.counted(pending, await this.deps.store.executeCounted(pending.map((p) => p.command)), counted);
    } catch (error) {
      if (isInfrastructureError(error)) throw error;
      return this.executeOneByOne(pending, letters, now, counted);
    }
  }

  private counted(items: Pending[], { results, totals }: CountedResults<EarnResult>, counted: Counted[]) {
    if (totals.size > 0) counted.push({ items, totals });
    return results;
  }

  /** A batch failed on something other than infrastructure: find the culprit, dead-letter it alone. */
  private async executeOneByOne(pending: Pending[], letters: Letter[], now: Date, counted: Counted[]) {
    const results: (CommandResult<EarnResult> | undefined)[] = [];
    for (const item of pending) {
      try {
        results.push(...this.counted([item], await this.deps.store.executeCounted([item.command]), counted));
      } catch (error) {
        if (isInfrastructureError(error)) throw error;
        results.push(undefined);
        const problem = { reason: 'processing_failed' as const, message: error instanceof Error ? error.message : String(error) };
        letters.push({ letter: toDeadLetter(item.message, problem, this.deps.consumerGroup, now), original: item.message });
      }
    }
    return results;
  }

  /**
   * An `eventId` seen before on its topic with another body was reused (by a buggy or replaying
   * producer): the first input stands, and this one becomes a dead letter instead of vanishing as
   * a duplicate. Its result is dropped, so nothing later reads it as its own. An input recorded
   * before fingerprints were kept has none (NULL): unknown, so a redelivery of it stays a duplicate.
   */
  private deadLetterReusedIds(pending: Pending[], results: (CommandResult<EarnResult> | undefined)[], letters: Letter[], now: Date) {
    pending.forEach((item, i) => {
      const result = results[i];
      if (result?.status !== 'duplicate' || result.sameFingerprint || result.fingerprint === null) return;
      results[i] = undefined;
      letters.push({ letter: toDeadLetter(item.message, reusedIdProblem(item), this.deps.consumerGroup, now), original: item.message });
    });
  }

  /**
   * An input deferred in this batch records no causation, so a later input of the batch with its
   * `eventId` and another body is decided afresh and may be deferred too: the first input of the
   * batch with that id stands, and a deferred one with another body becomes a dead letter instead
   * of being parked (or dropped) under the same id. Inputs answered in the ledger are the store's
   * to judge (`deadLetterReusedIds`): comparing them here would blame a redelivery for a reuse.
   */
  private deadLetterDeferredReuses(pending: Pending[], results: (CommandResult<EarnResult> | undefined)[], letters: Letter[], now: Date) {
    const first = new Map<string, string | undefined>();
    pending.forEach((item, i) => {
      const key = parkKey(item.command.scope, item.command.causationId);
      if (!first.has(key)) return void first.set(key, item.command.fingerprint);
      const result = results[i];
      if (result?.status !== 'skipped' || first.get(key) === item.command.fingerprint) return;
      results[i] = undefined;
      letters.push({ letter: toDeadLetter(item.message, reusedIdProblem(item), this.deps.consumerGroup, now), original: item.message });
    });
  }

  /**
   * The store-points rule's flags, after the batch's append counted its grants into their stores'
   * hours (in the same statement): a store that went over a rule's maximum with them is flagged,
   * once per store, rule and hour. A flag is recorded after the commit, so a stop in between would
   * lose it: inputs that come back as duplicates (their batch redelivered) look at their
   * store-hours' counts again, and one past a maximum gets its flag if it has none yet.
   */
  private async flagStores(pending: Pending[], results: (CommandResult<EarnResult> | undefined)[], counted: Counted[], context: EarnContext) {
    const storeFlags = this.deps.storeFlags;
    if (!storeFlags) return;
    const rules = storePointsRules(context.program.abuse.rules);
    const appended = new Set(pending.filter((_, i) => results[i]?.status === 'appended'));
    const flags = counted.flatMap(({ items, totals }) => {
      const grants: StoreGrant[] = items.flatMap((item) =>
        appended.has(item) && item.decided?.kind === 'append' ? storeGrantsOf(item.input.eventId, item.decided.events) : [],
      );
      return decideStoreFlags(grants, totals, rules, context.newLotId);
    });
    const redelivered: CountedInput[] = pending.flatMap((item, i) => {
      const result = results[i];
      const hour = result?.status === 'duplicate' && result.outcome === 'appended' && result.sameFingerprint ? storeHourOfInput(item.input) : undefined;
      return hour ? [hour] : [];
    });
    if (redelivered.length > 0) flags.push(...redecideStoreFlags(redelivered, await storeFlags.totals(redelivered), rules, context.newLotId));
    const recorded = await storeFlags.record(flags);
    for (const flag of flags) if (recorded.has(flag.flagId)) this.deps.onFlag?.(flag.ruleId);
  }

  /** To the dead-letter topic, then kept for ops: the consumer dead-letters a message it isolated here too. */
  async deadLetter(letters: Letter[]) {
    if (letters.length === 0) return;
    await publishDeadLetters(this.deps.producer, this.deps.namespace, letters);
    await this.deps.deadLetterLog.record(letters.map((l) => l.letter));
    this.deps.onOutcome?.('dead-lettered', letters.length);
  }

  /**
   * Refunds whose purchase has not earned (yet) wait for it, unless it came already and was
   * refused: then nothing will come to settle them, and they are refused now.
   */
  private async parkDeferred(pending: Pending[], results: (CommandResult<EarnResult> | undefined)[], now: Date) {
    const deferred = pending.flatMap((item, i) => {
      const result = results[i];
      if (result?.status !== 'skipped' || result.result.outcome !== 'deferred' || item.input.type !== 'purchase.refunded') return [];
      return [
        {
          scope: item.command.scope,
          causationId: item.command.causationId,
          memberId: item.input.memberId,
          orderId: item.input.orderId,
          waitKey: result.result.waitKey,
          input: item.input,
        },
      ];
    });
    for (const status of ['appended', 'rejected', 'duplicate'] as const) {
      const count = results.filter((r) => r?.status === status).length;
      if (count > 0) this.deps.onOutcome?.(status, count);
    }
    for (const result of results) {
      if (result?.status === 'appended' && 'flagged' in result.result) for (const ruleId of result.result.flagged ?? []) this.deps.onFlag?.(ruleId);
    }
    if (deferred.length === 0) return;
    const codesOf = await this.deps.parked.rejectionCodes(
      'purchase.completed',
      'orderId',
      deferred.map((d) => ({ memberId: d.memberId, value: d.orderId })),
    );
    const parked: typeof deferred = [];
    const refused: LedgerCommand<EarnResult>[] = [];
    for (const item of deferred) {
      const refusal = settlingRefusal(codesOf({ memberId: item.memberId, value: item.orderId }));
      if (refusal === undefined) parked.push(item);
      else refused.push(earnCommand(item.scope, item.input, this.deps.context, { purchase: { earned: false, refusal } }));
    }
    await this.deps.parked.park(parked, now);
    if (parked.length > 0) this.deps.onOutcome?.('deferred', parked.length);
    if (refused.length === 0) return;
    await this.deps.store.execute(refused);
    this.deps.onOutcome?.('rejected', refused.length);
  }

  /**
   * A purchase just decided may be what parked refunds were waiting for: after an earning they are
   * applied now; after a refused purchase (nothing earned) they are recorded as refused, so none
   * waits forever. A purchase seen before counts as it was decided then: its batch may have
   * committed and then failed (a crash, a dead-letter send) before its refunds were applied.
   */
  private async applyWaitingRefunds(pending: Pending[], results: (CommandResult<EarnResult> | undefined)[]) {
    // One tiny statement first: a probe per purchase (2,000 a batch) nearly always finds nothing.
    if (!pending.some((item) => item.input.type === 'purchase.completed') || !(await this.deps.parked.anyParked())) return;
    const verdicts = purchaseVerdicts(pending, results);
    const waiting = await this.deps.parked.waitingFor([...verdicts.values()].map(({ memberId, waitKey }) => ({ memberId, waitKey })));
    if (waiting.length === 0) return;
    const commands = waiting.map((w) =>
      earnCommand(w.scope, w.input as InputEvent, this.deps.context, { purchase: verdicts.get(verdictKey(w.memberId, w.waitKey))?.purchase }),
    );
    const outcomes = await this.deps.store.execute(commands);
    await this.deps.parked.remove(waiting.filter((_, i) => outcomes[i].status !== 'skipped'));
  }
}

const parkKey = (scope: string, causationId: string) => `${scope}\u0000${causationId}`;

const reusedIdProblem = (item: Pending) => ({
  reason: 'idempotency_conflict' as const,
  message: `eventId ${item.input.eventId} was already consumed from ${item.message.contractTopic} with another body; the first one stands`,
});

/** What a batch's purchases say of an order: the refunds waiting under its key apply, or are refused. */
interface PurchaseVerdict {
  memberId: string;
  waitKey: string;
  purchase: OrderPurchase;
}

const verdictKey = (memberId: string, waitKey: string) => `${memberId}/${waitKey}`;

/** One verdict per order of the batch's purchases, combined by the rules (`withPurchase`). */
const purchaseVerdicts = (pending: Pending[], results: (CommandResult<EarnResult> | undefined)[]): Map<string, PurchaseVerdict> => {
  const verdicts = new Map<string, PurchaseVerdict>();
  pending.forEach((item, i) => {
    const result = results[i];
    if (item.input.type !== 'purchase.completed' || !result) return;
    const earned = result.status === 'appended' || (result.status === 'duplicate' && result.outcome === 'appended');
    const refusal =
      result.status === 'rejected' ? result.code : result.status === 'duplicate' && result.outcome === 'rejected' ? 'refused when first seen' : undefined;
    if (!earned && refusal === undefined) return;
    const { memberId } = item.input;
    const waitKey = orderWaitKey(item.input.orderId);
    const key = verdictKey(memberId, waitKey);
    const purchase: OrderPurchase = earned ? { earned: true } : { earned: false, refusal: refusal as string };
    verdicts.set(key, { memberId, waitKey, purchase: withPurchase(verdicts.get(key)?.purchase, purchase) });
  });
  return verdicts;
};
