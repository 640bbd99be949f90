import { ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsPositive, IsString, Matches, ValidateNested } from 'class-validator';
import { AppError } from './app.error';
import { createValidationPipe } from './validation.pipe';

class LineDto {
  @IsString()
  sku: string;

  @IsInt()
  @IsPositive()
  quantity: number;
}

class RedemptionDto {
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/)
  redemptionId: string;

  @IsInt()
  @IsPositive()
  points: number;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => LineDto)
  lines?: LineDto[];
}

const metadata: ArgumentMetadata = { type: 'body', metatype: RedemptionDto };
const pipe = createValidationPipe();

const refusalOf = async (body: unknown): Promise<AppError> => {
  try {
    await pipe.transform(body, metadata);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('createValidationPipe', () => {
  it('passes a valid body through as an instance, without unknown fields', async () => {
    const value = await pipe.transform({ redemptionId: 'r-1', points: 10, extra: 'x' }, metadata);
    expect(value).toBeInstanceOf(RedemptionDto);
    expect(value).toEqual({ redemptionId: 'r-1', points: 10 });
  });

  it('answers 400 invalid_request listing every field with its problems', async () => {
    const refusal = await refusalOf({ redemptionId: 'bad id!', points: -5 });
    expect(refusal.getStatus()).toBe(400);
    expect(refusal.body).toEqual({
      error: 'invalid_request',
      message: expect.stringMatching(/^invalid request: redemptionId: .+, points: .+$/),
      fields: [
        { field: 'redemptionId', problems: [expect.stringContaining('must match')] },
        { field: 'points', problems: ['points must be a positive number'] },
      ],
    });
  });

  it('names nested fields by dotted path', async () => {
    const refusal = await refusalOf({
      redemptionId: 'r-1',
      points: 1,
      lines: [
        { sku: 'a', quantity: 1 },
        { sku: 7, quantity: 0 },
      ],
    });
    expect(refusal.body.fields).toEqual([
      { field: 'lines.1.sku', problems: ['sku must be a string'] },
      { field: 'lines.1.quantity', problems: ['quantity must be a positive number'] },
    ]);
  });

  it('refuses a body that is not an object', async () => {
    const refusal = await refusalOf('just a string');
    expect(refusal.getStatus()).toBe(400);
    expect(refusal.body.error).toBe('invalid_request');
  });
});
