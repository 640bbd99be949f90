import { ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN } from '@tally/contracts';
import { EXPORT_FORMATS, ExportFormat } from '@tally/ledger';
import { IsInstant, MayBeAbsent } from '@tally/platform';
import { IsIn, Matches } from 'class-validator';

const ID_MESSAGE = 'must be 1-64 characters of [A-Za-z0-9._:-]';

export class ExportQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'jsonl' })
  @MayBeAbsent()
  @IsIn(EXPORT_FORMATS)
  format: ExportFormat = 'jsonl';

  @ApiPropertyOptional({ description: "One member's history" })
  @MayBeAbsent()
  @Matches(ID_PATTERN, { message: `memberId ${ID_MESSAGE}` })
  memberId?: string;

  @ApiPropertyOptional({ description: 'Events that name this store (earned, redeemed, held there)' })
  @MayBeAbsent()
  @Matches(ID_PATTERN, { message: `storeId ${ID_MESSAGE}` })
  storeId?: string;

  @ApiPropertyOptional({ description: 'Events recorded at or after this instant' })
  @MayBeAbsent()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'Events recorded before this instant' })
  @MayBeAbsent()
  @IsInstant()
  to?: string;
}
