import { HttpStatus, Type, applyDecorators } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import { ReplyLike } from '@tally/platform';
import { ChallengeResult } from '../challenges/challenge.dto';
import { Reply } from './idempotent-ledger';

/** What a step-up request answers: a challenge to confirm instead of the effect. */
export interface ChallengeReply {
  kind: 'challenge';
  body: ChallengeResult;
}

/**
 * The responses of a POST that creates something once per client-chosen id: 201 the first time,
 * 200 with the first result on a retry with the same body, 409 when the id comes with another
 * body, and (with step-up) 202 with a challenge when the program asks for a code first.
 */
export const IdempotentCreationResponses = (options: { type: Type<unknown>; idField: string; created?: string; retry: string; stepUp?: string }) =>
  applyDecorators(
    ApiCreatedResponse({ type: options.type, ...(options.created ? { description: options.created } : {}) }),
    ApiOkResponse({ type: options.type, description: `A retry with the same body: the first result, ${options.retry}` }),
    ...(options.stepUp
      ? [
          ApiAcceptedResponse({
            type: ChallengeResult,
            description: `At or above the program’s step-up threshold: the points are held and a one-time code is sent${options.stepUp}; confirm with POST /challenges/{challengeId}/confirm`,
          }),
        ]
      : []),
    ApiConflictResponse({ description: `\`idempotency_conflict\`: the ${options.idField} was used with another body` }),
  );

/** Sets the status a reply stands for (202 a challenge, 200 a retry's first result, else the route's 201) and gives its body. */
export function answered<B>(response: ReplyLike, reply: Reply<B>): B;
export function answered<B>(response: ReplyLike, reply: Reply<B> | ChallengeReply): B | ChallengeResult;
export function answered<B>(response: ReplyLike, reply: Reply<B> | ChallengeReply): B | ChallengeResult {
  if ('kind' in reply && reply.kind === 'challenge') response.status(HttpStatus.ACCEPTED);
  else if ((reply as Reply<B>).replayed) response.status(HttpStatus.OK);
  return reply.body;
}
