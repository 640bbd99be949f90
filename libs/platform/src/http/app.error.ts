import { HttpException } from '@nestjs/common';

/** The error body every Tally endpoint answers with: a machine code, a human message, and extras. */
export interface ErrorBody {
  error: string;
  message: string;
  [extra: string]: unknown;
}

export interface AppErrorInit extends ErrorBody {
  status: number;
  /** Response headers, not part of the body (e.g. `WWW-Authenticate`). */
  headers?: Record<string, string>;
}

/**
 * A deliberate, documented refusal, e.g.
 * `throw new AppError({ status: 422, error: 'insufficient_points', message: '...', available: 40 })`.
 */
export class AppError extends HttpException {
  readonly headers: Record<string, string>;

  constructor({ status, headers, ...body }: AppErrorInit) {
    super(body, status);
    this.headers = headers ?? {};
  }

  get body(): ErrorBody {
    return this.getResponse() as ErrorBody;
  }
}
