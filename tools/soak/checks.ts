import { Topics } from '@tally/contracts';
import { OPS_TOKEN, Stack, sleep } from '@tally/testing';
import { Oracle, availableAfter } from './oracle';
import { Workload } from './workload';

interface Row {
  member_id: string;
  version: number;
  type: string;
  causation_id: string;
  data: Record<string, unknown> & { points?: number };
}

const sum = (rows: Row[], type: string, memberId?: string) =>
  rows.filter((r) => r.type === type && (memberId === undefined || r.member_id === memberId)).reduce((total, r) => total + Number(r.data.points ?? 0), 0);

const bearer = { authorization: `Bearer ${OPS_TOKEN}` };

const get = async (stack: Stack, path: string): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(`${stack.url('ledger')}${path}`, { headers: bearer });
  return { status: response.status, body: response.status === 404 ? undefined : await response.json() };
};

/**
 * Every member's balance and lots against the oracle's. Where the oracle cannot tell which lots a
 * member's points sit in (an HTTP spend while that member's Kafka inputs were still on their way, or
 * while a ttl hold could lapse; a debt), what expired depends on timing: for those members the
 * check is conservation instead (available + held + expired = earned - clawed back - redeemed -
 * captured + reversed), with held, lifetime totals and tier still exact.
 */
const checkBalances = async (stack: Stack, oracle: Oracle, workload: Workload): Promise<{ findings: string[]; exact: number; sumsOnly: number }> => {
  const findings: string[] = [];
  let exact = 0;
  let sumsOnly = 0;
  const members = new Set([...workload.members, ...oracle.members.keys()]);
  for (const memberId of members) {
    const balance = await get(stack, `/members/${memberId}/balance`);
    const expected = oracle.expected(memberId);
    const actual = (balance.body ?? { available: 0, pending: 0, held: 0, lifetimeEarned: 0, lifetimeRedeemed: 0, expired: 0, tier: 'member' }) as Record<
      string,
      number
    >;
    const model = oracle.member(memberId);
    const fields = Object.keys(expected).filter((f) => model.inexact === undefined || (f !== 'available' && f !== 'expired'));
    const wrong = fields
      .filter((f) => actual[f] !== expected[f as keyof typeof expected])
      .map((f) => `${f} ${String(actual[f])} (oracle ${String(expected[f as keyof typeof expected])})`);
    if (model.inexact !== undefined) {
      sumsOnly++;
      const conserved = oracle.conserved(memberId);
      if (actual.available + actual.held + actual.expired !== conserved)
        wrong.push(`available + held + expired ${actual.available + actual.held + actual.expired} (oracle ${conserved}; lots not exact: ${model.inexact})`);
    } else {
      exact++;
      const lots = await get(stack, `/members/${memberId}/lots`);
      const have = new Map<number, number>();
      for (const lot of (lots.body ?? []) as { remaining: number; expiresAt: string }[])
        have.set(Date.parse(lot.expiresAt), (have.get(Date.parse(lot.expiresAt)) ?? 0) + lot.remaining);
      const want = oracle.lots(memberId);
      const show = (m: Map<number, number>) =>
        [...m]
          .sort(([a], [b]) => a - b)
          .map(([at, p]) => `${new Date(at).toISOString()}=${p}`)
          .join(' ');
      if (show(have) !== show(want)) wrong.push(`lots [${show(have)}] (oracle [${show(want)}])`);
    }
    if (wrong.length > 0) findings.push(`member ${memberId}: ${wrong.join(', ')}`);
  }
  return { findings, exact, sumsOnly };
};

/** Each Kafka input's events, by its causation id: exactly what the oracle says, once. */
const checkInputs = (rows: Row[], oracle: Oracle): string[] => {
  const findings: string[] = [];
  const byCause = new Map<string, Row[]>();
  for (const row of rows) byCause.set(row.causation_id, [...(byCause.get(row.causation_id) ?? []), row]);
  for (const [eventId, events] of oracle.inputs) {
    const got = (byCause.get(eventId) ?? [])
      .filter((r) => r.type !== 'tier.changed')
      .map((r) => `${r.type}/${r.member_id}/${Number(r.data.points ?? 0)}`)
      .sort()
      .join(', ');
    const expected = [...events].sort().join(', ');
    if (got !== expected) findings.push(`input ${eventId}: ledger [${got}], oracle [${expected}]`);
  }
  return findings;
};

/** Every HTTP 201 once in the log, nothing the oracle did not see succeed, and every refusal justified by the log at its version. */
const checkHttp = async (stack: Stack, rows: Row[], oracle: Oracle): Promise<string[]> => {
  const findings: string[] = [];
  const count = (type: string, field: string, id: string) => rows.filter((r) => r.type === type && r.data[field] === id).length;
  for (const [id] of oracle.redemptions)
    if (count('points.redeemed', 'redemptionId', id) !== 1)
      findings.push(`redemption ${id} (HTTP 201) is in the log ${count('points.redeemed', 'redemptionId', id)} times`);
  for (const [id, r] of oracle.redemptions)
    if (count('redemption.reversed', 'redemptionId', id) !== (r.reversed ? 1 : 0))
      findings.push(`redemption ${id}: ${count('redemption.reversed', 'redemptionId', id)} reversals, oracle ${r.reversed ? 1 : 0}`);
  for (const [id] of oracle.holds)
    if (count('points.held', 'holdId', id) !== 1) findings.push(`hold ${id} (HTTP 201) is in the log ${count('points.held', 'holdId', id)} times`);
  const redeemed = rows.filter((r) => r.type === 'points.redeemed').length;
  if (redeemed !== oracle.redemptions.size) findings.push(`${redeemed} redemptions in the log, ${oracle.redemptions.size} answered 201`);
  const held = rows.filter((r) => r.type === 'points.held').length;
  if (held !== oracle.holds.size) findings.push(`${held} holds in the log, ${oracle.holds.size} answered 201`);
  for (const refusal of oracle.refusals) {
    const { rows: rejections } = await stack.sql.query<{ member_version: number | null }>(
      `SELECT member_version FROM rejections WHERE causation_id = $1 AND code ILIKE '%insufficient%' ORDER BY id DESC LIMIT 1`,
      [refusal.id],
    );
    if (rejections.length === 0) {
      findings.push(`refusal of ${refusal.id} is not recorded`);
      continue;
    }
    const version = rejections[0].member_version ?? 0;
    const available = availableAfter(rows.filter((r) => r.member_id === refusal.memberId && r.version <= version));
    if (available >= refusal.points)
      findings.push(`refusal of ${refusal.id} (${refusal.points} points) is not justified: ${available} available at version ${version}`);
  }
  return findings;
};

/** loyalty.ledger.v1 holds every (memberId, version) of the log, none missing, none different. */
const checkLedgerTopic = async (stack: Stack, rows: Row[]): Promise<{ findings: string[]; duplicates: number }> => {
  const consumer = stack.kafka.consumer({ groupId: `${stack.namespace}soak-ledger-reader-${Date.now()}`, maxBytesPerPartition: 16 * 1024 * 1024 });
  const seen = new Map<string, number>();
  let last = Date.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [stack.topic(Topics.ledger.name)], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as { memberId: string; version: number };
      const key = `${event.memberId}@${event.version}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      last = Date.now();
    },
  });
  const until = Date.now() + 120_000;
  while (Date.now() < until && (seen.size < rows.length || Date.now() - last < 3000)) await sleep(500);
  await consumer.disconnect();
  const findings: string[] = [];
  const missing = rows.filter((r) => !seen.has(`${r.member_id}@${r.version}`));
  if (missing.length > 0)
    findings.push(
      `${missing.length} ledger events never reached ${Topics.ledger.name}, e.g. ${missing
        .slice(0, 3)
        .map((r) => `${r.member_id}@${r.version}`)
        .join(', ')}`,
    );
  const inLog = new Set(rows.map((r) => `${r.member_id}@${r.version}`));
  const extra = [...seen.keys()].filter((k) => !inLog.has(k));
  if (extra.length > 0) findings.push(`${extra.length} events on ${Topics.ledger.name} are not in the log, e.g. ${extra.slice(0, 3).join(', ')}`);
  return { findings, duplicates: [...seen.values()].reduce((t, c) => t + c - 1, 0) };
};

/** Versions 1..n of every member without a gap. */
const checkVersions = (rows: Row[]): string[] => {
  const versions = new Map<string, number[]>();
  for (const r of rows) versions.set(r.member_id, [...(versions.get(r.member_id) ?? []), r.version]);
  return [...versions].filter(([, v]) => v.sort((a, b) => a - b).some((x, i) => x !== i + 1)).map(([m]) => `member ${m}: versions with a gap`);
};

export const finalChecks = async (stack: Stack, oracle: Oracle, workload: Workload) => {
  const { rows } = await stack.sql.query<Row>(`SELECT member_id, version, type, causation_id, data FROM ledger_events_expanded ORDER BY member_id, version`);
  const findings = [...checkVersions(rows), ...checkInputs(rows, oracle), ...(await checkHttp(stack, rows, oracle))];
  const balances = await checkBalances(stack, oracle, workload);
  findings.push(...balances.findings);
  const earned = sum(rows, 'points.earned');
  const oracleEarned = [...oracle.members.values()].reduce((t, m) => t + m.earned, 0);
  if (earned !== oracleEarned) findings.push(`${earned} points earned in the log, oracle ${oracleEarned}`);
  const topic = await checkLedgerTopic(stack, rows);
  findings.push(...topic.findings);
  const audit = (await (await fetch(`${stack.url('ledger')}/ops/audit`, { headers: bearer })).json()) as {
    ok: boolean;
    violationCount: number;
    violations: unknown[];
  };
  if (!audit.ok) findings.push(`/ops/audit: ${audit.violationCount} violations, e.g. ${JSON.stringify(audit.violations.slice(0, 2))}`);
  const replay = (await (
    await fetch(`${stack.url('ledger')}/ops/replay`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: '{}' })
  ).json()) as { identical: boolean; eventsReplayed: number; differences: unknown[] };
  if (!replay.identical) findings.push(`/ops/replay differs: ${JSON.stringify(replay.differences?.slice(0, 3))}`);
  return {
    findings,
    eventsApplied: rows.length,
    membersExact: balances.exact,
    membersSumsOnly: balances.sumsOnly,
    ledgerTopicDuplicates: topic.duplicates,
    eventsReplayed: replay.eventsReplayed,
    byType: Object.fromEntries([...new Set(rows.map((r) => r.type))].map((t) => [t, rows.filter((r) => r.type === t).length])),
  };
};
