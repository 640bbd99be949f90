import { Body, Controller, HttpCode, HttpStatus, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isId } from '@tally/contracts';
import { AppError, RequestLike, Roles, S, callerOf, describeRole, objectSchema } from '@tally/platform';
import { TierService } from '../tiers/tier.service';
import { EvaluateBody, TierFloorBody } from './tier-ops.dto';

@ApiTags('ops')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops')
export class TierOpsController {
  constructor(private readonly tiers: TierService) {}

  @Post('tier/evaluate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the daily tier evaluation now (or as of a given instant)' })
  @ApiOkResponse({
    schema: objectSchema(
      {
        asOf: S.instant,
        day: S.string,
        membersEvaluated: S.integer,
        upgraded: S.integer,
        downgraded: S.integer,
        protected: S.integer,
        alreadyEvaluated: S.integer,
      },
      { asOf: '2026-11-24T02:00:00.000Z', day: '2026-11-24', membersEvaluated: 5, upgraded: 0, downgraded: 1, protected: 1, alreadyEvaluated: 0 },
    ),
    description: 'What the evaluation did',
  })
  evaluate(@Body() body: EvaluateBody) {
    return this.tiers.evaluateDaily(body.asOf);
  }

  @Post('members/:memberId/tier')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a tier floor: raises the member at once if below it; the daily evaluation never goes under it' })
  @ApiOkResponse({
    schema: objectSchema(
      { memberId: S.string, from: S.string, tier: S.string, floor: S.string, changed: S.boolean },
      { memberId: 'm-1001', from: 'silver', tier: 'gold', floor: 'gold', changed: true },
    ),
    description: "The member's tier and floor",
  })
  setFloor(@Param('memberId') memberId: string, @Body() body: TierFloorBody, @Req() request: RequestLike) {
    if (!isId(memberId)) {
      throw new AppError({ status: HttpStatus.BAD_REQUEST, error: 'invalid_request', message: 'memberId must be 1-64 characters of [A-Za-z0-9._:-]' });
    }
    const caller = callerOf(request);
    return this.tiers.setFloor(memberId, body.tier, body.reason, caller ? describeRole(caller) : 'ops');
  }
}
