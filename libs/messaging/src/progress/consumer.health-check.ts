import { InjectionToken, Provider } from '@nestjs/common';
import { provideHealthCheck } from '@tally/platform';

/** What owns a consumer and can tell what keeps it from progressing (none: it progresses). */
export interface ProgressReporter {
  progressProblems(): string[];
}

/**
 * The `consumer` check of `/health`: down while the consumer crashed for good, or one of its
 * partitions has messages waiting and no commit for the stall time. It answers from the last
 * reading of the group's offsets, so a probe never waits on the broker.
 */
export const consumerHealthCheck = (owner: InjectionToken): Provider =>
  provideHealthCheck(
    'consumer',
    (reporter: ProgressReporter) => ({
      check: async () => {
        const problems = reporter.progressProblems();
        if (problems.length > 0) throw new Error(problems.join('; '));
      },
    }),
    [owner],
  );
