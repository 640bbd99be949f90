export type DeadLetterReason =
  | 'empty_message'
  | 'payload_too_large'
  | 'invalid_json'
  | 'unknown_topic'
  | 'unknown_type'
  | 'validation_failed'
  | 'occurred_in_future'
  | 'processing_failed'
  /** The validator itself failed on the message (threw): not expected, but the message must not stop its consumer. */
  | 'invalid_message'
  /** An input `eventId` seen before on its topic with another body (after validation): the first one stands. */
  | 'idempotency_conflict';

/** What a letter's topic copy left out: how much, and where the whole letter can be read. */
export interface DeadLetterTruncation {
  originalBytes: number;
  fullLetterAt: string;
}

/** What goes to `loyalty.dlq.v1`: enough to understand, fix and re-publish the original. */
export interface DeadLetter {
  reason: DeadLetterReason;
  message: string;
  fieldErrors?: { field: string; problems: string[] }[];
  source: { topic: string; partition: number; offset: string; key: string | null; timestamp: string };
  /** The original value, base64, byte for byte. */
  valueBase64: string | null;
  /** The original headers, each value base64 (of a header sent more than once, its first value). */
  headers: Record<string, string>;
  /** Every value, in order and base64, of each header the original carried more than once. */
  repeatedHeaders?: Record<string, string[]>;
  /**
   * Only on the topic's copy of a letter too large for it: `valueBase64` is null there, and the
   * whole letter (original bytes included) is kept by the ledger, see `fullLetterAt`.
   */
  valueTruncated?: DeadLetterTruncation & { sha256: string };
  /** Only on the topic's copy when even the headers did not fit: `headers` is empty there. */
  headersTruncated?: DeadLetterTruncation & { count: number };
  consumerGroup: string;
  deadLetteredAt: string;
}
