import { Body, Controller, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { TRANSFER_REFUSAL_CODES } from '@tally/contracts';
import { ReplyLike, RequestLike, Roles, callerOf, describeRole } from '@tally/platform';
import { ChallengeResult } from '../challenges/challenge.dto';
import { ReverseTransferRequest, ReverseTransferResult, TransferIdParams, TransferRequest, TransferResult } from './transfer.dto';
import { TransfersService } from './transfers.service';
import { IdempotentCreationResponses, answered } from '../shared/idempotent-responses';

@ApiTags('transfers')
@ApiBearerAuth()
@Controller('transfers')
export class TransfersController {
  constructor(private readonly transfers: TransfersService) {}

  @Post()
  @Roles('app')
  @ApiOperation({ summary: 'Share points with another member (积分分享); roles app and ops; idempotent on transferId' })
  @IdempotentCreationResponses({
    type: TransferResult,
    idField: 'transferId',
    created: 'Transferred: the recipient’s lots keep their expiry',
    retry: 'nothing moved twice',
    stepUp: '',
  })
  @ApiUnprocessableEntityResponse({ description: `A refusal: ${TRANSFER_REFUSAL_CODES.map((c) => `\`${c.toLowerCase()}\``).join(', ')}` })
  async transfer(@Body() body: TransferRequest, @Res({ passthrough: true }) response: ReplyLike): Promise<TransferResult | ChallengeResult> {
    return answered(response, await this.transfers.transfer(body));
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
