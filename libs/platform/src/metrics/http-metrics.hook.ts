import { FastifyInstance } from 'fastify';
import { Metrics } from './metrics.service';

/**
 * The route template, never the raw URL: ids in paths would make one series per member. A
 * request no route matched (a 404 from the router) is `unmatched`.
 */
export const routeLabel = (routeTemplate: string | undefined): string => routeTemplate ?? 'unmatched';

/**
 * Times every request, including those refused by guards or by the body parser, which an
 * interceptor would never see: Fastify's `onResponse` runs for every reply, with the time since
 * the request arrived and the route it matched.
 */
export const registerHttpMetrics = (fastify: FastifyInstance, metrics: Metrics): void => {
  const duration = metrics.histogram('tally_http_request_duration_seconds', 'HTTP request duration in seconds', ['method', 'route', 'status']);
  fastify.addHook('onResponse', (request, reply, done) => {
    duration.observe({ method: request.method, route: routeLabel(request.routeOptions.url), status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
};
