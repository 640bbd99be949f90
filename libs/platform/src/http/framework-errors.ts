import { IncomingMessage, STATUS_CODES, ServerResponse, maxHeaderSize } from 'node:http';
import { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorBody } from './app.error';
import { errorCodeFor } from './error-codes';

/**
 * What Node's HTTP parser and Fastify's router refuse before Nest sees a request. Each answers in
 * the API's shape (`{error, message}`) with a fixed message: never the URL or a header back, never
 * a framework's internal code.
 */
export interface FrameworkRefusal {
  status: number;
  body: ErrorBody;
}

/** Longest path parameter the router takes (ids in paths are at most 64 characters); longer is 414. */
export const MAX_PARAM_LENGTH = 100;

const refusal = (status: number, message: string): FrameworkRefusal => ({ status, body: { error: errorCodeFor(status), message } });

/** The router's refusals (Fastify's `frameworkErrors`): a malformed percent-encoding, an over-long parameter. */
export const routerRefusal = (error: Pick<FastifyError, 'code'>): FrameworkRefusal => {
  if (error.code === 'FST_ERR_BAD_URL') return refusal(400, 'the URL is not valid: a percent-encoding in its path is malformed');
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return refusal(414, `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`);
  return refusal(500, 'internal error');
};

/** Node's HTTP parser's refusals (Fastify's `clientErrorHandler`): too slow, headers too large, not HTTP. */
export const parserRefusal = (error: NodeJS.ErrnoException): FrameworkRefusal => {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return refusal(408, 'the request was not received in time');
  if (error.code === 'HPE_HEADER_OVERFLOW') return refusal(431, `the request line and headers are larger than ${maxHeaderSize} bytes`);
  return refusal(400, 'the request is not valid HTTP/1.1');
};

const jsonHeaders = (body: string) => ({
  'Content-Type': 'application/json; charset=utf-8',
  'Content-Length': String(Buffer.byteLength(body)),
  Connection: 'close',
});

export function answerRouterRefusal(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = routerRefusal(error);
  void reply.header('X-Request-Id', request.id).code(status).send(body);
}

/** No request exists yet, only a socket: the answer is written as raw HTTP, then the socket closes. */
export function answerParserRefusal(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  this.log.trace({ err: error }, 'client error');
  if (socket.writable) {
    const { status, body } = parserRefusal(error);
    const json = JSON.stringify(body);
    const headers = Object.entries(jsonHeaders(json)).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers.join('')}\r\n${json}`);
  }
  socket.destroy(error);
}

/** Node answers any `Expect` but `100-continue` with a bare 417 unless someone listens for it. */
export const answerExpectationFailed = (_request: IncomingMessage, response: ServerResponse): void => {
  const json = JSON.stringify(refusal(417, 'only Expect: 100-continue is supported').body);
  response.writeHead(417, jsonHeaders(json)).end(json);
};

/**
 * While the server closes, requests still arriving on open connections get 503 `unavailable` in the
 * API's shape (Fastify's own 503 for them is turned off with `return503OnClosing: false`).
 */
export const refuseWhileClosing = (fastify: FastifyInstance): void => {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    void reply.header('Connection', 'close').code(503).send({ error: 'unavailable', message: 'the service is shutting down' });
  });
};
