import { HttpStatus } from '@nestjs/common';

const CODES: Record<number, string> = {
  [HttpStatus.BAD_REQUEST]: 'invalid_request',
  [HttpStatus.UNAUTHORIZED]: 'unauthorized',
  [HttpStatus.FORBIDDEN]: 'forbidden',
  [HttpStatus.NOT_FOUND]: 'not_found',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'method_not_allowed',
  [HttpStatus.NOT_ACCEPTABLE]: 'not_acceptable',
  [HttpStatus.REQUEST_TIMEOUT]: 'request_timeout',
  [HttpStatus.CONFLICT]: 'conflict',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'payload_too_large',
  [HttpStatus.URI_TOO_LONG]: 'uri_too_long',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'unsupported_media_type',
  [HttpStatus.EXPECTATION_FAILED]: 'expectation_failed',
  [HttpStatus.UNPROCESSABLE_ENTITY]: 'unprocessable_entity',
  [HttpStatus.TOO_MANY_REQUESTS]: 'too_many_requests',
  // Not in Nest's HttpStatus.
  431: 'headers_too_large',
  [HttpStatus.INTERNAL_SERVER_ERROR]: 'internal_error',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'unavailable',
};

/** The error code for an HTTP status when nothing more specific was thrown. */
export const errorCodeFor = (status: number): string => CODES[status] ?? (status >= 500 ? 'internal_error' : 'request_failed');
