import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@tally/platform';
import { LAG } from '../shared/responses.openapi';
import { LagReport, LagService } from './lag.service';

@ApiTags('ops')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops/lag')
export class LagController {
  constructor(private readonly lag: LagService) {}

  @Get()
  @ApiOperation({ summary: "Consumer lag per group and partition (the broker's committed offsets against each partition's end) and the outbox relay's lag" })
  @ApiOkResponse({ schema: LAG, description: 'Lag now' })
  async report(): Promise<LagReport> {
    return this.lag.report();
  }
}
