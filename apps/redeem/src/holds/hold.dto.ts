import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN, IsId } from '@tally/contracts';
import { MayBeAbsent } from '@tally/platform';
import { IsInt, Max, Min } from 'class-validator';
import { LotPortionView, MAX_POINTS } from '../redemptions/redemption.dto';

/** The longest a hold may reserve points: a checkout, not a layaway. */
export const MAX_TTL_SECONDS = 30 * 24 * 3600;

export class HoldRequest {
  @ApiProperty({ pattern: ID_PATTERN.source, example: 'order-555-hold', description: 'The idempotency key: unique per hold' })
  @IsId()
  holdId: string;

  @ApiProperty({ pattern: ID_PATTERN.source, example: 'm-1001' })
  @IsId()
  memberId: string;

  @ApiProperty({ minimum: 1, example: 500 })
  @Max(MAX_POINTS)
  @Min(1)
  @IsInt()
  points: number;

  @ApiProperty({ pattern: ID_PATTERN.source, example: 'sh-07' })
  @IsId()
  storeId: string;

  @ApiProperty({ minimum: 1, maximum: MAX_TTL_SECONDS, example: 900, description: 'An unresolved hold is released this long after it was placed' })
  @Max(MAX_TTL_SECONDS)
  @Min(1)
  @IsInt()
  ttlSeconds: number;
}

export class CaptureRequest {
  @ApiPropertyOptional({ minimum: 1, description: 'Fewer points than held captures part and releases the rest; absent (not null) captures the whole hold' })
  @MayBeAbsent()
  @Max(MAX_POINTS)
  @Min(1)
  @IsInt()
  points?: number;
}

export class HoldResult {
  @ApiProperty() holdId: string;
  @ApiProperty() memberId: string;
  @ApiProperty() points: number;
  @ApiProperty() storeId: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ description: "The member's available points once the hold is placed" }) available: number;
  @ApiProperty({ type: [LotPortionView] }) fromLots: LotPortionView[];
}

export class CaptureResult {
  @ApiProperty() holdId: string;
  @ApiProperty() memberId: string;
  @ApiProperty({ description: 'Points spent' }) captured: number;
  @ApiProperty({ description: 'Points of the hold given back at once' }) released: number;
  @ApiProperty({ type: [LotPortionView] }) fromLots: LotPortionView[];
  @ApiProperty() available: number;
}

export class ReleaseResult {
  @ApiProperty() holdId: string;
  @ApiProperty() memberId: string;
  @ApiProperty({ description: 'Points given back' }) released: number;
  @ApiProperty() available: number;
}
