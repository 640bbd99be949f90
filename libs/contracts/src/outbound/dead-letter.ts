export type DeadLetterReason =
  | 'empty_message'
  | 'payload_too_large'
  | 'invalid_json'
  | 'unknown_topic'
  | 'unknown_type'
  | 'validation_failed'
  | 'occurred_in_future'
  | 'processing_failed';

/** What goes to `loyalty.dlq.v1`: enough to understand, fix and re-publish the original. */
export interface DeadLetter {
  reason: DeadLetterReason;
  message: string;
  fieldErrors?: { field: string; problems: string[] }[];
  source: { topic: string; partition: number; offset: string; key: string | null; timestamp: string };
  /** The original value, base64, byte for byte. */
  valueBase64: string | null;
  /** The original headers, each value base64. */
  headers: Record<string, string>;
  consumerGroup: string;
  deadLetteredAt: string;
}
