import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInstant, MayBeAbsent, Roles, S, objectSchema } from '@tally/platform';
import { ExpirySweep } from '../sweep/expiry.sweep';

export class RunSweepBody {
  @ApiPropertyOptional({ description: 'ISO-8601 instant the sweep runs as of; defaults to now' })
  @MayBeAbsent()
  @IsInstant()
  asOf?: string;
}

@ApiTags('ops')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops/expiry')
export class ExpiryOpsController {
  constructor(private readonly sweep: ExpirySweep) {}

  @Post('run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the expiry sweep now: {lotsExpired, pointsExpired, pointsReleased, remindersSent}' })
  @ApiOkResponse({
    schema: objectSchema(
      { lotsExpired: S.integer, pointsExpired: S.integer, pointsReleased: S.integer, remindersSent: S.integer },
      { lotsExpired: 3, pointsExpired: 420, pointsReleased: 0, remindersSent: 2 },
    ),
    description: 'What the sweep did',
  })
  run(@Body() body: RunSweepBody) {
    return this.sweep.run(body.asOf);
  }
}
