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
      `INSERT INTO dead_letters (source_topic, partition, "offset", reason, message, recorded_at, letter)
       SELECT t, p, o, r, m, d, l FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[])
         AS x(t, p, o, r, m, d, l)
       ON CONFLICT (source_topic, partition, "offset") DO NOTHING`,
      [
        letters.map((l) => storableText(l.source.topic)),
        letters.map((l) => l.source.partition),
        letters.map((l) => l.source.offset),
        letters.map((l) => storableText(l.reason)),
        letters.map((l) => storableText(l.message)),
        letters.map((l) => l.deadLetteredAt),
        letters.map((l) => storableJson(l)),
      ],
    );
  }
}
