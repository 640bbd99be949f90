import { Body, Controller, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ReplyLike, RequestLike, Roles, assertCallerMayActFor, callerMayActFor } from '@tally/platform';
import { ChallengeResult } from '../challenges/challenge.dto';
import { RedemptionIdParams } from '../shared/id.params';
import { RedeemRequest, RedemptionResult, ReverseResult } from './redemption.dto';
import { RedemptionsService } from './redemptions.service';
import { IdempotentCreationResponses, answered } from '../shared/idempotent-responses';

@ApiTags('redemptions')
@ApiBearerAuth()
@Controller('redemptions')
export class RedemptionsController {
  constructor(private readonly redemptions: RedemptionsService) {}

  @Post()
  @Roles('store')
  @ApiOperation({ summary: 'Spend points (a cash deduction or a catalog reward); idempotent on redemptionId' })
  @IdempotentCreationResponses({
    type: RedemptionResult,
    idField: 'redemptionId',
    created: 'Redeemed',
    retry: 'nothing spent again',
    stepUp: ' to the member',
  })
  @ApiUnprocessableEntityResponse({ description: '`insufficient_points` with `available`, or another business refusal' })
  async redeem(
    @Body() body: RedeemRequest,
    @Req() request: RequestLike,
    @Res({ passthrough: true }) response: ReplyLike,
  ): Promise<RedemptionResult | ChallengeResult> {
    assertCallerMayActFor(request, body.storeId);
    if (await this.redemptions.needsChallenge(body)) return answered(response, { kind: 'challenge', body: await this.redemptions.challenge(body) });
    return answered(response, await this.redemptions.redeem(body));
  }

  @Post(':redemptionId/reverse')
  @Roles('store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Put a redemption’s points back into their lots (ops, or the store that redeemed); idempotent' })
  @ApiOkResponse({ type: ReverseResult, description: 'Reversed, or a retry: the first result, nothing put back twice' })
  @ApiNotFoundResponse({ description: '`redemption_not_found`: never made, refused, or another store’s' })
  async reverse(@Param() params: RedemptionIdParams, @Req() request: RequestLike): Promise<ReverseResult> {
    const redemption = await this.redemptions.find(params.redemptionId, (storeId) => callerMayActFor(request, storeId));
    return (await this.redemptions.reverse(redemption)).body;
  }
}
