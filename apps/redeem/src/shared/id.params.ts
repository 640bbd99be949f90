import { ApiProperty } from '@nestjs/swagger';
import { ID_PATTERN, IsId } from '@tally/contracts';

export class RedemptionIdParams {
  @ApiProperty({ pattern: ID_PATTERN.source, example: 'pos-7-r-000123' })
  @IsId()
  redemptionId: string;
}

export class HoldIdParams {
  @ApiProperty({ pattern: ID_PATTERN.source, example: 'order-555-hold' })
  @IsId()
  holdId: string;
}
