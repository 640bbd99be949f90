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
