import { FieldError, INPUT_SCHEMAS, InputEvent, membersOf, parseInput } from '@tally/contracts';
import { inputFingerprint } from '../consume/earn.command';

/** Most inputs in one upload (DESIGN.md, branch sync). */
export const MAX_BATCH_INPUTS = 10_000;

export type IngestStatus = 'accepted' | 'duplicate' | 'invalid';

/** The answer for one input of a batch, at its index. */
export interface IngestResult {
  index: number;
  eventId: string | null;
  status: IngestStatus;
  /** Why an input is invalid: a dead-letter reason code, or `forbidden_store` / `idempotency_conflict`. */
  reason?: string;
  errors?: FieldError[];
}

/** A valid input, ready to publish to its topic under its key. */
export interface PlannedInput {
  index: number;
  topic: string;
  key: string;
  value: Buffer;
  event: InputEvent;
  fingerprint: string;
}

export interface BatchPlan {
  /** One per input, in order; the valid ones are settled when they are published or found done. */
  results: IngestResult[];
  valid: PlannedInput[];
}

const TOPIC_OF_TYPE: ReadonlyMap<string, string> = new Map(
  Object.entries(INPUT_SCHEMAS).flatMap(([topic, types]) => Object.keys(types).map((type): [string, string] => [type, topic])),
);

const invalid = (index: number, eventId: string | null, reason: string, errors: FieldError[]): IngestResult => ({
  index,
  eventId,
  status: 'invalid',
  reason,
  errors,
});

const readableEventId = (input: unknown): string | null => {
  const id = typeof input === 'object' && input !== null ? (input as { eventId?: unknown }).eventId : undefined;
  return typeof id === 'string' ? id.slice(0, 128) : null;
};

/**
 * The store a store token may send for: the input's own `storeId`, which must be the token's. An
 * input without one cannot be shown to be the branch's, so a store token may not send it either.
 */
const storeProblem = (event: InputEvent, callerStoreId: string | undefined): FieldError | undefined => {
  if (callerStoreId === undefined || event.storeId === callerStoreId) return undefined;
  return { field: 'storeId', problems: [`a token of store ${callerStoreId} may only send inputs whose storeId is ${callerStoreId}`] };
};

/**
 * Judges each input of an upload as the earn consumer would judge it on its topic (the same
 * `parseInput`), and as the caller may send it (`callerStoreId` for a store token). The same
 * `eventId` twice in one upload on one topic is one input: the second is a duplicate, or a conflict
 * when its body differs. Pure: `now` is the caller's clock.
 */
export const planBatch = (inputs: unknown[], callerStoreId: string | undefined, now: Date): BatchPlan => {
  const results: IngestResult[] = [];
  const valid: PlannedInput[] = [];
  const seen = new Map<string, string>();
  inputs.forEach((input, index) => {
    const eventId = readableEventId(input);
    const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
    const topic = typeof type === 'string' ? TOPIC_OF_TYPE.get(type) : undefined;
    if (topic === undefined) {
      results.push(invalid(index, eventId, 'unknown_type', [{ field: 'type', problems: [`must be one of ${[...TOPIC_OF_TYPE.keys()].join(', ')}`] }]));
      return;
    }
    const value = Buffer.from(JSON.stringify(input));
    const parsed = parseInput(topic, value, now);
    if (!parsed.ok) {
      results.push(invalid(index, eventId, parsed.reason, parsed.fieldErrors ?? [{ field: '(input)', problems: [parsed.message] }]));
      return;
    }
    const forbidden = storeProblem(parsed.event, callerStoreId);
    if (forbidden) {
      results.push(invalid(index, eventId, 'forbidden_store', [forbidden]));
      return;
    }
    const fingerprint = inputFingerprint(parsed.event);
    const key = `${topic}\u0000${parsed.event.eventId}`;
    const earlier = seen.get(key);
    if (earlier === fingerprint) {
      results.push({ index, eventId, status: 'duplicate' });
    } else if (earlier !== undefined) {
      results.push(invalid(index, eventId, 'idempotency_conflict', [{ field: 'eventId', problems: ['used earlier in this upload with another body'] }]));
    } else {
      seen.set(key, fingerprint);
      results.push({ index, eventId, status: 'accepted' });
      valid.push({ index, topic, key: membersOf(parsed.event)[0], value, event: parsed.event, fingerprint });
    }
  });
  return { results, valid };
};
