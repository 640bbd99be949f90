import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { BaseConfig, toInteger } from './base.config';

/** The variables of a service that consumes topics (earn, tier), on top of the shared ones. */
export class ConsumerConfig extends BaseConfig {
  /**
   * Seconds a partition of the service's consumer may go without its committed offset moving
   * while messages wait, before `/health` reports the consumer down.
   */
  @Transform(toInteger)
  @Max(86_400)
  @Min(1)
  @IsInt()
  TALLY_CONSUMER_STALL_SECONDS = 60;
}
