import { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, NestMiddleware } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { Metrics } from './metrics.service';

type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/**
 * The route template, never the raw URL: ids in paths would make one series per member. Nest
 * mounts middleware (this one, the logger's) as catch-all `/{*path}` routes, so a request that
 * still carries a wildcard route at the end reached no handler; Tally declares no wildcard routes.
 */
export const routeLabel = (request: RoutedRequest): string => {
  const path = request.route?.path;
  return typeof path === 'string' && !path.includes('*') ? `${request.baseUrl ?? ''}${path}` : 'unmatched';
};

/**
 * Times every request, including those refused by guards or not routed at all, which an
 * interceptor would never see. The route is known only once the router has run, so it is read on finish.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(metrics: Metrics) {
    this.duration = metrics.histogram('tally_http_request_duration_seconds', 'HTTP request duration in seconds', [
      'method',
      'route',
      'status',
    ]);
  }

  use(request: RoutedRequest, response: ServerResponse, next: () => void): void {
    const end = this.duration.startTimer();
    response.once('finish', () => end({ method: request.method ?? 'UNKNOWN', route: routeLabel(request), status: String(response.statusCode) }));
    next();
  }
}
