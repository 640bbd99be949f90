import { IsString, Matches } from 'class-validator';
import { ConsumerConfig } from '@tally/platform';

export class EarnConfig extends ConsumerConfig {
  /** The consumer group of the input topics; a new group re-reads every topic from the start. */
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,100}$/, { message: 'TALLY_EARN_GROUP_ID may only contain [A-Za-z0-9._-]' })
  TALLY_EARN_GROUP_ID: string = 'tally-earn';
}
