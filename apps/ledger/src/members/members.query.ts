import { Type } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';

export class BalanceQuery {
  @ApiPropertyOptional({ description: 'ISO-8601 instant: the balance that was visible then' })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;
}

export class EventsQuery {
  @ApiPropertyOptional({ description: 'Return events after this position', default: '0' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be a position (a non-negative integer)' })
  after: string = '0';

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;
}
