import { Body, Controller, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ReplyLike, RequestLike, Roles, assertCallerMayActFor, callerMayActFor } from '@tally/platform';
import { HoldIdParams } from '../shared/id.params';
import { CaptureRequest, CaptureResult, HoldRequest, HoldResult, ReleaseResult } from './hold.dto';
import { HoldsService } from './holds.service';
import { IdempotentCreationResponses, answered } from '../shared/idempotent-responses';

@ApiTags('holds')
@ApiBearerAuth()
@Controller('holds')
export class HoldsController {
  constructor(private readonly holds: HoldsService) {}

  @Post()
  @Roles('store')
  @ApiOperation({ summary: 'Reserve points at checkout until captured, released or the ttl ends; idempotent on holdId' })
  @IdempotentCreationResponses({ type: HoldResult, idField: 'holdId', retry: 'nothing held twice' })
  @ApiUnprocessableEntityResponse({ description: '`insufficient_points` with `available`' })
  async hold(@Body() body: HoldRequest, @Req() request: RequestLike, @Res({ passthrough: true }) response: ReplyLike): Promise<HoldResult> {
    assertCallerMayActFor(request, body.storeId);
    return answered(response, await this.holds.hold(body));
  }

  @Post(':holdId/capture')
  @Roles('store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Spend a hold, or part of it (the rest is released); a hold resolves once' })
  @ApiOkResponse({ type: CaptureResult })
  @ApiNotFoundResponse({ description: '`hold_not_found`: no such hold, or another store’s' })
  @ApiConflictResponse({ description: '`hold_already_resolved`, `hold_expired` or `idempotency_conflict`' })
  @ApiUnprocessableEntityResponse({ description: '`capture_exceeds_hold`' })
  async capture(@Param() params: HoldIdParams, @Body() body: CaptureRequest, @Req() request: RequestLike): Promise<CaptureResult> {
    const hold = await this.holds.find(params.holdId, (storeId) => callerMayActFor(request, storeId));
    return (await this.holds.capture(hold, body)).body;
  }

  @Post(':holdId/release')
  @Roles('store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Give a hold’s points back; a hold resolves once' })
  @ApiOkResponse({ type: ReleaseResult })
  @ApiNotFoundResponse({ description: '`hold_not_found`: no such hold, or another store’s' })
  @ApiConflictResponse({ description: '`hold_already_resolved`' })
  async release(@Param() params: HoldIdParams, @Req() request: RequestLike): Promise<ReleaseResult> {
    const hold = await this.holds.find(params.holdId, (storeId) => callerMayActFor(request, storeId));
    return (await this.holds.release(hold)).body;
  }
}
