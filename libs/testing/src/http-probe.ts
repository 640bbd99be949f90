import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const decodeChunked = (text: string): string => {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (lineEnd < 0 || !(size > 0)) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
};

const parseResponse = (text: string): RawResponse => {
  const headEnd = text.indexOf('\r\n\r\n');
  const [statusLine, ...headerLines] = text.slice(0, headEnd < 0 ? text.length : headEnd).split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const rawBody = headEnd < 0 ? '' : text.slice(headEnd + 4);
  const body = headers['transfer-encoding'] === 'chunked' ? decodeChunked(rawBody) : rawBody;
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0), headers, body };
};

/**
 * Sends bytes as they are to a listening server and reads the answer until the server closes the
 * connection (or `ms` pass): for requests no HTTP client would send (an oversized request line, a
 * broken Content-Length, an unknown method).
 */
export const rawHttp = (baseUrl: string, request: string, ms = 5000): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    const socket = connect(Number(port), hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      if (text === '') reject(new Error(`no answer to ${JSON.stringify(request.slice(0, 80))}`));
      else resolve(parseResponse(text));
    });
  });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What is wrong with an answer by the API's error contract, or undefined when nothing is: never a
 * 5xx; every 4xx is `{error: <lower_snake code>, message: <text>, ...}` without a framework's
 * `statusCode` or `FST_...` code. A HEAD answer has no body to judge.
 */
export const errorContractProblem = (status: number, body: string, method = 'GET'): string | undefined => {
  if (status >= 500) return `answered ${status}: ${body.slice(0, 200)}`;
  if (status < 400 || method.toUpperCase() === 'HEAD') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `a ${status} whose body is not JSON: ${body.slice(0, 200)}`;
  }
  if (!isRecord(parsed)) return `a ${status} whose body is not an object: ${body.slice(0, 200)}`;
  if (typeof parsed.error !== 'string' || !/^[a-z][a-z0-9_]*$/.test(parsed.error)) return `a ${status} without a lower_snake error code: ${body.slice(0, 200)}`;
  if (typeof parsed.message !== 'string') return `a ${status} without a message: ${body.slice(0, 200)}`;
  if ('statusCode' in parsed || (typeof parsed.code === 'string' && parsed.code.startsWith('FST_'))) {
    return `a ${status} in Fastify's shape: ${body.slice(0, 200)}`;
  }
  return undefined;
};
