// The demo stream `npm start` publishes: five members shopping and checking in at three stores,
// a referral, a partial refund, and one malformed message that must land in the dead-letter topic.
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');

const stores = ['sh-07', 'bj-02', 'gz-11'];
export const DEMO_MEMBERS = ['m-1001', 'm-1002', 'm-1003', 'm-1004', 'm-1005'];

const iso = (daysAgo, hour) => {
  const d = new Date(Date.now() - daysAgo * 86_400_000);
  d.setUTCHours(hour, 15, 0, 0);
  return d.toISOString().replace('Z', '+00:00');
};

export const demoMessages = (runId) => {
  const messages = [];
  DEMO_MEMBERS.forEach((memberId, i) => {
    for (let k = 0; k < 3; k++) {
      const storeId = stores[(i + k) % stores.length];
      const amountMinor = 5_000 + 12_345 * (i + 1) * (k + 1);
      messages.push([
        'loyalty.purchases.v1',
        memberId,
        {
          eventId: `demo-${runId}-p-${memberId}-${k}`,
          type: 'purchase.completed',
          occurredAt: iso(3 - k, 2 + k),
          memberId,
          storeId,
          channel: 'store',
          orderId: `o-${runId}-${memberId}-${k}`,
          amountMinor,
          currency: 'CNY',
          lines: [{ sku: 'tea-01', category: 'beverage', quantity: 1, amountMinor }],
        },
      ]);
    }
    for (let day = 2; day >= 0; day--) {
      messages.push([
        'loyalty.check-ins.v1',
        memberId,
        {
          eventId: `demo-${runId}-ci-${memberId}-${day}`,
          type: 'member.checked-in',
          occurredAt: iso(day, 1),
          memberId,
          storeId: stores[i % 3],
        },
      ]);
    }
  });
  messages.push([
    'loyalty.referrals.v1',
    'm-1001',
    {
      eventId: `demo-${runId}-ref-1`,
      type: 'referral.completed',
      occurredAt: iso(1, 4),
      referrerId: 'm-1001',
      refereeId: `m-new-${runId}`,
    },
  ]);
  messages.push([
    'loyalty.purchases.v1',
    'm-1002',
    {
      eventId: `demo-${runId}-rf-1`,
      type: 'purchase.refunded',
      occurredAt: iso(0, 5),
      memberId: 'm-1002',
      storeId: 'bj-02',
      orderId: `o-${runId}-m-1002-0`,
      refundId: `r-${runId}-1`,
      amountMinor: 5_000,
      currency: 'CNY',
    },
  ]);
  messages.push(['loyalty.purchases.v1', 'm-1003', '{"eventId": "broken-json", "type": "purchase.completed", amountMinor: 12}']);
  return messages;
};

export const publishDemo = async (brokers, namespace = '') => {
  const kafka = new Kafka({ clientId: 'tally-demo', brokers, logLevel: logLevel.ERROR });
  const producer = kafka.producer();
  await producer.connect();
  const runId = Date.now().toString(36);
  for (const [topic, key, value] of demoMessages(runId)) {
    await producer.send({ topic: `${namespace}${topic}`, messages: [{ key, value: typeof value === 'string' ? value : JSON.stringify(value) }] });
  }
  await producer.disconnect();
  return DEMO_MEMBERS;
};

export const showBalances = async (members, token, say, urls = { ledger: 'http://127.0.0.1:3000', redeem: 'http://127.0.0.1:3002' }) => {
  const base = urls.ledger;
  const headers = { authorization: `Bearer ${token}` };
  const balances = new Map();
  // Settled = every member has a balance and no version moved for two polls in a row.
  let fingerprint = '';
  for (let i = 0, quiet = 0; i < 120 && quiet < 2; i++) {
    for (const memberId of members) {
      const res = await fetch(`${base}/members/${memberId}/balance`, { headers });
      if (res.ok) balances.set(memberId, await res.json());
    }
    const next = [...balances.values()].map((b) => b.version).join(',');
    quiet = balances.size === members.length && next === fingerprint ? quiet + 1 : 0;
    fingerprint = next;
    await sleep(750);
  }
  say('');
  say('member   available  pending  held  lifetimeEarned  tier');
  for (const memberId of members) {
    const b = balances.get(memberId);
    say(
      b
        ? `${memberId}  ${String(b.available).padStart(9)}  ${String(b.pending).padStart(7)}  ${String(b.held).padStart(4)}  ${String(b.lifetimeEarned).padStart(14)}  ${b.tier}`
        : `${memberId}  (no balance yet)`,
    );
  }
  const redemption = await fetch(`${urls.redeem}/redemptions`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ redemptionId: `demo-${Date.now().toString(36)}`, memberId: members[0], points: 100, storeId: 'sh-07' }),
  })
    .then(async (r) => ({ status: r.status, body: await r.json() }))
    .catch((error) => ({ status: 0, body: { message: error.message } }));
  say(
    `redeemed 100 points for ${members[0]} at sh-07 through the redeem API: HTTP ${redemption.status}, available now ${redemption.body.available ?? '?'} (worth ${redemption.body.valueMinor ?? '?'} fen)`,
  );
  const deadLetters = await countDeadLetters(base, headers);
  say(`dead letters so far: ${deadLetters ?? 'unknown'} (GET /ops/dead-letters; the demo sends one broken message)`);
  return { balances, redemptionStatus: redemption.status, deadLetters };
};

/** The demo's one malformed message reaches the dead-letter list within seconds; undefined = the list could not be read. */
const countDeadLetters = async (base, headers) => {
  let count;
  for (let i = 0; i < 20 && !count; i++) {
    if (i > 0) await sleep(500);
    const page = await fetch(`${base}/ops/dead-letters?limit=50`, { headers })
      .then((r) => (r.ok ? r.json() : undefined))
      .catch(() => undefined);
    count = page?.deadLetters?.length;
  }
  return count;
};
