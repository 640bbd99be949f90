import inputs from './input-schemas.json';

/** The JSON Schema of every input, generated from Tally's contracts by `npm run contracts:generate`. */
export const INPUT_JSON_SCHEMAS: Record<string, Record<string, unknown>> = inputs;
