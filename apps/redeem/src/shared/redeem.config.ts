import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { BaseConfig, toInteger } from '@tally/platform';

/** The redeem service's environment: the shared variables plus its own. */
export class RedeemConfig extends BaseConfig {
  /** How often open holds past their ttl are released; 0 turns the job off (another instance runs it). */
  @Transform(toInteger)
  @Max(3_600_000)
  @Min(0)
  @IsInt()
  TALLY_HOLD_EXPIRY_INTERVAL_MS = 5_000;
}
