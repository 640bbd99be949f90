import { IsBoolean, IsOptional, Matches } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN } from '@tally/contracts';
import { AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT } from '@tally/ledger';
import { DigitsToNumber, IsIntegerFrom, MayBeAbsent } from '@tally/platform';
import { LimitQuery, PageQuery } from '../shared/page.query';

export class RejectionsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'The member refused; a refused referral is listed for its referee too' })
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'memberId must be 1-64 characters of [A-Za-z0-9._:-]' })
  memberId?: string;
}

/** What waits is a short list, oldest first: no cursor, a total instead. */
export class ParkedQuery extends LimitQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(ID_PATTERN, { message: 'memberId must be 1-64 characters of [A-Za-z0-9._:-]' })
  memberId?: string;
}

export class ReplayBody {
  @ApiPropertyOptional({ description: 'Swap the rebuilt projections in', default: false })
  @MayBeAbsent()
  @IsBoolean()
  swap: boolean = false;
}

/** The audit counts every violation; `limit` bounds how many it lists. */
export class AuditQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: AUDIT_MAX_LIMIT, default: AUDIT_DEFAULT_LIMIT, description: 'Violations listed at most' })
  @MayBeAbsent()
  @DigitsToNumber()
  @IsIntegerFrom(1, AUDIT_MAX_LIMIT)
  limit: number = AUDIT_DEFAULT_LIMIT;
}
