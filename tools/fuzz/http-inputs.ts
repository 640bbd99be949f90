import { ProbeRequest, errorContractProblem, malformedRequests, Rng } from '@tally/testing';
import fc from 'fast-check';

export interface HttpFinding {
  service: string;
  request: { method: string; url: string; headers: Record<string, string>; payload?: string };
  problem: string;
}

interface OpenApi {
  paths?: Record<string, Record<string, { parameters?: { name: string }[] }>>;
  components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
}

/** The service's routes (`POST /holds/:holdId/capture`) and the field names it reads, from its OpenAPI document. */
export const describeService = async (baseUrl: string): Promise<{ routes: string[]; fields: string[] }> => {
  const doc = (await (await fetch(`${baseUrl}/docs-json`)).json()) as OpenApi;
  const routes: string[] = [];
  const fields = new Set<string>();
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(methods)) {
      routes.push(`${method.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`);
      for (const parameter of operation.parameters ?? []) fields.add(parameter.name);
    }
  }
  for (const schema of Object.values(doc.components?.schemas ?? {})) for (const name of Object.keys(schema.properties ?? {})) fields.add(name);
  return { routes, fields: [...fields] };
};

/** Requests no generator of `malformedRequests` makes, every route gets them: bodies and headers at the edges. */
const edgeCases = (routes: string[], rng: Rng, token: string): ProbeRequest[] =>
  routes.flatMap((route): ProbeRequest[] => {
    const [method, template] = route.split(' ') as [ProbeRequest['method'], string];
    const url = template.replace(/:[A-Za-z]+/g, () => `fz-${rng.int(0, 1e6)}`);
    const auth = { authorization: `Bearer ${token}` };
    const json = { ...auth, 'content-type': 'application/json' };
    if (method === 'GET' || method === 'HEAD') {
      return [
        { method, url: `${url}?limit=${'9'.repeat(40)}&after=-1&asOf=2026-02-30T00:00:00Z`, headers: auth },
        { method, url, headers: { authorization: `Bearer ${'t'.repeat(9000)}` } },
      ];
    }
    return [
      { method, url, headers: json, payload: `{"x":"${'a'.repeat(1_100_000)}"}` },
      { method, url, headers: json, payload: '\u0000\u0001\u0002' },
      { method, url, headers: json, payload: '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}' },
      { method, url, headers: { ...auth, 'content-type': 'application/xml' }, payload: '<a/>' },
      { method, url, headers: { ...auth, 'content-type': 'application/json; charset=utf-16' }, payload: '{}' },
      { method, url, headers: json, payload: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
      { method, url, headers: json, payload: '{"points":1e999,"memberId":"m-😀","storeId":"\\u0000"}' },
      { method, url, headers: { ...json, 'content-encoding': 'gzip' }, payload: 'not gzip' },
    ];
  });

/** Bad requests of one service: seeded property-based ones and the fixed edge cases, `count` in all. */
export const badRequests = (routes: string[], fields: string[], tokens: string[], seed: number, count: number, rng: Rng): ProbeRequest[] => {
  const fixed = edgeCases(routes, rng, tokens[0]);
  const generated = fc.sample(malformedRequests({ routes, tokens, fields }), { seed, numRuns: Math.max(0, count - fixed.length) });
  return [...fixed.slice(0, count), ...generated];
};

const STACK_TRACE = /\n\s+at [^\n]+:\d+:\d+|node_modules\/|\/dist\/(apps|libs)\//;

/** Sends one request; what is wrong with the answer by the error contract, or undefined. */
export const probe = async (baseUrl: string, request: ProbeRequest, timeoutMs = 20_000): Promise<string | undefined> => {
  let init: RequestInit;
  try {
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : request.payload;
    init = { method: request.method, headers: new Headers(request.headers), body, signal: AbortSignal.timeout(timeoutMs) };
  } catch {
    return undefined; // a header no HTTP client can send: nothing reaches the service
  }
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${request.url}`, init);
  } catch (error) {
    const cause = (error as Error).name;
    if (cause === 'TimeoutError' || cause === 'AbortError') return `no answer within ${timeoutMs} ms (a hang)`;
    if (error instanceof TypeError && /header|url|invalid/i.test(String((error as Error & { cause?: unknown }).cause ?? error.message))) return undefined;
    return `connection failed: ${String((error as Error & { cause?: unknown }).cause ?? error)}`;
  }
  const text = await response.text();
  if (STACK_TRACE.test(text)) return `answered ${response.status} with a stack trace or source path: ${text.slice(0, 300)}`;
  return errorContractProblem(response.status, text, request.method);
};
