// `npm run bench:state-memory`: what a cached member state costs in memory, and what keeping one
// costs in time (taken out of the cache and put back, as every append does), measured on states
// folded the way the ledger folds them from the earn rules' own purchase decisions.
import { runInNewContext } from 'node:vm';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { PurchaseCompleted } from '@tally/contracts';
import { decideEarn } from '@tally/earning';
import { LoadedMember, MemberStateCache, StateCacheEncoding } from '@tally/ledger';
import { MemberFold, initialMemberState } from '@tally/member-ledger';
import { randomId } from '@tally/platform';
import { DEFAULT_PROGRAM } from '@tally/program';
import { log, machine, writeResults } from './bench-support';

const MEMBERS = Number(process.env.BENCH_STATES_MEMBERS ?? 100_000);
/** Purchases folded into each member: the earn bench's 1M purchases over 100k members. */
const PURCHASES = Number(process.env.BENCH_STATES_PURCHASES ?? 10);
/** Days the purchases are spread over (the earn bench sends all of them on one day). */
const DAYS = Number(process.env.BENCH_STATES_DAYS ?? 1);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const heapUsed = (): number => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};

const purchase = (member: number, k: number): PurchaseCompleted => ({
  eventId: `b-${member}-${k}`,
  type: 'purchase.completed',
  occurredAt: new Date(Date.UTC(2026, 10, 20, 2, 15) - (k % DAYS) * 86_400_000 + member).toISOString().replace('Z', '+00:00'),
  memberId: `m-${member}`,
  storeId: `s-${member % 300}`,
  channel: 'store',
  orderId: `b-o-${member}-${k}`,
  amountMinor: 1000 + ((member * 7 + k) % 50_000),
  currency: 'CNY',
});

const hash = (): string =>
  Buffer.from(randomId() + randomId())
    .toString('hex')
    .slice(0, 64);

/** A member folded through `PURCHASES` purchases, as an append leaves it (orders dropped). */
const member = (i: number): LoadedMember => {
  const memberId = `m-${i}`;
  const fold = MemberFold.owning(initialMemberState(memberId));
  for (let k = 0; k < PURCHASES; k++) {
    const decision = decideEarn(purchase(i, k), { [memberId]: fold.state }, { program: DEFAULT_PROGRAM, now: new Date(), newLotId: randomId });
    if (decision.kind !== 'append') throw new Error(`purchase refused: ${JSON.stringify(decision)}`);
    for (const event of decision.events) fold.apply({ ...event, occurredAt: new Date(event.occurredAt).toISOString() }, fold.state.version + 1);
  }
  for (const orderId of fold.state.orders.keys()) fold.state.orders.delete(orderId);
  return { state: fold.state, lastHash: hash(), snapshotVersion: 0 };
};

const main = () => {
  const cache = new MemberStateCache(2 * MEMBERS, (process.env.TALLY_STATE_CACHE_ENCODING ?? 'compact') as StateCacheEncoding);
  const ids = Array.from({ length: MEMBERS }, (_, i) => `m-${i}`);
  const before = heapUsed();
  const rssBefore = process.memoryUsage().rss;
  for (let i = 0; i < MEMBERS; i++) cache.remember(ids[i], member(i));
  const after = heapUsed();
  const memory = process.memoryUsage();
  const bytesPerState = Math.round((after - before) / MEMBERS);
  log(
    `${MEMBERS} states of ${PURCHASES} purchases over ${DAYS} day(s): ${bytesPerState} bytes each on the heap; heap used ${Math.round(after / 2 ** 20)} MiB, rss ${Math.round(memory.rss / 2 ** 20)} MiB`,
  );

  // Every append takes its members' states out and puts them back: what that costs by itself.
  const rounds = 3;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const id of ids) {
      const entry = cache.takeUnverified(id);
      if (!entry) throw new Error(`${id} was not cached`);
      cache.remember(id, entry);
    }
  }
  const microsPerTakeAndRemember = Number((((performance.now() - started) * 1000) / (rounds * MEMBERS)).toFixed(2));
  log(`take and remember: ${microsPerTakeAndRemember} us a member`);
  const results = {
    benchmark: 'state-memory',
    command: 'npm run bench:state-memory',
    machine: machine(),
    setup: { members: MEMBERS, purchasesPerMember: PURCHASES, days: DAYS },
    bytesPerState,
    heapUsedMiB: Math.round(after / 2 ** 20),
    residentMiB: Math.round(memory.rss / 2 ** 20),
    residentGrowthMiB: Math.round((memory.rss - rssBefore) / 2 ** 20),
    heapSizeLimitMiB: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
    microsPerTakeAndRemember,
  };
  if (process.env.BENCH_STATES_WRITE !== '0') log(`results: ${writeResults(DAYS === 1 ? 'state-memory' : `state-memory-${DAYS}-days`, results)}`);
};

main();
