import { Body, Controller, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { isId } from '@tally/contracts';
import { AppError, ReplyLike, RequestLike, Roles } from '@tally/platform';
import { AdjustmentRequest, AdjustmentResult } from './adjustment.dto';
import { AdjustmentsService, actorOfRequest } from './adjustments.service';

@ApiTags('ops')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops/members')
export class AdjustmentsController {
  constructor(private readonly adjustments: AdjustmentsService) {}

  @Post(':memberId/adjustments')
  @ApiOperation({ summary: 'Add or take points by hand (points.adjusted); the actor is the token; idempotent on adjustmentId' })
  @ApiCreatedResponse({ type: AdjustmentResult, description: 'Adjusted' })
  @ApiOkResponse({ type: AdjustmentResult, description: 'A retry with the same body: the first result, nothing moved again' })
  @ApiConflictResponse({ description: '`idempotency_conflict`: the adjustmentId was used with another body' })
  @ApiNotFoundResponse({ description: '`member_not_found`: no event of this member in the ledger' })
  @ApiUnprocessableEntityResponse({ description: '`insufficient_points` with `available`: would leave available below zero without `debt: true`' })
  async adjust(
    @Param('memberId') memberId: string,
    @Body() body: AdjustmentRequest,
    @Req() request: RequestLike,
    @Res({ passthrough: true }) response: ReplyLike,
  ): Promise<AdjustmentResult> {
    if (!isId(memberId)) {
      throw new AppError({ status: HttpStatus.BAD_REQUEST, error: 'invalid_request', message: 'memberId must be 1-64 characters of [A-Za-z0-9._:-]' });
    }
    const reply = await this.adjustments.adjust(memberId, body, actorOfRequest(request));
    if (reply.replayed) response.status(HttpStatus.OK);
    return reply.body;
  }
}
