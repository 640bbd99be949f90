import { DeadLetter, Topics } from '@tally/contracts';
import { EarnHarness, eventually, purchase } from './testing/earn-harness';

const MEMBERS = 10;
const memberOf = (i: number) => `m-${i % MEMBERS}`;
const decoded = (base64: string | null) => Buffer.from(base64 ?? '', 'base64').toString();

describe('earn dead-letters large inputs through a real broker', () => {
  const h = new EarnHarness();
  beforeAll(() => h.start('dlq-large'));
  afterAll(() => h.stop());

  it('dead-letters a ~900 KB input and a dozen ~70 KB ones whole, applies the valid ones and does not stall', async () => {
    await h.startEarn();
    // Not JSON, and bigger than the parser accepts: its letter (base64) is ~1.2 MB, over the broker's default limit.
    const huge = `{"eventId": "${'z'.repeat(900 * 1024)}`;
    const oversized = (i: number) => JSON.stringify({ ...purchase(8000 + i, 'm-big'), padding: 'p'.repeat(70_000) });
    const before = Array.from({ length: 40 }, (_, i) => ({ key: memberOf(i), value: purchase(i, memberOf(i)) }));
    const after = Array.from({ length: 40 }, (_, i) => ({ key: memberOf(i), value: purchase(40 + i, memberOf(i)) }));
    await h.publish(Topics.purchases.name, before);
    await h.publish(Topics.purchases.name, [{ key: 'm-big', value: huge }]);
    // One key, one send: they land in one partition and one fetch, so their letters (~1.1 MB
    // together) are dead-lettered in one call.
    await h.publish(
      Topics.purchases.name,
      Array.from({ length: 12 }, (_, i) => ({ key: 'm-big', value: oversized(i) })),
    );
    await h.publish(Topics.purchases.name, after);

    await eventually(async () => ((await h.caughtUp('tally-earn')) ? true : undefined), 90_000, 'caught up');
    expect(await h.count('SELECT count(*) FROM ledger_events')).toBe(80);

    const { rows } = await h.sql.query<{ reason: string; letter: DeadLetter }>(`SELECT reason, letter FROM dead_letters ORDER BY "offset"`);
    expect(rows.map((r) => r.reason)).toEqual(Array(13).fill('payload_too_large'));
    expect(decoded(rows[0].letter.valueBase64)).toBe(huge);
    expect(decoded(rows[1].letter.valueBase64)).toBe(oversized(0));

    const letters = (await h.readDeadLetters(13)).map((m) => JSON.parse(String(m.value)) as DeadLetter);
    const byOffset = [...letters].sort((a, b) => Number(a.source.offset) - Number(b.source.offset));
    expect(byOffset.map((l) => l.source.offset)).toEqual(rows.map((r) => r.letter.source.offset));
    expect(byOffset[0].valueTruncated).toBeUndefined();
    expect(decoded(byOffset[0].valueBase64)).toBe(huge);
    expect(byOffset.slice(1).map((l) => decoded(l.valueBase64))).toEqual(Array.from({ length: 12 }, (_, i) => oversized(i)));

    // Still consuming: a later purchase is applied.
    await h.publish(Topics.purchases.name, [{ key: 'm-0', value: purchase(999, 'm-0') }]);
    await eventually(async () => ((await h.count('SELECT count(*) FROM ledger_events')) === 81 ? true : undefined), 60_000, 'later purchase applied');
  });
});
