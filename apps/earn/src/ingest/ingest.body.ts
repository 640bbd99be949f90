import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { MAX_BATCH_INPUTS } from './ingest.plan';

export class IngestBatchBody {
  @ApiProperty({ description: `Input messages as on their Kafka topics, 1-${MAX_BATCH_INPUTS}; each is judged on its own.`, type: 'array', items: { type: 'object' } })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_INPUTS)
  inputs!: unknown[];
}
