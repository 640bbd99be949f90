import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN, IsNote } from '@tally/contracts';
import { IsPosition, MayBeAbsent } from '@tally/platform';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { LimitQuery } from '../shared/page.query';

export class FlagsQuery extends LimitQuery {
  @ApiPropertyOptional({ enum: ['open', 'all'], default: 'open', description: 'Open flags only, or cleared ones too' })
  @IsOptional()
  @IsIn(['open', 'all'])
  state: 'open' | 'all' = 'open';

  @ApiPropertyOptional({
    enum: ['member', 'store'],
    description: 'One kind of flag only; without it (and without memberId or storeId) both lists, each paged on its own',
  })
  @IsOptional()
  @IsIn(['member', 'store'])
  kind?: 'member' | 'store';

  @ApiPropertyOptional({ pattern: '^[0-9]{1,19}$', description: 'The `next.member` of the previous page: member flags after it' })
  @MayBeAbsent()
  @IsPosition()
  memberAfter?: string;

  @ApiPropertyOptional({ pattern: '^[0-9]{1,19}$', description: 'The `next.store` of the previous page: store flags after it' })
  @MayBeAbsent()
  @IsPosition()
  storeAfter?: string;

  @ApiPropertyOptional({ description: 'One member’s flags (store flags are left out)' })
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'memberId must be 1-64 characters of [A-Za-z0-9._:-]' })
  memberId?: string;

  @ApiPropertyOptional({ description: 'One store’s flags (member flags are left out)' })
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'storeId must be 1-64 characters of [A-Za-z0-9._:-]' })
  storeId?: string;
}

export class StoreFlagParams {
  @ApiProperty({ pattern: ID_PATTERN.source })
  @Matches(ID_PATTERN, { message: 'storeId must be 1-64 characters of [A-Za-z0-9._:-]' })
  storeId: string;

  @ApiProperty({ pattern: ID_PATTERN.source })
  @Matches(ID_PATTERN, { message: 'flagId must be 1-64 characters of [A-Za-z0-9._:-]' })
  flagId: string;
}

export class FlagParams {
  @ApiProperty({ pattern: ID_PATTERN.source })
  @Matches(ID_PATTERN, { message: 'memberId must be 1-64 characters of [A-Za-z0-9._:-]' })
  memberId: string;

  @ApiProperty({ pattern: ID_PATTERN.source })
  @Matches(ID_PATTERN, { message: 'flagId must be 1-64 characters of [A-Za-z0-9._:-]' })
  flagId: string;
}

export class ClearFlagBody {
  @ApiPropertyOptional({ maxLength: 64, example: 'ana', description: 'Who reviewed it; recorded with the token’s role' })
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'actor must be 1-64 characters of [A-Za-z0-9._:-]' })
  actor?: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsNote(500)
  note?: string;
}
