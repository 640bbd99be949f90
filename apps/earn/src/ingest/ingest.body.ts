import { HttpStatus } from '@nestjs/common';
import { AppError } from '@tally/platform';
import { MAX_BATCH_INPUTS } from './ingest.plan';

/** The OpenAPI shape of the body; it is checked by `batchInputs`, not by the validation pipe. */
export const INGEST_BODY_SCHEMA = {
  type: 'object',
  required: ['inputs'],
  properties: {
    inputs: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH_INPUTS,
      items: { type: 'object' },
      description: 'Input messages as on their Kafka topics; each is judged on its own.',
    },
  },
};

/**
 * The inputs of an upload body, or 400 `invalid_request`. Checked by hand: the validation pipe's
 * class-transformer would copy ten thousand inputs that `parseInput` reads on its own anyway.
 */
export const batchInputs = (body: unknown): unknown[] => {
  const inputs = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { inputs?: unknown }).inputs : undefined;
  if (Array.isArray(inputs) && inputs.length >= 1 && inputs.length <= MAX_BATCH_INPUTS) return inputs;
  const problem = `inputs must be an array of 1 to ${MAX_BATCH_INPUTS} input messages`;
  throw new AppError({
    status: HttpStatus.BAD_REQUEST,
    error: 'invalid_request',
    message: `invalid request: inputs: ${problem}`,
    fields: [{ field: 'inputs', problems: [problem] }],
  });
};

/** The OpenAPI shape of the answer: one result per input, in the order sent. */
export const INGEST_RESULTS_SCHEMA = {
  type: 'object',
  required: ['results'],
  properties: { results: { type: 'array', items: { type: 'object', required: ['index', 'eventId', 'status'], additionalProperties: true } } },
  example: {
    results: [
      { index: 0, eventId: 'pos-7-000123', status: 'accepted' },
      { index: 1, eventId: 'pos-7-000122', status: 'duplicate' },
      {
        index: 2,
        eventId: 'pos-7-000124',
        status: 'invalid',
        reason: 'validation_failed',
        errors: [{ field: 'amountMinor', problems: ['must be an integer'] }],
      },
    ],
  },
};

/** Most eventIds one status request asks after: an upload's worth. */
export const MAX_STATUS_IDS = 10_000;

/** The longest eventId an input may have. */
const MAX_EVENT_ID = 128;

export const STATUS_BODY_SCHEMA = {
  type: 'object',
  required: ['eventIds'],
  properties: {
    eventIds: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_STATUS_IDS,
      items: { type: 'string', minLength: 1, maxLength: MAX_EVENT_ID },
      description: 'eventIds of inputs this store uploaded',
    },
  },
  example: { eventIds: ['pos-7-000123', 'ci-7-000045', 'pos-7-000124'] },
};

/** The eventIds of a status request, or 400 `invalid_request`. */
export const statusEventIds = (body: unknown): string[] => {
  const ids = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { eventIds?: unknown }).eventIds : undefined;
  const valid = (id: unknown): id is string => typeof id === 'string' && id.length >= 1 && id.length <= MAX_EVENT_ID;
  if (Array.isArray(ids) && ids.length >= 1 && ids.length <= MAX_STATUS_IDS && ids.every(valid)) return ids;
  const problem = `eventIds must be an array of 1 to ${MAX_STATUS_IDS} eventIds (texts of 1 to ${MAX_EVENT_ID} characters)`;
  throw new AppError({
    status: HttpStatus.BAD_REQUEST,
    error: 'invalid_request',
    message: `invalid request: eventIds: ${problem}`,
    fields: [{ field: 'eventIds', problems: [problem] }],
  });
};

/** The OpenAPI shape of a status answer, with an example of each status. */
export const STATUS_RESULTS_SCHEMA = {
  type: 'object',
  required: ['results'],
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['eventId', 'status'],
        additionalProperties: true,
        properties: {
          eventId: { type: 'string' },
          topic: { type: 'string', description: 'The input topic it was uploaded for (absent for `unknown`)' },
          status: {
            type: 'string',
            enum: ['applied', 'refused', 'parked', 'dead-lettered', 'pending', 'unknown'],
            description:
              '`applied`: earned (`points`, and the `events` it appended with their versions); `refused`: a business refusal ' +
              '(`code`, `message`; an input past the late-input window is `INPUT_TOO_LATE` or `CHECK_IN_TOO_LATE`, its message ' +
              "names the program's window); `parked`: a refund waiting for its purchase; `dead-lettered`: `reason` and " +
              '`message`; `pending`: uploaded, not decided yet; `unknown`: not an input this store uploaded.',
          },
        },
      },
    },
  },
  example: {
    results: [
      {
        eventId: 'pos-7-000123',
        topic: 'loyalty.purchases.v1',
        status: 'applied',
        points: 129,
        events: [{ memberId: 'm-1001', version: 7, type: 'points.earned', points: 129 }],
      },
      {
        eventId: 'ci-7-000045',
        topic: 'loyalty.check-ins.v1',
        status: 'refused',
        code: 'CHECK_IN_TOO_LATE',
        message:
          "check-in for 2026-10-01 arrived after the late-input window of 35 days before the member's newest day 2026-11-23 (program lateInputWindowDays: 35)",
        final: true,
      },
      { eventId: 'pos-7-000124', topic: 'loyalty.purchases.v1', status: 'pending' },
      { eventId: 'pos-9-000001', status: 'unknown' },
    ],
  },
};
