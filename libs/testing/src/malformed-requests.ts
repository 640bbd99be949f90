import fc from 'fast-check';
import { errorContractProblem } from './http-probe';

/** A request as `app.inject` (light-my-request) takes it. */
export interface ProbeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

export interface MalformedRequestOptions {
  /** Route templates of the service, as Nest declares them: `POST /holds/:holdId/capture`. */
  routes: string[];
  /** Bearer tokens the service knows, of every role. */
  tokens: string[];
  /** Body and query field names the service reads: they get wrong values more often than random keys would. */
  fields: string[];
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** Keys that reach `Object.prototype` or shadow its methods when code is careless with them. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

const printable = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });

/** A path segment: a fine id, or one too long, badly encoded, a prototype key, or anything at all. */
const segment = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/) },
  fc.constantFrom('%zz', '%', '%00', '%E0%A4%A', '..', '', 'a'.repeat(65), 'a'.repeat(101), 'a'.repeat(400), ...PROTOTYPE_KEYS),
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
);

/** Query values that have broken parameters before: out of range, not numbers, not dates. */
const queryValue = fc.oneof(
  fc.constantFrom('', '-1', '0', '1', '500', '501', '1e2', '0x10', ' 1', '1.5', 'null', 'true', '%zz', '%'),
  fc.constantFrom('9223372036854775807', '9223372036854775808', '99999999999999999999', '9'.repeat(400)),
  fc.constantFrom('2026-06-30T00:00:00Z', '2026-W01', '2026-01-01T00:00:00,5Z', '2026-02-30T00:00:00Z', '275760-09-14', '0000-01-01'),
  fc.bigInt().map(String),
  printable.map(encodeURIComponent),
);

const JSON_SCALARS = ['null', 'true', '-0', '1.5', '-1', '0', '1e999', '-1e999', '9007199254740993', '99999999999999999999999', '""', '"x"'];

const nested = (depth: number, object: boolean) => (object ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth));
const deepNesting = fc.tuple(fc.integer({ min: 1, max: 6000 }), fc.boolean()).map(([depth, object]) => nested(depth, object));

/** A JSON value as text, including what `JSON.stringify` never writes (`1e999`, very deep nesting). */
const jsonText = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.constantFrom(...JSON_SCALARS) },
  { weight: 1, arbitrary: deepNesting },
);

/** An object of the service's own fields (and prototype keys) with wrong, null or extreme values. */
const fieldsBody = (fields: string[]) =>
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...fields, ...PROTOTYPE_KEYS), printable), jsonText), { maxLength: 6 })
    .map((pairs) => `{${pairs.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`);

const body = (fields: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fieldsBody(fields) },
    { weight: 2, arbitrary: jsonText },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":1', '[1,]', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', 'x'.repeat(200 * 1024)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain') },
  fc.constantFrom('application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ';;;', 'application/jsonx', '*/*'),
  printable,
);

const headers = (tokens: string[]) =>
  fc
    .record(
      {
        authorization: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...tokens).map((token) => `Bearer ${token}`) },
          { weight: 1, arbitrary: fc.oneof(fc.constantFrom('Bearer', 'Bearer ', 'Basic abc'), printable) },
        ),
        'content-type': contentType,
        'x-request-id': printable,
        accept: printable,
      },
      { requiredKeys: ['authorization'] },
    )
    .map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<string, string>);

const fillTemplate = (template: string, segments: string[]): string => {
  let next = 0;
  return template.replace(/:[A-Za-z]+/g, () => segments[next++ % segments.length] ?? 'x');
};

/** One of the service's routes with its parameters filled in badly, or a path of random segments. */
const target = (routes: [string, string][]) =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(fc.constantFrom(...routes), fc.array(segment, { minLength: 1, maxLength: 3 }))
        .map(([[method, template], parts]) => ({ method, path: fillTemplate(template, parts) })),
    },
    { weight: 1, arbitrary: fc.array(segment, { maxLength: 4 }).map((parts) => ({ method: 'GET', path: `/${parts.join('/')}` })) },
  );

const query = (fields: string[]) =>
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...fields, ...PROTOTYPE_KEYS, 'a[b]'), printable.map(encodeURIComponent)), queryValue), { maxLength: 4 })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`));

/**
 * Whole classes of requests a careless or hostile client sends: the service's routes (and others)
 * with bad path segments, query strings with out-of-range, repeated and non-numeric values, every
 * role's token or a bad one, odd media types, and bodies that are not JSON, nested thousands deep,
 * null or extreme where a field is expected, or keyed by `__proto__` and friends.
 */
export const malformedRequests = ({ routes, tokens, fields }: MalformedRequestOptions): fc.Arbitrary<ProbeRequest> =>
  fc
    .record({
      target: target(routes.map((route) => route.split(' ') as [string, string])),
      // Mostly the route's own method; now and then another one.
      otherMethod: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
      query: query(fields),
      headers: headers(tokens),
      payload: fc.option(body(fields), { freq: 5 }),
    })
    .map(({ target: { method, path }, otherMethod, query: search, headers: sent, payload }) => ({
      method: (otherMethod ?? method) as ProbeRequest['method'],
      url: `${path}${search}`,
      headers: sent,
      ...(payload === null ? {} : { payload }),
    }));

export interface InjectedResponse {
  statusCode: number;
  body: string;
}

/**
 * The error contract as a property: `inject` answers every request of `malformedRequests` without a
 * 5xx, and every 4xx in the API's shape (`errorContractProblem`). Seeded, so a failure reproduces.
 */
export const assertErrorContract = (
  inject: (request: ProbeRequest) => Promise<InjectedResponse>,
  options: MalformedRequestOptions,
  { seed = 21, numRuns = 300 }: { seed?: number; numRuns?: number } = {},
): Promise<void> =>
  fc.assert(
    fc.asyncProperty(malformedRequests(options), async (request) => {
      const response = await inject(request);
      const problem = errorContractProblem(response.statusCode, response.body, request.method);
      if (problem !== undefined) throw new Error(problem);
    }),
    { seed, numRuns },
  );
