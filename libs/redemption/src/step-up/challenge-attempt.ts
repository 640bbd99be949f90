import { Refusal, refuse } from '../shared/decision';

/** A challenge as the rules see it: when it ends, how many wrong codes it has had, whether it is over. */
export interface ChallengeView {
  memberId: string;
  expiresAt: string;
  attempts: number;
  state: 'open' | 'confirmed' | 'failed';
}

/** Details: `attemptsLeft` (wrong code). */
export type AttemptRefusal = Refusal<'CHALLENGE_EXPIRED'> | Refusal<'CHALLENGE_CLOSED'> | Refusal<'WRONG_CODE'> | Refusal<'TOO_MANY_ATTEMPTS'>;

/**
 * Judges one confirmation: a wrong code counts against `maxAttempts` (the last one closes the
 * challenge); a challenge past its end or closed takes no code at all. `codeMatches` is the
 * service's comparison of the code's hash with the stored one. Undefined when the code confirms.
 */
export const judgeAttempt = (challenge: ChallengeView, codeMatches: boolean, now: string, maxAttempts: number): AttemptRefusal | undefined => {
  const { memberId } = challenge;
  if (challenge.state !== 'open') return refuse(memberId, 'CHALLENGE_CLOSED', `the challenge is ${challenge.state}`);
  if (Date.parse(now) >= Date.parse(challenge.expiresAt)) return refuse(memberId, 'CHALLENGE_EXPIRED', `the challenge expired at ${challenge.expiresAt}`);
  if (codeMatches) return undefined;
  const attemptsLeft = maxAttempts - challenge.attempts - 1;
  if (attemptsLeft <= 0) return refuse(memberId, 'TOO_MANY_ATTEMPTS', `${maxAttempts} wrong codes: the challenge is closed`);
  return refuse(memberId, 'WRONG_CODE', `wrong code, ${attemptsLeft} attempts left`, { attemptsLeft });
};
