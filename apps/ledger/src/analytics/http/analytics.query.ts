import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { ID_PATTERN } from '@tally/contracts';
import { DigitsToNumber, IsIntegerFrom, MayBeAbsent } from '@tally/platform';
import { DailyGroup } from '../read/analytics.queries';

const DAY = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
const DAY_MESSAGE = 'must be a day written YYYY-MM-DD';

/** A span of business days (programme time zone), by default the 30 days up to today. */
export class AnalyticsRangeQuery {
  @ApiPropertyOptional({ description: 'First business day (YYYY-MM-DD, programme time zone); default 29 days before `to`' })
  @MayBeAbsent()
  @Matches(DAY, { message: `from ${DAY_MESSAGE}` })
  from?: string;

  @ApiPropertyOptional({ description: 'Last business day, included; default today' })
  @MayBeAbsent()
  @Matches(DAY, { message: `to ${DAY_MESSAGE}` })
  to?: string;

  @ApiPropertyOptional({ description: 'One store only; a store token always sees its own store only' })
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'storeId must be 1-64 characters of [A-Za-z0-9._:-]' })
  storeId?: string;
}

export class DailyQuery extends AnalyticsRangeQuery {
  @ApiPropertyOptional({ enum: ['day', 'store', 'channel', 'reason'], default: 'day', description: 'Rows per day, or per day and store, channel or reason' })
  @MayBeAbsent()
  @IsIn(['day', 'store', 'channel', 'reason'], { message: 'groupBy must be one of day, store, channel, reason' })
  groupBy: DailyGroup = 'day';
}

export class LeaderboardQuery {
  @ApiPropertyOptional({
    description: 'The period: a day YYYY-MM-DD, a week YYYY-Www, a month YYYY-MM, or a campaign id; default the current one (a campaign needs it)',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'key must be 1-64 characters of [A-Za-z0-9._:-]' })
  key?: string;

  @ApiPropertyOptional({ description: "One store's ranking; the whole programme's when absent (a store token: its own store by default)" })
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'storeId must be 1-64 characters of [A-Za-z0-9._:-]' })
  storeId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 10 })
  @MayBeAbsent()
  @DigitsToNumber()
  @IsIntegerFrom(1, 500)
  limit: number = 10;
}
