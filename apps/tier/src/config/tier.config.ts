import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { ConsumerConfig, toInteger } from '@tally/platform';

/** The tier service's variables on top of the shared ones. */
export class TierConfig extends ConsumerConfig {
  /** UTC hour from which the daily evaluation runs (once per UTC day). */
  @Transform(toInteger)
  @Max(23)
  @Min(0)
  @IsInt()
  TALLY_TIER_EVALUATION_HOUR = 2;

  /** `off` leaves the daily evaluation to `POST /ops/tier/evaluate` (tests drive the clock that way). */
  @IsIn(['on', 'off'])
  TALLY_TIER_DAILY_EVALUATION: 'on' | 'off' = 'on';
}
