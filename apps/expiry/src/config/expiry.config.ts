import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { BaseConfig, toInteger } from '@tally/platform';

/** The expiry service's variables on top of the shared ones. */
export class ExpiryConfig extends BaseConfig {
  /** Seconds between sweeps; 0 turns the interval off (sweeps then run only by `POST /ops/expiry/run`). */
  @Transform(toInteger)
  @Max(86_400)
  @Min(0)
  @IsInt()
  TALLY_EXPIRY_INTERVAL_SECONDS = 60;
}
