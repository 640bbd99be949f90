import { INestApplication } from '@nestjs/common';
import { listeningUrl } from '@tally/platform';
import { EarnHarness, eventually } from '../testing/earn-harness';

const STORE = 'status-store-sh07';
const OTHER_STORE = 'status-store-bj01';
const tokens = `${STORE}=store:sh-07,${OTHER_STORE}=store:bj-01`;
const DAY = 24 * 3600_000;

describe('earn app: a branch asks what became of its uploads (POST /ingest/status)', () => {
  const harness = new EarnHarness();
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    await harness.start('ingest-status');
    app = await harness.startEarn('tally-earn', { TALLY_API_TOKENS: tokens });
    url = listeningUrl(app);
  });
  afterAll(() => harness.stop());

  const post = async (path: string, body: unknown, token = STORE) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
    return { status: res.status, body: (await res.json()) as any };
  };
  const checkIn = (eventId: string, occurredAt: Date) => ({
    eventId,
    type: 'member.checked-in',
    occurredAt: occurredAt.toISOString(),
    memberId: 'm-st-1',
    storeId: 'sh-07',
  });

  it('shows each uploaded input applied, refused past the late-input window, parked or pending, and nothing of another store', async () => {
    const now = Date.now();
    const inputs = [
      checkIn('ci-st-1', new Date(now)),
      // Forty days before the member's newest day: past the default window of 35.
      checkIn('ci-st-2', new Date(now - 40 * DAY)),
      {
        eventId: 'rf-st-3',
        type: 'purchase.refunded',
        occurredAt: new Date(now).toISOString(),
        memberId: 'm-st-2',
        storeId: 'sh-07',
        orderId: 'o-never-bought',
        refundId: 'r-1',
        amountMinor: 100,
        currency: 'CNY',
      },
    ];
    const upload = await post('/ingest/batch', { inputs });
    expect(upload.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);

    const ids = ['ci-st-1', 'ci-st-2', 'rf-st-3', 'never-sent'];
    const results = await eventually(
      async () => {
        const answer = await post('/ingest/status', { eventIds: ids });
        expect(answer.status).toBe(200);
        return answer.body.results.some((r: { status: string }) => r.status === 'pending') ? undefined : answer.body.results;
      },
      60_000,
      'every upload decided',
    );
    expect(results).toEqual([
      {
        eventId: 'ci-st-1',
        topic: 'loyalty.check-ins.v1',
        status: 'applied',
        points: 10,
        events: expect.arrayContaining([expect.objectContaining({ memberId: 'm-st-1', version: 1, type: 'points.earned', points: 10 })]),
      },
      {
        eventId: 'ci-st-2',
        topic: 'loyalty.check-ins.v1',
        status: 'refused',
        code: 'CHECK_IN_TOO_LATE',
        message: expect.stringContaining('late-input window of 35 days'),
        final: true,
      },
      { eventId: 'rf-st-3', topic: 'loyalty.purchases.v1', status: 'parked', parkedAt: expect.any(String) },
      { eventId: 'never-sent', status: 'unknown' },
    ]);
    expect(results[1].message).toContain('lateInputWindowDays: 35');

    // Another branch learns nothing of these inputs, not even that they exist.
    const other = await post('/ingest/status', { eventIds: ids }, OTHER_STORE);
    expect(other.body.results).toEqual(ids.map((eventId) => ({ eventId, status: 'unknown' })));
  });

  it('shows an uploaded input the consumer could not apply as dead-lettered, with the reason', async () => {
    // given an input the ledger fails on (a trigger stands in for a fault only this input meets)
    await harness.sql.query(`
      CREATE FUNCTION fail_pos_dl() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.causation_id = 'pos-st-dl' THEN RAISE EXCEPTION 'injected: this input cannot be written'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER fail_pos_dl BEFORE INSERT ON ledger_events FOR EACH ROW EXECUTE FUNCTION fail_pos_dl();`);
    const input = {
      eventId: 'pos-st-dl',
      type: 'purchase.completed',
      occurredAt: new Date().toISOString(),
      memberId: 'm-st-3',
      storeId: 'sh-07',
      channel: 'store',
      orderId: 'o-st-dl',
      amountMinor: 10_000,
      currency: 'CNY',
    };
    // when it is uploaded
    expect((await post('/ingest/batch', { inputs: [input] })).body.results[0].status).toBe('accepted');
    // then its status says it was dead-lettered, and why
    const [result] = await eventually(
      async () => {
        const answer = (await post('/ingest/status', { eventIds: ['pos-st-dl'] })).body.results;
        return answer[0].status === 'pending' ? undefined : answer;
      },
      60_000,
      'the input decided',
    );
    expect(result).toEqual({
      eventId: 'pos-st-dl',
      topic: 'loyalty.purchases.v1',
      status: 'dead-lettered',
      reason: 'processing_failed',
      message: expect.stringContaining('injected: this input cannot be written'),
    });
  });

  it('answers 400 for a request that is not 1 to 10,000 eventIds', async () => {
    for (const body of [{}, { eventIds: [] }, { eventIds: [''] }, { eventIds: [7] }, { eventIds: Array(10_001).fill('x') }]) {
      const answer = await post('/ingest/status', body);
      expect({ status: answer.status, error: answer.body.error }).toEqual({ status: 400, error: 'invalid_request' });
    }
    expect((await post('/ingest/status', { eventIds: Array(10_000).fill('nope') })).body.results).toEqual([{ eventId: 'nope', status: 'unknown' }]);
  });
});
