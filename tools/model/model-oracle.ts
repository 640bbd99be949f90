import { NewLedgerEvent } from '@tally/contracts';
import { LedgerCommand, LoadedMember, MemberStateCache, MemberStates, OrderKey, Query, attachOrders } from '@tally/ledger';
import { MemberState, evolveMember } from '@tally/member-ledger';
import { Program } from '@tally/program';
import { ModelSpec, ResultSummary, commandOf } from './model-commands';

/** What the oracle expects of a batch of specs: each result, and each member's state after them. */
export interface Expectation {
  results: ResultSummary[];
  states: Map<string, MemberState>;
}

interface SeenCausation {
  outcome: string;
  fingerprint: string | null;
}

const key = (scope: string, id: string) => `${scope}\u0000${id}`;

const ordersOf = (commands: LedgerCommand<unknown>[]): OrderKey[] => commands.flatMap((c) => [...(c.orders ?? []), ...(c.newOrders ?? [])]);

/** An event as the store folds it: its instant written as `toISOString` does. */
const folded = (state: MemberState, event: NewLedgerEvent): MemberState =>
  evolveMember(state, { ...event, occurredAt: new Date(event.occurredAt).toISOString() } as NewLedgerEvent, state.version + 1);

/**
 * The model's side: it reads every member a batch names afresh from the database (the committed
 * head, never a cache), and decides the batch as the ledger promises to, command after command on
 * the states the earlier ones left, a causation seen before (or earlier in the batch) being a
 * duplicate and a refusal that is not final leaving its causation open.
 */
export class ModelOracle {
  /** A cache nobody ever fills: every read folds the member from the log. */
  private readonly states = new MemberStates(new MemberStateCache(0));

  constructor(
    private readonly query: Query,
    private readonly program: Program,
  ) {}

  async read(memberIds: readonly string[], orders: OrderKey[] = []): Promise<Map<string, MemberState>> {
    const { loaded, orders: stored } = await this.states.loadCurrent(this.query, memberIds, orders);
    attachOrders(stored, loaded as Map<string, LoadedMember>);
    return new Map([...loaded].map(([id, entry]) => [id, entry.state]));
  }

  async expect(specs: ModelSpec[]): Promise<Expectation> {
    const commands = specs.map((spec) => commandOf(spec, this.program));
    const memberIds = [...new Set(commands.flatMap((c) => c.memberIds))];
    const states = await this.read(memberIds, ordersOf(commands));
    const seen = await this.causations(commands);
    const results = commands.map((command) => this.decide(command, states, seen));
    return { results, states };
  }

  private decide(command: LedgerCommand<unknown>, states: Map<string, MemberState>, seen: Map<string, SeenCausation>): ResultSummary {
    const fingerprint = command.fingerprint ?? null;
    const earlier = seen.get(key(command.scope, command.causationId));
    if (earlier) return { status: 'duplicate', outcome: earlier.outcome, sameFingerprint: earlier.fingerprint === fingerprint };
    const view = Object.fromEntries(command.memberIds.map((id) => [id, states.get(id) as MemberState]));
    const outcome = command.decide(view);
    switch (outcome.kind) {
      case 'skip':
        return { status: 'skipped' };
      case 'reject': {
        const final = outcome.final !== false;
        if (final) seen.set(key(command.scope, command.causationId), { outcome: 'rejected', fingerprint });
        return { status: 'rejected', code: outcome.code, final };
      }
      case 'append': {
        seen.set(key(command.scope, command.causationId), { outcome: 'appended', fingerprint });
        const events = outcome.events.map((event) => {
          const state = folded(states.get(event.memberId) as MemberState, event);
          states.set(event.memberId, state);
          return { memberId: event.memberId, version: state.version, type: event.type };
        });
        return { status: 'appended', events };
      }
    }
  }

  private async causations(commands: LedgerCommand<unknown>[]): Promise<Map<string, SeenCausation>> {
    const rows: { scope: string; causation_id: string; outcome: string; fingerprint: string | null }[] = await this.query(
      `SELECT c.scope, c.causation_id, c.outcome, c.fingerprint FROM causations c
         JOIN unnest($1::text[], $2::text[]) AS k(scope, id) ON c.scope = k.scope AND c.causation_id = k.id`,
      [commands.map((c) => c.scope), commands.map((c) => c.causationId)],
    );
    return new Map(rows.map((r) => [key(r.scope, r.causation_id), { outcome: r.outcome, fingerprint: r.fingerprint }]));
  }
}

/**
 * A state as the rules see it, in a form two states can be compared by: its orders are left out
 * (a state carries only those a decision loaded), its collections as sorted entries.
 */
export const comparable = (state: MemberState) => ({
  memberId: state.memberId,
  version: state.version,
  tier: state.tier,
  tierFloor: state.tierFloor,
  lastUpgradeAt: state.lastUpgradeAt,
  debt: state.debt,
  totals: state.totals,
  lots: [...state.lots.values()].sort((a, b) => (a.lotId < b.lotId ? -1 : 1)),
  holds: Object.entries(state.holds).sort(([a], [b]) => (a < b ? -1 : 1)),
  checkIn: state.checkIn,
  referredBy: state.referredBy,
  daily: [...state.daily].sort(([a], [b]) => (a < b ? -1 : 1)),
  activityYears: Object.entries(state.activityYears).sort(([a], [b]) => (a < b ? -1 : 1)),
  qualifying: [...state.qualifying].sort(([a], [b]) => (a < b ? -1 : 1)),
});
