import { errorCodeFor } from '../http/error-codes';

/** The OpenAPI 3 parts this module reads and writes; the rest passes through untouched. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- OpenAPI documents are open-ended JSON
type Json = any;

export const ERROR_SCHEMA_NAME = 'Error';
const ERROR_REF = { $ref: `#/components/schemas/${ERROR_SCHEMA_NAME}` };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const PUBLIC_EXTENSION = 'x-tally-public';

/** The first `code` a response description names in backticks, else the status's generic code. */
const codeOf = (status: number, description: string | undefined): string => /`([a-z][a-z0-9_]*)`/.exec(description ?? '')?.[1] ?? errorCodeFor(status);

const errorResponse = (status: number, description: string) => {
  const code = codeOf(status, description);
  const example: Json = { error: code, message: description.replace(/`/g, '') };
  if (code === 'invalid_request') example.fields = [{ field: 'memberId', problems: ['memberId must be a string'] }];
  return { description, content: { 'application/json': { schema: ERROR_REF, example } } };
};

const operationsOf = (document: Json): { path: string; method: string; operation: Json }[] =>
  Object.entries<Json>(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method] })),
  );

const resolve = (document: Json, schema: Json): Json => {
  if (!schema?.$ref) return schema;
  return document.components?.schemas?.[String(schema.$ref).split('/').pop() as string];
};

/** An example built from a schema's own examples, enums and formats, for operations that give none. */
export const exampleFrom = (document: Json, schema: Json, depth = 0): Json => {
  const resolved = resolve(document, schema);
  if (!resolved || depth > 6) return undefined;
  if (resolved.example !== undefined) return resolved.example;
  if (resolved.enum) return resolved.enum[0];
  if (resolved.allOf) return Object.assign({}, ...resolved.allOf.map((s: Json) => exampleFrom(document, s, depth + 1)));
  if (resolved.oneOf ?? resolved.anyOf) return exampleFrom(document, (resolved.oneOf ?? resolved.anyOf)[0], depth + 1);
  switch (resolved.type) {
    case 'array':
      return [exampleFrom(document, resolved.items, depth + 1)].filter((item) => item !== undefined);
    case 'integer':
    case 'number':
      return resolved.minimum ?? 0;
    case 'boolean':
      return true;
    case 'string':
      return resolved.format === 'date-time' ? '2026-11-23T10:15:00.000Z' : resolved.format === 'uuid' ? '3f8a1c2e-5b7d-4e9f-8a6b-1c2d3e4f5a6b' : 'string';
    default:
      return Object.fromEntries(Object.entries<Json>(resolved.properties ?? {}).map(([name, property]) => [name, exampleFrom(document, property, depth + 1)]));
  }
};

const addExample = (document: Json, response: Json): void => {
  const media = response?.content?.['application/json'];
  if (media?.schema && media.example === undefined && media.examples === undefined) media.example = exampleFrom(document, media.schema);
};

/**
 * Completes every operation's responses: the refusals every operation can meet (400
 * `invalid_request`; 401 `unauthorized` and 403 `forbidden` unless it is public), each refusal a
 * controller declared given the error body and an example with its code, and an example for every
 * success body that has none. What a controller never declared (a success body's schema) stays
 * missing, for `undocumentedResponses` to name.
 */
export const completeDocument = (document: Json): Json => {
  document.components ??= {};
  document.components.schemas ??= {};
  for (const { operation } of operationsOf(document)) {
    const responses = (operation.responses ??= {});
    const isPublic = operation[PUBLIC_EXTENSION] === true;
    if (isPublic) operation.security = [];
    const implied: [number, string][] = [[400, '`invalid_request`: a parameter or the body is malformed; `fields` names each problem']];
    if (!isPublic)
      implied.push([401, '`unauthorized`: no bearer token, or one the service does not know'], [403, "`forbidden`: the token's role may not do this"]);
    for (const [status, description] of implied) responses[status] ??= { description };
    for (const [status, response] of Object.entries<Json>(responses)) {
      const code = Number(status);
      if (code >= 400 && code < 500 && !response.content) responses[status] = errorResponse(code, response.description ?? errorCodeFor(code));
      else if (code >= 200 && code < 300) addExample(document, response);
    }
  }
  return document;
};

/**
 * Each operation whose documentation is incomplete, with what it lacks: a success response with a
 * JSON body schema (204 excepted) and an example, and an error body for every 4xx it lists.
 */
export const undocumentedResponses = (document: Json): string[] =>
  operationsOf(document).flatMap(({ path, method, operation }) => {
    const name = `${method.toUpperCase()} ${path}`;
    const responses = Object.entries<Json>(operation.responses ?? {});
    const successes = responses.filter(([status]) => /^2\d\d$/.test(status));
    const problems: string[] = [];
    if (successes.length === 0) problems.push(`${name}: no success response`);
    for (const [status, response] of successes) {
      if (status === '204') continue;
      // A streamed body (an export) is documented under its own media type instead of JSON.
      const media = response.content?.['application/json'] ?? Object.values<Json>(response.content ?? {})[0];
      if (!media?.schema) problems.push(`${name}: ${status} has no body schema`);
      else if (media.example === undefined && media.examples === undefined) problems.push(`${name}: ${status} has no example`);
    }
    for (const [status, response] of responses.filter(([s]) => /^4\d\d$/.test(s))) {
      if (!response.content?.['application/json']?.schema) problems.push(`${name}: ${status} has no error body`);
    }
    return problems;
  });
