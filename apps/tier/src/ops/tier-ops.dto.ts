import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInstant, MayBeAbsent } from '@tally/platform';

export class EvaluateBody {
  @ApiPropertyOptional({ description: 'ISO-8601 instant to evaluate at; defaults to now' })
  @MayBeAbsent()
  @IsInstant()
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
