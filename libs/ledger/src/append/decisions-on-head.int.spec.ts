import { randomUUID } from 'node:crypto';
import { MemberState, balanceOf, takeFromLots } from '@tally/member-ledger';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { ledgerAppendPool, ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { MemberStateCache } from '../state/member-state.cache';
import { MemberStates } from '../state/member-states';
import { earnCommand } from '../testing/ledger.fixtures';
import { LedgerCommand } from './ledger-command';
import { LedgerStore } from './ledger.store';

/** A redemption that refuses (for good, or until the member has the points) when the state lacks them. */
const redeem = (memberId: string, redemptionId: string, points: number, final = true): LedgerCommand<string> => ({
  scope: 'redemption',
  causationId: redemptionId,
  memberIds: [memberId],
  fingerprint: `${memberId}/${points}`,
  decide: (states: Readonly<Record<string, MemberState>>) => {
    const state = states[memberId];
    const available = balanceOf(state).available;
    if (available < points) {
      return { kind: 'reject', memberId, code: 'INSUFFICIENT_POINTS', message: `${points} requested, ${available} available`, result: 'refused', final };
    }
    const { portions } = takeFromLots(state.lots, points);
    return {
      kind: 'append',
      result: 'redeemed',
      events: [{ type: 'points.redeemed', memberId, occurredAt: '2026-11-24T10:00:00Z', data: { points, redemptionId, storeId: 's1', fromLots: portions } }],
    };
  },
});

/** Skips unless the member has `threshold` points, as a tier upgrade does below its threshold. */
const bonusAbove = (memberId: string, causationId: string, threshold: number): LedgerCommand<string> => ({
  scope: 'bonus',
  causationId,
  memberIds: [memberId],
  decide: (states) => {
    const state = states[memberId];
    if (balanceOf(state).available < threshold) return { kind: 'skip', result: 'below' };
    return { ...earnCommand('bonus', memberId, causationId, 1).decide(states), result: 'granted' } as ReturnType<LedgerCommand<string>['decide']>;
  },
});

/**
 * Two stores over one database, each with its own cache and connections: two processes. Every
 * test lets one of them fold a member into its cache, moves the member on through the other, and
 * then decides through the first.
 */
describe('decisions rest on the head, whichever process decides (invariant 9)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const pools: Pool[] = [];
  let a: LedgerStore;
  let b: LedgerStore;

  const processStore = () => {
    const pool = ledgerAppendPool(db.url, 2);
    pools.push(pool);
    return new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID, pool, states: new MemberStates(new MemberStateCache(1000)) });
  };

  beforeAll(async () => {
    db = await createTestDatabase('head', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 6)).initialize();
    a = processStore();
    b = processStore();
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await dataSource?.destroy();
    await db?.drop();
  });

  const rejections = (memberId: string) =>
    dataSource.query('SELECT code, final, member_version, head_version FROM rejections WHERE member_id = $1 ORDER BY id', [memberId]);

  it('appends a redemption that the other process made possible', async () => {
    await b.executeOne(earnCommand('test', 'm-1', 'm-1-e-1', 500));
    await a.executeOne(earnCommand('test', 'm-1', 'm-1-e-2', 1000));
    const result = await b.executeOne(redeem('m-1', 'm-1-r-1', 1200));
    expect(result).toMatchObject({ status: 'appended', result: 'redeemed' });
    expect(await rejections('m-1')).toEqual([]);
  });

  it('does not skip on a state that the other process moved past', async () => {
    await b.executeOne(earnCommand('test', 'm-2', 'm-2-e-1', 100));
    await a.executeOne(earnCommand('test', 'm-2', 'm-2-e-2', 1000));
    expect(await b.executeOne(bonusAbove('m-2', 'bonus-1', 1000))).toMatchObject({ status: 'appended', result: 'granted' });
  });

  it('records a refusal with the version it was decided at, which is the head', async () => {
    await b.executeOne(earnCommand('test', 'm-3', 'm-3-e-1', 100));
    await a.executeOne(earnCommand('test', 'm-3', 'm-3-e-2', 100));
    expect(await b.executeOne(redeem('m-3', 'm-3-r-1', 500))).toMatchObject({ status: 'rejected', final: true });
    expect(await rejections('m-3')).toEqual([{ code: 'INSUFFICIENT_POINTS', final: true, member_version: 2, head_version: 2 }]);
    const [causation] = await dataSource.query(`SELECT outcome, member_version FROM causations WHERE scope = 'redemption' AND causation_id = 'm-3-r-1'`);
    expect(causation).toEqual({ outcome: 'rejected', member_version: 2 });
  });

  it('decides a refusal that is not final again when the same causation comes back', async () => {
    await a.executeOne(earnCommand('test', 'm-4', 'm-4-e-1', 100));
    expect(await b.executeOne(redeem('m-4', 'm-4-r-1', 300, false))).toMatchObject({ status: 'rejected', final: false });
    await a.executeOne(earnCommand('test', 'm-4', 'm-4-e-2', 300));
    expect(await b.executeOne(redeem('m-4', 'm-4-r-1', 300, false))).toMatchObject({ status: 'appended' });
    expect(await b.executeOne(redeem('m-4', 'm-4-r-1', 300, false))).toMatchObject({ status: 'duplicate', outcome: 'appended', sameFingerprint: true });
    expect(await rejections('m-4')).toEqual([{ code: 'INSUFFICIENT_POINTS', final: false, member_version: 1, head_version: 1 }]);
  });

  it('records a refusal after an append of the same batch at the version that append left', async () => {
    await a.executeOne(earnCommand('test', 'm-5', 'm-5-e-1', 100));
    const results = await b.execute([earnCommand('test', 'm-5', 'm-5-e-2', 100), redeem('m-5', 'm-5-r-1', 500)]);
    expect(results.map((r) => r.status)).toEqual(['appended', 'rejected']);
    expect(await rejections('m-5')).toEqual([{ code: 'INSUFFICIENT_POINTS', final: true, member_version: 2, head_version: 2 }]);
  });

  it('records a decision on a member without a head before a first append that comes while it is being written', async () => {
    // B's refusal of m-6 (no head yet) is held up after its check, until the test lets go: a
    // trigger makes its rejection row wait for an advisory lock the test holds.
    await dataSource.query(`
      CREATE FUNCTION hold_refusal() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $$`);
    await dataSource.query(`CREATE TRIGGER hold_refusal AFTER INSERT ON rejections FOR EACH ROW WHEN (NEW.member_id = 'm-6') EXECUTE FUNCTION hold_refusal()`);
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('SELECT pg_advisory_lock(4242)');
      const refusing = b.executeOne(redeem('m-6', 'm-6-r-1', 500));
      await waitForLockWait(dataSource);
      let creationSettled = false;
      const creating = a.executeOne(earnCommand('test', 'm-6', 'm-6-e-1', 800)).finally(() => (creationSettled = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The first append waits for the refusal: had it committed now, the refusal would be
      // recorded after the member's head moved past the state it was decided on.
      expect(creationSettled).toBe(false);
      await blocker.query('SELECT pg_advisory_unlock(4242)');
      expect(await refusing).toMatchObject({ status: 'rejected' });
      expect(await creating).toMatchObject({ status: 'appended' });
    } finally {
      await blocker.end();
      await dataSource.query('DROP TRIGGER hold_refusal ON rejections');
    }
    expect(await rejections('m-6')).toEqual([{ code: 'INSUFFICIENT_POINTS', final: true, member_version: 0, head_version: 0 }]);
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM member_state WHERE version = 0`);
    expect(count).toBe(0);
  });

  it('decides again when a member it took for new is created while its write waits for another member', async () => {
    await a.executeOne(earnCommand('test', 'm-7x', 'm-7x-e-1', 100));
    // B's write of a batch deciding on m-7 (no head) and m-7x waits for m-7x's lock after its
    // snapshot was taken; meanwhile m-7's first append commits. Only the claim of m-7 can tell.
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM member_state WHERE member_id = 'm-7x' FOR UPDATE`);
      const deciding = b.execute([redeem('m-7', 'm-7-r-1', 500), redeem('m-7x', 'm-7x-r-1', 1)]);
      await waitForLockWait(dataSource);
      expect(await a.executeOne(earnCommand('test', 'm-7', 'm-7-e-1', 800))).toMatchObject({ status: 'appended' });
      await blocker.query('COMMIT');
      expect((await deciding).map((r) => r.status)).toEqual(['appended', 'appended']);
    } finally {
      await blocker.end();
    }
    expect(await rejections('m-7')).toEqual([]);
  });

  it('answers a key as a duplicate when its first answer commits while a refusal that is not final waits to be written', async () => {
    await b.executeOne(earnCommand('test', 'm-8', 'm-8-e-1', 10)); // B knows the ledger: its next write is lock-free
    await a.executeOne(earnCommand('test', 'm-9', 'm-9-e-1', 100));
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM member_state WHERE member_id = 'm-8' FOR UPDATE`);
      // The same redemption id for two members (another body): m-8's refusal is decided and waits
      // for m-8's lock while m-9's success commits and becomes the key's answer.
      const refusing = b.executeOne(redeem('m-8', 'shared-r', 500, false));
      await waitForLockWait(dataSource);
      expect(await a.executeOne(redeem('m-9', 'shared-r', 5))).toMatchObject({ status: 'appended' });
      await blocker.query('COMMIT');
      expect(await refusing).toMatchObject({ status: 'duplicate', outcome: 'appended', sameFingerprint: false });
    } finally {
      await blocker.end();
    }
    expect(await rejections('m-8')).toEqual([]);
  });
});

/** Resolves once some backend waits for a lock (the append the test holds up). */
const waitForLockWait = async (dataSource: DataSource): Promise<void> => {
  for (let i = 0; i < 100; i++) {
    const [{ waiting }] = await dataSource.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no append waited for the held transaction');
};
