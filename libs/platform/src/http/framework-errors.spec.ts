import { parserRefusal, routerRefusal } from './framework-errors';

const withCode = (code: string) => Object.assign(new Error(`${code} for /members/s3cret`), { code });

describe('refusals made before Nest sees a request', () => {
  it("maps Node's parser errors to a status and a lower_snake code, with a fixed message", () => {
    expect(parserRefusal(withCode('ERR_HTTP_REQUEST_TIMEOUT'))).toEqual({ status: 408, body: { error: 'request_timeout', message: expect.any(String) } });
    expect(parserRefusal(withCode('HPE_HEADER_OVERFLOW'))).toEqual({ status: 431, body: { error: 'headers_too_large', message: expect.any(String) } });
    expect(parserRefusal(withCode('HPE_INVALID_METHOD'))).toEqual({
      status: 400,
      body: { error: 'invalid_request', message: 'the request is not valid HTTP/1.1' },
    });
  });

  it("maps the router's errors likewise, and anything it does not know to a 500 that says nothing", () => {
    expect(routerRefusal(withCode('FST_ERR_BAD_URL'))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(routerRefusal(withCode('FST_ERR_MAX_PARAM_LENGTH'))).toMatchObject({ status: 414, body: { error: 'uri_too_long' } });
    expect(routerRefusal(withCode('FST_ERR_ASYNC_CONSTRAINT'))).toEqual({ status: 500, body: { error: 'internal_error', message: 'internal error' } });
    for (const code of ['FST_ERR_BAD_URL', 'FST_ERR_MAX_PARAM_LENGTH', 'FST_ERR_ASYNC_CONSTRAINT']) {
      expect(JSON.stringify(routerRefusal(withCode(code)))).not.toMatch(/s3cret|FST_/);
    }
  });
});
