import { Body, Controller, HttpStatus, Param, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ReplyLike, Roles } from '@tally/platform';
import { TransferResult } from '../transfers/transfer.dto';
import { ChallengeIdParams, ConfirmRequest } from './challenge.dto';
import { StepUp } from './step-up.service';

@ApiTags('transfers')
@ApiBearerAuth()
@Controller('challenges')
export class ChallengesController {
  constructor(private readonly stepUp: StepUp) {}

  @Post(':challengeId/confirm')
  @Roles('app')
  @ApiOperation({ summary: 'Confirm a step-up challenge with the one-time code sent to the member: the transfer is made' })
  @ApiCreatedResponse({ type: TransferResult, description: 'The right code: the transfer is made from the held points' })
  @ApiOkResponse({ type: TransferResult, description: 'The right code again: the first result' })
  @ApiUnprocessableEntityResponse({ description: '`wrong_code` with `attemptsLeft`, or a refusal of the transfer itself' })
  @ApiTooManyRequestsResponse({ description: '`too_many_attempts`: the challenge is closed and its points released' })
  @ApiGoneResponse({ description: '`challenge_expired`: its points are (or are about to be) released' })
  @ApiConflictResponse({ description: '`challenge_closed`' })
  @ApiNotFoundResponse({ description: '`challenge_not_found`' })
  async confirm(@Param() params: ChallengeIdParams, @Body() body: ConfirmRequest, @Res({ passthrough: true }) response: ReplyLike): Promise<TransferResult> {
    const reply = await this.stepUp.confirm(params.challengeId, body.code);
    if (reply.replayed) response.status(HttpStatus.OK);
    return reply.body;
  }
}
