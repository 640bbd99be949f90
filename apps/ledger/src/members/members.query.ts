import { IsISO8601, IsOptional } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '../shared/page.query';

export class BalanceQuery {
  @ApiPropertyOptional({ description: 'ISO-8601 instant: the balance that was visible then' })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;
}

/** Events after a position, at most `limit` (<= 500). */
export class EventsQuery extends PageQuery {}
