import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { ConsumerConfig, toInteger } from '@tally/platform';

/** The ledger app's variables, on top of those of a consuming service (it follows the ledger topic for analytics). */
export class LedgerConfig extends ConsumerConfig {
  /**
   * Days an import job's staged rows and per-row results are kept after it finished: its results
   * can be downloaded until then; the job itself and its summary stay.
   */
  @Transform(toInteger)
  @Max(3650)
  @Min(1)
  @IsInt()
  TALLY_IMPORT_RETENTION_DAYS = 30;
}

export const IMPORT_RETENTION_DAYS = Symbol('IMPORT_RETENTION_DAYS');

/** The retention a config sets; the default for a config of a consuming service only (some tests start the app so). */
export const importRetentionDays = (config: ConsumerConfig): number =>
  config instanceof LedgerConfig ? config.TALLY_IMPORT_RETENTION_DAYS : new LedgerConfig().TALLY_IMPORT_RETENTION_DAYS;
