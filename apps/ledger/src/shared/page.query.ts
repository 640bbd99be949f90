import { ApiPropertyOptional } from '@nestjs/swagger';
import { DigitsToNumber, IsIntegerFrom, IsPosition, MAX_POSITION, MayBeAbsent } from '@tally/platform';

/** At most `limit` items, for every list. */
export class LimitQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @MayBeAbsent()
  @DigitsToNumber()
  @IsIntegerFrom(1, 500)
  limit: number = 100;
}

/** Keyset paging shared by the lists that grow: `after` the last id or position seen. */
export class PageQuery extends LimitQuery {
  @ApiPropertyOptional({ default: '0', pattern: '^[0-9]{1,19}$', description: `The \`next\` of the previous page: an integer from 0 to ${MAX_POSITION}` })
  @MayBeAbsent()
  @IsPosition()
  after: string = '0';
}
