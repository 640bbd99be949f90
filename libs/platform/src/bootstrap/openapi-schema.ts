/** A JSON object schema for `@ApiOkResponse({ schema })`, with its example, for bodies typed by interfaces swagger cannot see. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- OpenAPI schemas are open-ended JSON
export const objectSchema = (properties: Record<string, any>, example: Record<string, unknown>) => ({
  type: 'object' as const,
  properties,
  required: Object.keys(properties),
  additionalProperties: true,
  example,
});

export const S = {
  string: { type: 'string' as const },
  integer: { type: 'integer' as const },
  boolean: { type: 'boolean' as const },
  instant: { type: 'string' as const, format: 'date-time' },
  nullableString: { type: 'string' as const, nullable: true },
  list: (items: object = { type: 'object', additionalProperties: true }) => ({ type: 'array' as const, items }),
};
