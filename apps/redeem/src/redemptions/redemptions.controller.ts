import { Body, Controller, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ReplyLike, RequestLike, Roles, assertCallerMayActFor, callerMayActFor } from '@tally/platform';
import { ChallengeResult } from '../challenges/challenge.dto';
import { RedemptionIdParams } from '../shared/id.params';
import { RedeemRequest, RedemptionResult, ReverseResult } from './redemption.dto';
import { RedemptionsService } from './redemptions.service';

@ApiTags('redemptions')
@ApiBearerAuth()
@Controller('redemptions')
export class RedemptionsController {
  constructor(private readonly redemptions: RedemptionsService) {}

  @Post()
  @Roles('store')
  @ApiOperation({ summary: 'Spend points (a cash deduction or a catalog reward); idempotent on redemptionId' })
  @ApiCreatedResponse({ type: RedemptionResult, description: 'Redeemed' })
  @ApiOkResponse({ type: RedemptionResult, description: 'A retry with the same body: the first result, nothing spent again' })
  @ApiAcceptedResponse({
    type: ChallengeResult,
    description:
      'At or above the program’s step-up threshold: the points are held and a one-time code is sent to the member; confirm with POST /challenges/{challengeId}/confirm',
  })
  @ApiConflictResponse({ description: '`idempotency_conflict`: the redemptionId was used with another body' })
  @ApiUnprocessableEntityResponse({ description: '`insufficient_points` with `available`, or another business refusal' })
  async redeem(
    @Body() body: RedeemRequest,
    @Req() request: RequestLike,
    @Res({ passthrough: true }) response: ReplyLike,
  ): Promise<RedemptionResult | ChallengeResult> {
    assertCallerMayActFor(request, body.storeId);
    if (await this.redemptions.needsChallenge(body)) {
      response.status(HttpStatus.ACCEPTED);
      return this.redemptions.challenge(body);
    }
    const reply = await this.redemptions.redeem(body);
    if (reply.replayed) response.status(HttpStatus.OK);
    return reply.body;
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
