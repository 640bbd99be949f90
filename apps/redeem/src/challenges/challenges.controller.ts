import { Body, Controller, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { AppError, ReplyLike, RequestLike, Roles, callerMayActFor, callerOf } from '@tally/platform';
import { RedemptionResult } from '../redemptions/redemption.dto';
import { RedemptionsService } from '../redemptions/redemptions.service';
import { Reply } from '../shared/idempotent-ledger';
import { TransferResult } from '../transfers/transfer.dto';
import { TransfersService } from '../transfers/transfers.service';
import { ChallengeRow } from './challenge.repository';
import { ChallengeIdParams, ConfirmRequest } from './challenge.dto';
import { StepUp } from './step-up.service';
import { answered } from '../shared/idempotent-responses';

const MADE = { oneOf: [{ $ref: getSchemaPath(TransferResult) }, { $ref: getSchemaPath(RedemptionResult) }] };

/**
 * Who may confirm: a transfer's challenge, the app or ops; a redemption's, also the store that asked
 * for it. Anyone else gets the same 404 as for no challenge, so challenge ids tell nothing.
 */
const mayConfirm = (request: RequestLike, challenge: ChallengeRow): boolean => {
  const kind = callerOf(request)?.kind;
  if (kind === 'app' || kind === 'ops') return true;
  return challenge.purpose === 'redemption' && callerMayActFor(request, String(challenge.request.storeId));
};

@ApiTags('challenges')
@ApiBearerAuth()
@ApiExtraModels(TransferResult, RedemptionResult)
@Controller('challenges')
export class ChallengesController {
  constructor(
    private readonly stepUp: StepUp,
    private readonly transfers: TransfersService,
    private readonly redemptions: RedemptionsService,
  ) {}

  @Post(':challengeId/confirm')
  @Roles('app', 'store')
  @ApiOperation({ summary: 'Confirm a step-up challenge with the one-time code sent to the member: the transfer or redemption is made' })
  @ApiCreatedResponse({ schema: MADE, description: 'The right code: the request is made from the held points' })
  @ApiOkResponse({ schema: MADE, description: 'The right code again: the first result' })
  @ApiUnprocessableEntityResponse({ description: '`wrong_code` with `attemptsLeft`, or a refusal of the request itself' })
  @ApiTooManyRequestsResponse({ description: '`too_many_attempts`: the challenge is closed and its points released' })
  @ApiGoneResponse({ description: '`challenge_expired`: its points are (or are about to be) released' })
  @ApiConflictResponse({ description: '`challenge_closed`' })
  @ApiNotFoundResponse({ description: '`challenge_not_found`' })
  async confirm(
    @Param() params: ChallengeIdParams,
    @Body() body: ConfirmRequest,
    @Req() request: RequestLike,
    @Res({ passthrough: true }) response: ReplyLike,
  ): Promise<TransferResult | RedemptionResult> {
    const challenge = await this.stepUp.find(params.challengeId);
    if (!mayConfirm(request, challenge)) {
      throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'challenge_not_found', message: `no challenge ${params.challengeId}` });
    }
    const reply: Reply<TransferResult | RedemptionResult> =
      challenge.purpose === 'redemption'
        ? await this.stepUp.confirm(challenge, body.code, this.redemptions.completion)
        : await this.stepUp.confirm(challenge, body.code, this.transfers.completion);
    return answered(response, reply);
  }
}
