import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { Metrics } from './metrics.service';

type Reply = { header(name: string, value: string): unknown };

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Public()
  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res({ passthrough: true }) response: Reply): Promise<string> {
    const { contentType, body } = await this.metrics.render();
    response.header('Content-Type', contentType);
    return body;
  }
}
