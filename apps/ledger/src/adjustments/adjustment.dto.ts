import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN, IsId } from '@tally/contracts';
import { MayBeAbsent } from '@tally/platform';
import { IsBoolean, IsInt, IsNotEmpty, IsString, Max, MaxLength, Min, NotEquals } from 'class-validator';

/** Large enough for any correction, small enough that balances stay exact integers. */
export const MAX_ADJUSTMENT = 1_000_000_000;

export class AdjustmentRequest {
  @ApiProperty({ pattern: ID_PATTERN.source, example: 'ticket-4711', description: 'The idempotency key: chosen by the caller, unique per adjustment' })
  @IsId()
  adjustmentId: string;

  @ApiProperty({ example: -200, description: 'Points to add (positive) or take (negative); never zero' })
  @NotEquals(0)
  @Max(MAX_ADJUSTMENT)
  @Min(-MAX_ADJUSTMENT)
  @IsInt()
  points: number;

  @ApiProperty({ example: 'goodwill', description: 'Why, as a short code or phrase ops reports group by' })
  @MaxLength(200)
  @IsNotEmpty()
  @IsString()
  reason: string;

  @ApiPropertyOptional({ example: 'complaint 2026-12-01, approved by J. Wang' })
  @MayBeAbsent()
  @MaxLength(1000)
  @IsString()
  note?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'A negative adjustment larger than `available` is refused (422 insufficient_points) unless this books the rest as debt',
  })
  @MayBeAbsent()
  @IsBoolean()
  debt?: boolean;
}

export class AdjustmentResult {
  @ApiProperty() adjustmentId: string;
  @ApiProperty() memberId: string;
  @ApiProperty() points: number;
  @ApiProperty() reason: string;
  @ApiPropertyOptional() note?: string;
  @ApiProperty({ description: 'Who adjusted: the role of the token and a digest of it, never the token' }) actor: string;
  @ApiProperty({ description: "The member's available points once the adjustment is applied" }) available: number;
  @ApiProperty({ description: 'Points booked as debt (only with `debt: true`)' }) debt: number;
  @ApiProperty({ description: 'The ledger version of the points.adjusted event' }) version: number;
}
