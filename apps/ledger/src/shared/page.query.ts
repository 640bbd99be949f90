import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';

/** At most `limit` items, for every list. */
export class LimitQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;
}

/** Keyset paging shared by the lists that grow: `after` the last id or position seen. */
export class PageQuery extends LimitQuery {
  @ApiPropertyOptional({ default: '0' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be a non-negative integer' })
  after: string = '0';
}
