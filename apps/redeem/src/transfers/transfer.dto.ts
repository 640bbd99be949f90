import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN, IsId, isStorableText } from '@tally/contracts';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { MAX_POINTS } from '../redemptions/redemption.dto';

const IsStorable = () =>
  ValidateBy({ name: 'isStorable', validator: { validate: (v: unknown) => typeof v === 'string' && isStorableText(v), defaultMessage: () => '$property holds NUL or a lone surrogate' } });

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
  @IsOptional()
  @IsStorable()
  @MaxLength(200)
  @IsString()
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
  @IsOptional()
  @IsStorable()
  @MaxLength(500)
  @IsString()
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
