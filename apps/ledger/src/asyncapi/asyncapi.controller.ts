import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OUTPUT_SCHEMAS, asyncApiDocument, inputSchemaDocuments } from '@tally/contracts';
import { Public } from '@tally/platform';
import { renderAsyncApiPage } from './asyncapi.page';

/** The AsyncAPI document of every topic, for producers and consumers: public, like the contract it shows. */
@ApiExcludeController()
@Public()
@Controller()
export class AsyncApiController {
  private readonly document = asyncApiDocument({ ...inputSchemaDocuments(), ...OUTPUT_SCHEMAS });
  private readonly page = renderAsyncApiPage(this.document);

  @Get('asyncapi.json')
  json() {
    return this.document;
  }

  @Get('asyncapi')
  @Header('content-type', 'text/html; charset=utf-8')
  html() {
    return this.page;
  }
}
