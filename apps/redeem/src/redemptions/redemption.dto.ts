import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN, IsId } from '@tally/contracts';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';

export const MAX_POINTS = Number.MAX_SAFE_INTEGER;

export class RedeemRequest {
  @ApiProperty({ pattern: ID_PATTERN.source, example: 'pos-7-r-000123', description: 'The idempotency key: chosen by the caller, unique per redemption' })
  @IsId()
  redemptionId: string;

  @ApiProperty({ pattern: ID_PATTERN.source, example: 'm-1001' })
  @IsId()
  memberId: string;

  @ApiPropertyOptional({
    minimum: 1,
    example: 500,
    description: 'Points to spend; required for a cash deduction, defaults to the price for a catalog reward (and must equal it when given)',
  })
  @ValidateIf((request: RedeemRequest) => request.rewardId === undefined || request.points !== undefined)
  @Max(MAX_POINTS)
  @Min(1)
  @IsInt()
  points?: number;

  @ApiProperty({ pattern: ID_PATTERN.source, example: 'sh-07' })
  @IsId()
  storeId: string;

  @ApiPropertyOptional({ pattern: ID_PATTERN.source, description: 'A reward of the program catalog' })
  @ValidateIf((request: RedeemRequest) => request.rewardId !== undefined)
  @IsId()
  rewardId?: string;
}

export class LotPortionView {
  @ApiProperty() lotId: string;
  @ApiProperty() points: number;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

export class RedemptionResult {
  @ApiProperty() redemptionId: string;
  @ApiProperty() memberId: string;
  @ApiProperty() points: number;
  @ApiProperty({ description: "The member's available points once the redemption is applied" }) available: number;
  @ApiProperty({ type: [LotPortionView], description: 'The lots spent, soonest-expiring first' }) fromLots: LotPortionView[];
  @ApiProperty({ description: 'The cash value of the points at the program rate, in minor units' }) valueMinor: number;
  @ApiProperty({ example: 'CNY' }) currency: string;
  @ApiPropertyOptional() rewardId?: string;
}

export class ReverseResult {
  @ApiProperty() redemptionId: string;
  @ApiProperty() memberId: string;
  @ApiProperty({ description: 'The points put back' }) points: number;
  @ApiProperty({ type: [LotPortionView], description: 'The lots the points went back to, with their original expiry' }) toLots: LotPortionView[];
  @ApiProperty() available: number;
}
