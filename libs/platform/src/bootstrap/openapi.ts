import { INestApplication, Logger } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const BEARER = 'bearer';

const buildDocument = (app: INestApplication, service: string) =>
  SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Tally ${service}`)
      .setDescription(`The ${service} service of Tally, an event-sourced loyalty points ledger.`)
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'a token from TALLY_API_TOKENS' }, BEARER)
      .addSecurityRequirements(BEARER)
      .build(),
  );

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
