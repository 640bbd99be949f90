import { DeadLetter, Topics } from '@tally/contracts';
import { JavaCompression, JavaRecord, publishWithJavaClient, testKafkaBrokers } from '@tally/testing';
import { EarnHarness, eventually, purchase } from './testing/earn-harness';

const COMPRESSIONS: JavaCompression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
/** Enough purchases in one batch (~86 KB) for lz4's 64 KiB and snappy's 32 KiB blocks to be several. */
const BULK = 400;
const POINTS = 100; // a 10,000-minor CNY purchase at the member tier

describe("earn reads what Apache Kafka's Java client publishes", () => {
  const h = new EarnHarness();
  beforeAll(() => h.start('java-producer'));
  afterAll(() => h.stop());

  it('applies every committed purchase once, in each compression, and none of an aborted transaction; a null value is dead-lettered', async () => {
    await h.startEarn();
    const topic = `${h.namespace}${Topics.purchases.name}`;
    let n = 0;
    const committed = new Map<string, string[]>();
    const aborted: string[] = [];
    const records: JavaRecord[] = [];
    const send = (compression: JavaCompression, mode: JavaRecord['mode'], memberId: string, count: number, extra: Partial<JavaRecord> = {}) => {
      for (let i = 0; i < count; i++) {
        const input = purchase(++n, memberId);
        records.push({ compression, mode, topic, key: memberId, value: JSON.stringify(input), ...extra });
        if (mode === 'abort') aborted.push(input.eventId);
        else committed.set(memberId, [...(committed.get(memberId) ?? []), input.eventId]);
      }
    };
    // One member (so one partition) per compression: an aborted transaction and its markers sit
    // between committed purchases, plain and transactional.
    for (const c of COMPRESSIONS) {
      const member = `m-${c}`;
      send(c, 'plain', member, BULK);
      send(c, 'commit', member, 2);
      send(c, 'abort', member, 3);
      send(c, 'commit', member, 1);
      send(c, 'plain', member, 1);
    }
    send('lz4', 'plain', 'm-no-key', 1, { key: null });
    send('zstd', 'plain', 'm-headers', 1, {
      headers: [
        ['traceparent', '00-4bf92f3577b34da6-00f067aa0ba902b7-01'],
        ['tag', 'pos'],
        ['tag', 'branch-7'],
      ],
    });
    records.push({
      compression: 'snappy',
      mode: 'plain',
      topic,
      key: 'm-tombstone',
      value: null,
      headers: [
        ['tag', 'a'],
        ['tag', 'b'],
      ],
    });
    records.push({ compression: 'gzip', mode: 'commit', topic, key: null, value: null });

    await publishWithJavaClient(testKafkaBrokers().join(','), `${h.namespace}java-`, records);
    await eventually(async () => ((await h.caughtUp('tally-earn')) ? true : undefined), 60_000, 'earn caught up with the Java producer');

    const { rows: earned } = await h.sql.query<{ member_id: string; causation_id: string; count: string }>(
      `SELECT member_id, causation_id, count(*) FROM ledger_events WHERE type = 'points.earned' GROUP BY member_id, causation_id`,
    );
    const byMember = new Map<string, string[]>();
    for (const row of earned) {
      expect(Number(row.count)).toBe(1);
      byMember.set(row.member_id, [...(byMember.get(row.member_id) ?? []), row.causation_id]);
    }
    expect(new Set(byMember.keys())).toEqual(new Set(committed.keys()));
    for (const [member, ids] of committed) expect(new Set(byMember.get(member))).toEqual(new Set(ids));
    const balances = await h.balances();
    for (const [member, ids] of committed) expect(balances[member]).toBe(ids.length * POINTS);
    const { rows: touched } = await h.sql.query(
      `SELECT causation_id FROM causations WHERE causation_id = ANY($1) UNION SELECT causation_id FROM rejections WHERE causation_id = ANY($1)`,
      [aborted],
    );
    expect(touched).toEqual([]);

    const { rows: letters } = await h.sql.query<{ reason: string; letter: DeadLetter }>(`SELECT reason, letter FROM dead_letters ORDER BY id`);
    expect(letters.map((l) => [l.reason, l.letter.source.key, l.letter.valueBase64])).toEqual(
      expect.arrayContaining([
        ['empty_message', 'm-tombstone', null],
        ['empty_message', null, null],
      ]),
    );
    expect(letters).toHaveLength(2);
    const tombstone = letters.find((l) => l.letter.source.key === 'm-tombstone')?.letter;
    expect(tombstone?.repeatedHeaders?.tag.map((v) => Buffer.from(v, 'base64').toString())).toEqual(['a', 'b']);
  });
});
