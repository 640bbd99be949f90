import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppError } from './app.error';
import { renderError } from './error-body';

type RequestInfo = { id?: unknown; method?: string; url?: string };
/** Fastify's reply: `raw` is Node's response underneath. */
type ResponseInfo = { raw: { headersSent: boolean; end(): void } };

/** Every HTTP error leaves as `{error, message, ...}`; unexpected ones are logged with their stack. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<RequestInfo>();
    const response = http.getResponse<ResponseInfo>();
    const { status, body, unexpected } = renderError(exception);
    if (unexpected) {
      this.logger.error({ err: exception, method: request.method, url: request.url }, `unexpected error answering ${request.method} ${request.url}`);
    }
    if (response.raw.headersSent) {
      response.raw.end();
      return;
    }
    const adapter = this.adapterHost.httpAdapter;
    const headers = exception instanceof AppError ? exception.headers : {};
    for (const [name, value] of Object.entries(headers)) adapter.setHeader(response, name, value);
    // The request id lets an operator find the logged stack of a 500 without showing it to the caller.
    adapter.reply(response, unexpected && request.id !== undefined ? { ...body, requestId: request.id } : body, status);
  }
}
