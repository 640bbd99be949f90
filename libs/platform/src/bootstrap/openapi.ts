import { INestApplication, Logger } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ERROR_SCHEMA_NAME, completeDocument } from './openapi-complete';

export const BEARER = 'bearer';

const ERROR_CONTRACT =
  'Every refusal is a 4xx with `{"error": "<lower_snake code>", "message": "...", ...}` (an invalid request is 400 `invalid_request` with `fields`); ' +
  'an unexpected failure is 500 `internal_error` with a `requestId`.';

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', example: 'invalid_request' },
    message: { type: 'string' },
    fields: {
      type: 'array',
      description: 'For `invalid_request`: each bad field (dotted path) and its problems',
      items: { type: 'object', properties: { field: { type: 'string' }, problems: { type: 'array', items: { type: 'string' } } } },
    },
  },
  additionalProperties: true,
};

const TOKEN_DESCRIPTION =
  'An opaque bearer token (`Authorization: Bearer <token>`): a random string the operator configured in TALLY_API_TOKENS with a role ' +
  '(`ops`, `read`, `store:<storeId>`). It carries no claims and is not a JWT; the service looks it up. Missing or unknown: 401 `unauthorized`; ' +
  'a role that may not call the operation: 403 `forbidden`.';

const buildDocument = (app: INestApplication, service: string) => {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Tally ${service}`)
      .setDescription(`The ${service} service of Tally, an event-sourced loyalty points ledger. ${ERROR_CONTRACT}`)
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: TOKEN_DESCRIPTION }, BEARER)
      .addSecurityRequirements(BEARER)
      .addGlobalResponse({ status: '4XX', description: 'A refusal', schema: ERROR_SCHEMA })
      .build(),
  );
  document.components = { ...document.components, schemas: { ...document.components?.schemas, [ERROR_SCHEMA_NAME]: ERROR_SCHEMA } };
  return completeDocument(document);
};

/**
 * OpenAPI for the service: UI at `/docs`, the document at `/docs-json`. A DTO swagger cannot
 * describe costs the docs, not the service: it is logged and the service runs without them.
 */
export const setUpOpenApi = (app: INestApplication, service: string): boolean => {
  try {
    SwaggerModule.setup('docs', app, buildDocument(app, service), { jsonDocumentUrl: 'docs-json' });
    return true;
  } catch (error) {
    new Logger('OpenApi').error({ err: error }, `no /docs: the OpenAPI document could not be built: ${(error as Error).message}`);
    return false;
  }
};
