import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { AppError } from './app.error';
import { renderError } from './error-body';

describe('renderError', () => {
  it('passes our own refusals through with their extras', () => {
    const error = new AppError({ status: 422, error: 'insufficient_points', message: 'only 40 available', available: 40 });
    expect(renderError(error)).toEqual({
      status: 422,
      body: { error: 'insufficient_points', message: 'only 40 available', available: 40 },
      unexpected: false,
    });
  });

  it("gives Nest's built-in exceptions a code from their status", () => {
    expect(renderError(new NotFoundException('Cannot GET /nope?token=s3cret')).body).toEqual({
      error: 'not_found',
      message: 'no route answers this method and path',
    });
    expect(renderError(new BadRequestException('Unexpected token } in JSON')).body).toEqual({
      error: 'invalid_request',
      message: 'Unexpected token } in JSON',
    });
    expect(renderError(new HttpException('teapot', 418)).body).toEqual({ error: 'request_failed', message: 'teapot' });
  });

  it('answers a client error from the HTTP stack with its status', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, expose: true });
    expect(renderError(tooLarge)).toEqual({
      status: 413,
      body: { error: 'payload_too_large', message: 'request entity too large' },
      unexpected: false,
    });
  });

  it('answers a body cut off by the client as its mistake, logged as no unexpected error', () => {
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    expect(renderError(aborted)).toMatchObject({ status: 400, body: { error: 'invalid_request' }, unexpected: false });
    expect(renderError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).status).toBe(500);
  });

  it("hides a framework's 5xx message, which may name internals", () => {
    expect(renderError(new HttpException("Attempted to send payload of invalid type 'object'", 500))).toEqual({
      status: 500,
      body: { error: 'internal_error', message: 'internal error' },
      unexpected: true,
    });
    expect(renderError(new HttpException('pool exhausted at db-7', 503)).body).toEqual({ error: 'unavailable', message: 'internal error' });
  });

  it('hides everything about an unknown error behind a 500', () => {
    const rendered = renderError(new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2'));
    expect(rendered).toEqual({ status: 500, body: { error: 'internal_error', message: 'internal error' }, unexpected: true });
    expect(renderError(Object.assign(new Error('boom'), { status: 500, expose: false })).status).toBe(500);
    expect(renderError('a string').status).toBe(500);
  });
});
