import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN } from '@tally/contracts';

export class PageQuery {
  @ApiPropertyOptional({ default: '0' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be a non-negative integer' })
  after: string = '0';

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;
}

export class RejectionsQuery extends PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'memberId must be 1-64 characters of [A-Za-z0-9._:-]' })
  memberId?: string;
}

export class ReplayBody {
  @ApiPropertyOptional({ description: 'Swap the rebuilt projections in', default: false })
  @IsOptional()
  @IsBoolean()
  swap: boolean = false;
}
