import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN, IsId, IsNote } from '@tally/contracts';
import { IsInt, Max, Min } from 'class-validator';
import { MAX_POINTS } from '../redemptions/redemption.dto';

export class TransferRequest {
  @ApiProperty({ pattern: ID_PATTERN.source, example: 'app-t-000123', description: 'The idempotency key: chosen by the caller, unique per transfer' })
  @IsId()
  transferId: string;

  @ApiProperty({ pattern: ID_PATTERN.source, example: 'm-1001' })
  @IsId()
  fromMemberId: string;

  @ApiProperty({ pattern: ID_PATTERN.source, example: 'm-2002' })
  @IsId()
  toMemberId: string;

  @ApiProperty({ minimum: 1, example: 300 })
  @Max(MAX_POINTS)
  @Min(1)
  @IsInt()
  points: number;

  @ApiPropertyOptional({ maxLength: 200, example: '生日快乐' })
  @IsNote(200)
  note?: string;
}

export class TransferredLotView {
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty() points: number;
}

export class TransferResult {
  @ApiProperty() transferId: string;
  @ApiProperty() fromMemberId: string;
  @ApiProperty() toMemberId: string;
  @ApiProperty() points: number;
  @ApiProperty({ type: [TransferredLotView], description: 'The lots the recipient received, each keeping its expiry, soonest first' })
  lots: TransferredLotView[];
}

export class ReverseTransferRequest {
  @ApiPropertyOptional({ maxLength: 500 })
  @IsNote(500)
  note?: string;
}

export class ReverseTransferResult {
  @ApiProperty() transferId: string;
  @ApiProperty() fromMemberId: string;
  @ApiProperty() toMemberId: string;
  @ApiProperty({ description: 'The points returned to the sender' }) points: number;
  @ApiProperty({ description: 'What no lot of the recipient covered: it became their debt' }) debt: number;
  @ApiProperty() actor: string;
}

export class TransferIdParams {
  @ApiProperty({ pattern: ID_PATTERN.source, example: 'app-t-000123' })
  @IsId()
  transferId: string;
}
