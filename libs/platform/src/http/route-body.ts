import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { AppError } from './app.error';

/**
 * What a route may declare about its body with `@RouteConfig(...)` from @nestjs/platform-fastify:
 * a larger `bodyLimit` than the service's (bulk uploads), and `gzip` request bodies. The limit
 * counts the bytes after decompression too, so a small gzip bomb is refused like a large body.
 */
export interface RouteBodyConfig {
  bodyLimit?: number;
  gzip?: boolean;
}

const unsupportedEncoding = (encoding: string): AppError =>
  new AppError({ status: 415, error: 'unsupported_media_type', message: `content-encoding ${encoding.slice(0, 32)} is not supported; send identity or gzip` });

const notGzip = (): AppError => new AppError({ status: 400, error: 'invalid_request', message: 'the body is not valid gzip' });

/** The body as the parser should read it: gunzipped when it says gzip, refused when it says something else. */
const decodedBody = (request: FastifyRequest, payload: Readable): Readable => {
  const encoding = String(request.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding === 'identity' || encoding === '') return payload;
  if (encoding !== 'gzip') throw unsupportedEncoding(encoding);
  const gunzip = createGunzip();
  // Fastify compares this, the bytes on the wire, with the limit as well as the decoded length.
  let encodedLength = 0;
  payload.on('data', (chunk: Buffer) => (encodedLength += chunk.length));
  // What Fastify reads: a zlib error becomes our 400 (zlib's own error would render as a 500).
  const decoded = new PassThrough() as PassThrough & { receivedEncodedLength: number };
  Object.defineProperty(decoded, 'receivedEncodedLength', { get: () => encodedLength });
  payload.on('error', (error) => decoded.destroy(error));
  gunzip.on('error', () => decoded.destroy(notGzip()));
  payload.pipe(gunzip).pipe(decoded);
  return decoded;
};

/** Applies each route's `RouteBodyConfig`: registered on the Fastify instance before any route. */
export const applyRouteBodyConfig = (fastify: FastifyInstance): void => {
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const config = (route.config ?? {}) as RouteBodyConfig;
    if (config.bodyLimit !== undefined) route.bodyLimit = config.bodyLimit;
    if (!config.gzip) return;
    const own = route.preParsing === undefined ? [] : Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing];
    route.preParsing = [
      ...own,
      (request, _reply, payload, done) => {
        try {
          done(null, decodedBody(request, payload));
        } catch (error) {
          done(error as Error);
        }
      },
    ];
  });
};
