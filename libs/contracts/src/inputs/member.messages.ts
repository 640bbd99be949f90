import { Equals, IsOptional } from 'class-validator';
import { IsBusinessTime, IsEventId, IsId } from './validators';

export class MemberCheckedIn {
  @IsEventId() eventId!: string;
  @Equals('member.checked-in') type!: 'member.checked-in';
  @IsBusinessTime() occurredAt!: string;
  @IsId() memberId!: string;
  @IsOptional() @IsId() storeId?: string;
}

export class ReferralCompleted {
  @IsEventId() eventId!: string;
  @Equals('referral.completed') type!: 'referral.completed';
  @IsBusinessTime() occurredAt!: string;
  @IsId() referrerId!: string;
  @IsId() refereeId!: string;
  @IsOptional() @IsId() storeId?: string;
}

/** An activity the program may reward (sign-up, birthday, review, share...). */
export class MemberActivity {
  @IsEventId() eventId!: string;
  @Equals('member.activity') type!: 'member.activity';
  @IsId() activity!: string;
  @IsBusinessTime() occurredAt!: string;
  @IsId() memberId!: string;
  @IsOptional() @IsId() storeId?: string;
}
