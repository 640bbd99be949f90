import { Body, Controller, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { TRANSFER_REFUSAL_CODES } from '@tally/contracts';
import { ReplyLike, RequestLike, Roles, callerOf, describeRole } from '@tally/platform';
import { ChallengeResult } from '../challenges/challenge.dto';
import { ReverseTransferRequest, ReverseTransferResult, TransferIdParams, TransferRequest, TransferResult } from './transfer.dto';
import { TransfersService } from './transfers.service';

@ApiTags('transfers')
@ApiBearerAuth()
@Controller('transfers')
export class TransfersController {
  constructor(private readonly transfers: TransfersService) {}

  @Post()
  @Roles('app')
  @ApiOperation({ summary: 'Share points with another member (积分分享); roles app and ops; idempotent on transferId' })
  @ApiCreatedResponse({ type: TransferResult, description: 'Transferred: the recipient’s lots keep their expiry' })
  @ApiOkResponse({ type: TransferResult, description: 'A retry with the same body: the first result, nothing moved twice' })
  @ApiAcceptedResponse({
    type: ChallengeResult,
    description:
      'At or above the program’s step-up threshold: the points are held and a one-time code is sent; confirm with POST /challenges/{challengeId}/confirm',
  })
  @ApiConflictResponse({ description: '`idempotency_conflict`: the transferId was used with another body' })
  @ApiUnprocessableEntityResponse({ description: `A refusal: ${TRANSFER_REFUSAL_CODES.map((c) => `\`${c.toLowerCase()}\``).join(', ')}` })
  async transfer(@Body() body: TransferRequest, @Res({ passthrough: true }) response: ReplyLike): Promise<TransferResult | ChallengeResult> {
    const outcome = await this.transfers.transfer(body);
    if (outcome.kind === 'challenge') response.status(HttpStatus.ACCEPTED);
    else if (outcome.replayed) response.status(HttpStatus.OK);
    return outcome.body;
  }

  @Post(':transferId/reverse')
  @Roles('ops')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Undo a transfer as a new event on both members (ops only); idempotent' })
  @ApiOkResponse({ type: ReverseTransferResult })
  @ApiNotFoundResponse({ description: '`transfer_not_found`: never made, or refused' })
  async reverse(@Param() params: TransferIdParams, @Body() body: ReverseTransferRequest, @Req() request: RequestLike): Promise<ReverseTransferResult> {
    const transfer = await this.transfers.find(params.transferId);
    const caller = callerOf(request);
    return (await this.transfers.reverse(transfer, caller ? describeRole(caller) : 'ops', body.note)).body;
  }
}
