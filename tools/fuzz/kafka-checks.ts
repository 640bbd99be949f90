import { createHash } from 'node:crypto';
import { DEAD_LETTER_REASONS, DeadLetter, DeadLetterReason, Topics } from '@tally/contracts';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { FuzzMessage } from './kafka-inputs';
import { sleep } from '@tally/testing';

/** What a bad input is dead-lettered for: the other reasons mean Tally itself failed on a message. */
const FAILURES_OF_TALLY = new Set<DeadLetterReason>(['processing_failed', 'invalid_message']);
const KNOWN_REASONS = new Set<string>((Object.keys(DEAD_LETTER_REASONS) as DeadLetterReason[]).filter((reason) => !FAILURES_OF_TALLY.has(reason)));

/** Every letter of the (namespaced) dead-letter topic, read until `expected` have come and a few quiet seconds passed. */
export const readDeadLetters = async (kafka: Kafka, namespace: string, expected: number, timeoutMs = 90_000): Promise<DeadLetter[]> => {
  const consumer = kafka.consumer({ groupId: `${namespace}fuzz-dlq-reader-${Date.now()}`, maxBytesPerPartition: 32 * 1024 * 1024 });
  const letters: DeadLetter[] = [];
  let last = Date.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [`${namespace}${Topics.deadLetters.name}`], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      letters.push(JSON.parse(message.value?.toString('utf8') ?? 'null') as DeadLetter);
      last = Date.now();
    },
  });
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && (letters.length < expected || Date.now() - last < 3000)) await sleep(250);
  await consumer.disconnect();
  return letters;
};

const fuzzId = (letter: DeadLetter): number | undefined => {
  const header = letter.headers?.['fuzz-id'];
  return header === undefined ? undefined : Number(Buffer.from(header, 'base64').toString('utf8'));
};

const sameBytes = (letter: DeadLetter, original: Buffer | null): boolean => {
  if (letter.valueTruncated) return original !== null && createHash('sha256').update(original).digest('hex') === letter.valueTruncated.sha256;
  if (original === null || original.length === 0) return letter.valueBase64 === null || letter.valueBase64 === '';
  return letter.valueBase64 === original.toString('base64');
};

/** What is wrong with the dead-letter topic against what was sent: each bad input once, with a fitting reason and its bytes; nothing else. */
export const checkDeadLetters = (sent: FuzzMessage[], letters: DeadLetter[], namespace: string): { findings: string[]; redelivered: number } => {
  const findings: string[] = [];
  let redelivered = 0;
  const byN = new Map<number, DeadLetter[]>();
  for (const letter of letters) {
    const n = fuzzId(letter);
    if (n === undefined) {
      findings.push(
        `a dead letter without its input's headers (reason ${letter.reason}, ${letter.source.topic}@${letter.source.partition}:${letter.source.offset})`,
      );
      continue;
    }
    // The topic is written at least once: a batch redone after a rebalance letters its inputs again, same source offset.
    const same = (byN.get(n) ?? []).some((l) => l.source.partition === letter.source.partition && l.source.offset === letter.source.offset);
    if (same) redelivered++;
    else byN.set(n, [...(byN.get(n) ?? []), letter]);
  }
  for (const message of sent) {
    const found = byN.get(message.n) ?? [];
    const what = message.bad
      ? `bad input #${message.n} (${message.bad.kind}) on ${message.topic}`
      : `${message.redelivery ? 'redelivered' : 'valid'} input #${message.n} on ${message.topic}`;
    if (!message.bad) {
      if (found.length > 0) findings.push(`${what} was dead-lettered: ${found[0].reason}: ${found[0].message.slice(0, 200)}`);
      continue;
    }
    if (found.length !== 1) {
      findings.push(`${what} has ${found.length} dead letters, not 1`);
      continue;
    }
    const [letter] = found;
    if (!KNOWN_REASONS.has(letter.reason)) findings.push(`${what}: reason ${letter.reason} (${letter.message.slice(0, 200)})`);
    else if (!message.bad.reasons.includes(letter.reason))
      findings.push(`${what}: reason ${letter.reason}, expected one of ${message.bad.reasons.join('/')} (${letter.message.slice(0, 200)})`);
    if (!letter.message) findings.push(`${what}: a dead letter without a message`);
    if (letter.source.topic !== `${namespace}${message.topic}` && letter.source.topic !== message.topic)
      findings.push(`${what}: letter names source topic ${letter.source.topic}`);
    if (!sameBytes(letter, message.value)) findings.push(`${what}: the letter does not keep the original bytes`);
  }
  return { findings, redelivered };
};

/** What is wrong with the ledger against the valid inputs: each one's events exactly, once; each one recorded. */
export const checkApplied = async (sql: Client, sent: FuzzMessage[]): Promise<{ findings: string[]; eventsApplied: number }> => {
  const valid = sent.filter((m) => m.valid);
  const ids = valid.map((m) => m.valid!.eventId);
  const { rows: events } = await sql.query<{ causation_id: string; type: string; member_id: string; points: string }>(
    `SELECT causation_id, type, member_id, data->>'points' AS points FROM ledger_events_expanded WHERE causation_id = ANY($1)`,
    [ids],
  );
  const { rows: recorded } = await sql.query<{ causation_id: string }>(`SELECT causation_id FROM causations WHERE causation_id = ANY($1)`, [ids]);
  const recordedIds = new Set(recorded.map((r) => r.causation_id));
  const key = (e: { type: string; memberId: string; points: number }) => `${e.type}/${e.memberId}/${e.points}`;
  const actual = new Map<string, string[]>();
  for (const e of events)
    actual.set(e.causation_id, [...(actual.get(e.causation_id) ?? []), key({ type: e.type, memberId: e.member_id, points: Number(e.points) })]);
  const findings: string[] = [];
  for (const message of valid) {
    const { eventId, events: expected } = message.valid!;
    const want = expected.map(key).sort().join(', ');
    const got = (actual.get(eventId) ?? []).sort().join(', ');
    if (want !== got) findings.push(`valid input ${eventId} on ${message.topic}: ledger has [${got}], expected [${want}]`);
    if (!recordedIds.has(eventId)) findings.push(`valid input ${eventId} on ${message.topic}: no recorded outcome`);
  }
  return { findings, eventsApplied: events.length };
};
