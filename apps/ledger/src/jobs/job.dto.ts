import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN } from '@tally/contracts';
import { IsInstant, MayBeAbsent } from '@tally/platform';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsObject, Matches, ValidateNested } from 'class-validator';

export const JOB_KINDS = ['audit', 'replay', 'import'] as const;

/** Rows an import job may carry in its request; larger files go to `POST /ops/imports` as a stream. */
export const MAX_INLINE_IMPORT_ROWS = 10000;

export class MemberRange {
  @ApiProperty({ description: 'First member id (byte order), inclusive' })
  @Matches(ID_PATTERN, { message: 'from must be a member id' })
  from: string;

  @ApiProperty({ description: 'Last member id (byte order), inclusive' })
  @Matches(ID_PATTERN, { message: 'to must be a member id' })
  to: string;
}

/** What a job covers; two jobs of one kind and the same scope share one run. */
export class JobScope {
  @ApiPropertyOptional({ type: [String], minItems: 1, maxItems: 10000, description: 'Only these members' })
  @MayBeAbsent()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  @Matches(ID_PATTERN, { each: true, message: 'memberIds must be member ids' })
  memberIds?: string[];

  @ApiPropertyOptional({ type: MemberRange, description: 'Only members whose id is in this range (byte order, both ends included)' })
  @MayBeAbsent()
  @ValidateNested()
  @Type(() => MemberRange)
  memberRange?: MemberRange;

  @ApiPropertyOptional({ description: 'Only members with an event recorded at or after this instant (an audit checks those events)' })
  @MayBeAbsent()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'Only members with an event recorded before this instant (an audit checks those events)' })
  @MayBeAbsent()
  @IsInstant()
  to?: string;
}

export class CreateJobRequest {
  @ApiProperty({ enum: JOB_KINDS })
  @IsIn(JOB_KINDS)
  kind: (typeof JOB_KINDS)[number];

  @ApiPropertyOptional({ type: JobScope, description: 'audit and replay: what they cover (default: the whole ledger)' })
  @MayBeAbsent()
  @IsObject()
  @ValidateNested()
  @Type(() => JobScope)
  scope?: JobScope;

  @ApiPropertyOptional({ description: 'replay: swap the rebuilt projections in', default: false })
  @MayBeAbsent()
  @IsBoolean()
  swap?: boolean;

  @ApiPropertyOptional({
    description: `import: opening-balance rows (at most ${MAX_INLINE_IMPORT_ROWS}; stream larger files to POST /ops/imports)`,
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [
      {
        memberId: 'm-1001',
        points: 800,
        lots: [
          { points: 500, expiresAt: '2027-06-30' },
          { points: 300, expiresAt: '2027-12-31' },
        ],
        tier: 'gold',
      },
    ],
  })
  @MayBeAbsent()
  @IsArray()
  @ArrayMaxSize(MAX_INLINE_IMPORT_ROWS)
  rows?: unknown[];
}
