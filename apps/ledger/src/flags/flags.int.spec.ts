import { NewLedgerEvent } from '@tally/contracts';
import { LedgerStore, StoreFlags } from '@tally/ledger';
import { RunningLedgerApp, startLedgerApp } from '../testing/ledger-app';

const OPS = 'flags-ops';

describe('GET /ops/flags pages member flags and store flags each on its own', () => {
  let ledger: RunningLedgerApp;

  const get = async (query: string) => {
    const res = await fetch(`${ledger.url}/ops/flags${query}`, { headers: { authorization: `Bearer ${OPS}` } });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
    return { status: res.status, body: (await res.json()) as any };
  };
  const ids = (flags: { flagId: string }[]) => flags.map((f) => f.flagId);

  beforeAll(async () => {
    ledger = await startLedgerApp('ledger_flags', OPS);
    const store = ledger.app.get(LedgerStore);
    for (const i of [1, 2, 3]) {
      const memberId = `m-fl-${i}`;
      const flagged: NewLedgerEvent = {
        type: 'member.flagged',
        memberId,
        occurredAt: '2026-12-07T10:00:00.000Z',
        data: {
          flagId: `mf-${i}`,
          ruleId: 'burst-purchases',
          action: 'flag',
          evidence: { input: 'purchase', window: 'hour', period: '2026-12-07T10', count: 4, max: 3, eventId: `pos-${i}` },
        },
      };
      await store.executeOne({
        scope: 'test-flag',
        causationId: `mf-${i}`,
        memberIds: [memberId],
        decide: () => ({ kind: 'append', events: [flagged], result: {} }),
      });
    }
    const storeFlags = ledger.app.get(StoreFlags);
    for (const i of [1, 2, 3]) {
      const evidence = { period: '2026-12-07T10', input: 'store-points', window: 'hour', points: 1200, max: 1000, eventId: `pos-s-${i}` };
      await storeFlags.record([{ flagId: `sf-${i}`, storeId: `sh-fl-${i}`, ruleId: 'store-burst', action: 'flag', evidence }]);
    }
  });
  afterAll(() => ledger?.stop());

  it('pages one kind with its own cursor until it is exhausted', async () => {
    const first = await get('?kind=member&limit=2');
    expect(first.status).toBe(200);
    expect(ids(first.body.flags)).toEqual(['mf-1', 'mf-2']);
    expect(first.body.next).toEqual({ member: expect.stringMatching(/^\d+$/) });
    const second = await get(`?kind=member&limit=2&memberAfter=${first.body.next.member}`);
    expect(ids(second.body.flags)).toEqual(['mf-3']);
    expect(second.body.next).toEqual({ member: null });

    const stores = await get('?kind=store&limit=2');
    expect(ids(stores.body.flags)).toEqual(['sf-1', 'sf-2']);
    expect(stores.body.flags[0]).toMatchObject({ storeId: 'sh-fl-1', ruleId: 'store-burst' });
    expect((await get(`?kind=store&limit=2&storeAfter=${stores.body.next.store}`)).body).toEqual({
      flags: [expect.objectContaining({ flagId: 'sf-3' })],
      next: { store: null },
    });
  });

  it('without a kind, a page holds up to limit of each and a cursor for each, so neither list crowds out the other', async () => {
    const first = await get('?limit=2');
    expect(ids(first.body.flags)).toEqual(['mf-1', 'mf-2', 'sf-1', 'sf-2']);
    const { member, store } = first.body.next;
    const second = await get(`?limit=2&memberAfter=${member}&storeAfter=${store}`);
    expect(ids(second.body.flags)).toEqual(['mf-3', 'sf-3']);
    expect(second.body.next).toEqual({ member: null, store: null });
  });

  it('keeps its place when a flag of an earlier page is cleared meanwhile', async () => {
    const first = await get('?kind=store&limit=1');
    expect(ids(first.body.flags)).toEqual(['sf-1']);
    const cleared = await fetch(`${ledger.url}/ops/stores/sh-fl-1/flags/sf-1/clear`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPS}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(cleared.status).toBe(200);
    expect(ids((await get(`?kind=store&limit=1&storeAfter=${first.body.next.store}`)).body.flags)).toEqual(['sf-2']);
    expect(ids((await get('?kind=store')).body.flags)).toEqual(['sf-2', 'sf-3']);
    expect(ids((await get('?kind=store&state=all')).body.flags)).toEqual(['sf-1', 'sf-2', 'sf-3']);
  });

  it('refuses a query that mixes the kinds instead of answering an empty page', async () => {
    for (const query of ['?kind=member&storeId=sh-fl-1', '?memberId=m-fl-1&storeId=sh-fl-1', '?kind=member&storeAfter=1', '?storeId=sh-fl-2&memberAfter=1']) {
      const res = await get(query);
      expect({ query, status: res.status, error: res.body.error }).toEqual({ query, status: 400, error: 'invalid_request' });
    }
    expect((await get('?kind=both')).status).toBe(400);
    expect((await get('?memberId=m-fl-2')).body).toEqual({ flags: [expect.objectContaining({ memberId: 'm-fl-2', flagId: 'mf-2' })], next: { member: null } });
  });
});
