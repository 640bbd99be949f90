import { Type } from 'class-transformer';
import { ArrayMaxSize, Equals, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { IsBusinessTime, IsEventId, IsId, MAX_AMOUNT_MINOR } from './validators';

const CURRENCY = /^[A-Z]{3}$/;

export class PurchaseLine {
  @IsString() @Matches(/^.{1,64}$/) sku!: string;
  @IsOptional() @IsString() @Matches(/^.{1,64}$/) category?: string;
  @IsInt() @Min(1) @Max(1_000_000) quantity!: number;
  @IsInt() @Min(0) @Max(MAX_AMOUNT_MINOR) amountMinor!: number;
}

export class PurchaseCompleted {
  @IsEventId() eventId!: string;
  @Equals('purchase.completed') type!: 'purchase.completed';
  @IsBusinessTime() occurredAt!: string;
  @IsId() memberId!: string;
  @IsOptional() @IsId() storeId?: string;
  @IsIn(['store', 'online']) channel!: 'store' | 'online';
  @IsId() orderId!: string;
  @IsInt() @Min(0) @Max(MAX_AMOUNT_MINOR) amountMinor!: number;
  @Matches(CURRENCY, { message: 'currency must be an ISO-4217 code such as CNY' }) currency!: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  // Without it class-validator takes an array of arrays of lines as lines.
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => PurchaseLine)
  lines?: PurchaseLine[];
}

export class PurchaseRefunded {
  @IsEventId() eventId!: string;
  @Equals('purchase.refunded') type!: 'purchase.refunded';
  @IsBusinessTime() occurredAt!: string;
  @IsId() memberId!: string;
  @IsOptional() @IsId() storeId?: string;
  @IsId() orderId!: string;
  @IsId() refundId!: string;
  @IsInt() @Min(1) @Max(MAX_AMOUNT_MINOR) amountMinor!: number;
  @Matches(CURRENCY, { message: 'currency must be an ISO-4217 code such as CNY' }) currency!: string;
}
