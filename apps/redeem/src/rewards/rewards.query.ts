import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN, IsId } from '@tally/contracts';

export class RewardsQuery {
  @ApiProperty({ pattern: ID_PATTERN.source, example: 'm-1001' })
  @IsId()
  memberId: string;
}

export class RewardView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Price in points' }) points: number;
  @ApiPropertyOptional() minTier?: string;
  @ApiPropertyOptional({ description: 'Units the program offers in all; unlimited when absent' }) stock?: number;
  @ApiPropertyOptional({ description: 'Units left, for a reward with limited stock' }) remaining?: number;
  @ApiPropertyOptional({ format: 'date-time' }) validFrom?: string;
  @ApiPropertyOptional({ format: 'date-time' }) validTo?: string;
  @ApiProperty({ description: "The member's available points cover the price now (and a unit is left)" }) affordable: boolean;
}

export class RewardsResult {
  @ApiProperty() memberId: string;
  @ApiProperty() tier: string;
  @ApiProperty() available: number;
  @ApiProperty({ type: [RewardView], description: 'The rewards the member may redeem now (tier and validity window fit)' })
  rewards: RewardView[];
}
