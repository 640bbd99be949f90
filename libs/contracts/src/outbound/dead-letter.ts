/** Each dead-letter reason code and what it means: the codes are stable, the texts may improve. */
export const DEAD_LETTER_REASONS = {
  empty_message: 'the message has no value',
  payload_too_large: 'the value is larger than 64 KiB, or holds more than 10,000 JSON values',
  invalid_json: 'the value is not UTF-8 JSON, or not a JSON object',
  unknown_topic: 'the topic carries no input Tally knows',
  unknown_type: "`type` is missing or not one of the topic's types",
  validation_failed: 'a field breaks the schema (see fieldErrors), or occurredAt is not a real date, or a text holds NUL or a lone surrogate',
  occurred_in_future: 'occurredAt is more than 24 h ahead of the consumer clock',
  processing_failed: 'the service failed on this message alone (see operations)',
  /** The validator itself failed on the message (threw): not expected, but the message must not stop its consumer. */
  invalid_message: 'the validator failed on the message',
  /** An input `eventId` seen before on its topic with another body (after validation): the first one stands. */
  idempotency_conflict: 'the eventId was used before on this topic with another body; the first one stands',
} as const;

export type DeadLetterReason = keyof typeof DEAD_LETTER_REASONS;

/** What a letter's topic copy left out: how much, and where the whole letter can be read. */
export interface DeadLetterTruncation {
  originalBytes: number;
  fullLetterAt: string;
}

/** A header of the original whose name is not storable text, as bytes: the name's UTF-8 and the value, both base64. */
export interface RawDeadLetterHeader {
  nameBase64: string;
  valueBase64: string;
}

/**
 * What goes to `loyalty.dlq.v1`: enough to understand, fix and re-publish the original. Every
 * text in it is storable (no NUL, no lone UTF-16 surrogate: written out as `\u0000`, `\ud800`),
 * so PostgreSQL keeps any letter; what the texts cannot hold exactly is kept as base64.
 */
export interface DeadLetter {
  reason: DeadLetterReason;
  message: string;
  fieldErrors?: { field: string; problems: string[] }[];
  source: {
    topic: string;
    partition: number;
    offset: string;
    /** The original key as UTF-8 text; only readable, not exact, when `keyBase64` is there. */
    key: string | null;
    /** The original key, base64, byte for byte: only when it is not storable UTF-8 text (invalid UTF-8, NUL). */
    keyBase64?: string;
    timestamp: string;
  };
  /** The original value, base64, byte for byte. */
  valueBase64: string | null;
  /**
   * The original headers, each value base64 (of a header sent more than once, its first value).
   * Names are as the Kafka client read them (UTF-8: bytes that are not UTF-8 reach us as U+FFFD).
   */
  headers: Record<string, string>;
  /** Every value, in order and base64, of each header the original carried more than once. */
  repeatedHeaders?: Record<string, string[]>;
  /** Headers whose name is not storable text (NUL): every value, in order, instead of in `headers`. */
  rawHeaders?: RawDeadLetterHeader[];
  /**
   * Only on the topic's copy of a letter too large for it: `valueBase64` is null there, and the
   * whole letter (original bytes included) is kept by the ledger, see `fullLetterAt`.
   */
  valueTruncated?: DeadLetterTruncation & { sha256: string };
  /** Only on the topic's copy when even the headers did not fit: `headers` is empty there (and `rawHeaders` absent). */
  headersTruncated?: DeadLetterTruncation & { count: number };
  consumerGroup: string;
  deadLetteredAt: string;
}
