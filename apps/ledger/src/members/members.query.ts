import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInstant, MayBeAbsent } from '@tally/platform';
import { PageQuery } from '../shared/page.query';

export class BalanceQuery {
  @ApiPropertyOptional({ description: 'ISO-8601 instant: the balance that was visible then' })
  @MayBeAbsent()
  @IsInstant()
  asOf?: string;
}

/** Events after a position, at most `limit` (<= 500). */
export class EventsQuery extends PageQuery {}
