import { IsISO8601, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class EvaluateBody {
  @ApiPropertyOptional({ description: 'ISO-8601 instant to evaluate at; defaults to now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;
}

export class TierFloorBody {
  @ApiProperty({ example: 'gold' })
  @MaxLength(64)
  @IsNotEmpty()
  @IsString()
  tier!: string;

  @ApiProperty({ example: 'VIP complaint resolution' })
  @MaxLength(500)
  @IsNotEmpty()
  @IsString()
  reason!: string;
}
