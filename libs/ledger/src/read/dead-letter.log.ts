import { DeadLetter, storableJson, storableText } from '@tally/contracts';
import { DataSource } from 'typeorm';

/**
 * Keeps what went to the dead-letter topic queryable by ops; a redelivered letter is kept once.
 * Whatever a letter holds is stored: its texts and JSON are made storable here too (a letter
 * from `toDeadLetter` already is), or one NUL would fail the batch and retry it forever.
 */
export class DeadLetterLog {
  constructor(private readonly dataSource: DataSource) {}

  async record(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO dead_letters (source_topic, partition, "offset", reason, message, recorded_at, letter, event_id)
       SELECT t, p, o, r, m, d, l, e FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[], $8::text[])
         AS x(t, p, o, r, m, d, l, e)
       ON CONFLICT (source_topic, partition, "offset") DO NOTHING`,
      [
        letters.map((l) => storableText(l.source.topic)),
        letters.map((l) => l.source.partition),
        letters.map((l) => l.source.offset),
        letters.map((l) => storableText(l.reason)),
        letters.map((l) => storableText(l.message)),
        letters.map((l) => l.deadLetteredAt),
        letters.map((l) => storableJson(l)),
        letters.map(eventIdOf),
      ],
    );
  }
}

/** Longest `eventId` kept with a letter: longer ones are not valid ids, and no lookup could name them. */
const MAX_EVENT_ID = 128;

/**
 * The `eventId` a letter's original bytes name, when they are a JSON object with one: what a
 * producer asking after its input (`POST /ingest/status`) finds the letter by. Unreadable bytes
 * name none.
 */
export const eventIdOf = (letter: DeadLetter): string | null => {
  if (!letter.valueBase64) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(letter.valueBase64, 'base64').toString('utf8'));
    const eventId = typeof value === 'object' && value !== null ? (value as { eventId?: unknown }).eventId : undefined;
    return typeof eventId === 'string' && eventId.length > 0 && eventId.length <= MAX_EVENT_ID ? storableText(eventId) : null;
  } catch {
    return null;
  }
};
