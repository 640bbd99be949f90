import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export class ChallengeResult {
  @ApiProperty({ description: 'Confirm with POST /challenges/{challengeId}/confirm and the code sent to the member' }) challengeId: string;
  @ApiProperty({ format: 'date-time', description: 'The code is valid until then; the held points are released after it' }) expiresAt: string;
}

export class ConfirmRequest {
  @ApiProperty({ example: '042817', pattern: '^[0-9]{6}$' })
  @Matches(/^[0-9]{6}$/, { message: 'code must be 6 digits' })
  @IsString()
  code: string;
}

export class ChallengeIdParams {
  @ApiProperty({ format: 'uuid' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: 'challengeId must be a uuid' })
  @IsString()
  challengeId: string;
}
