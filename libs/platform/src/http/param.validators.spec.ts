import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DigitsToNumber, IsInstant, IsIntegerFrom, IsPosition, MayBeAbsent, isInstant, isPosition } from './param.validators';

class Sample {
  @MayBeAbsent()
  @IsPosition()
  after?: string;

  @MayBeAbsent()
  @DigitsToNumber()
  @IsIntegerFrom(1, 500)
  limit?: number;

  @MayBeAbsent()
  @IsInstant()
  asOf?: string;
}

const problems = (plain: object) => validateSync(plainToInstance(Sample, plain)).map((error) => [error.property, Object.values(error.constraints ?? {})]);

describe('parameter validators', () => {
  it('takes a position up to PostgreSQL bigint, and nothing else', () => {
    expect(['0', '42', '9223372036854775807'].every(isPosition)).toBe(true);
    expect(['9223372036854775808', '99999999999999999999', '-1', '', '1.5', '1e3', ' 1', ['1', '2'], 7].some(isPosition)).toBe(false);
  });

  it('takes an ISO-8601 instant that Date can read', () => {
    expect(['2026-06-30T00:00:00Z', '2026-06-30T08:00:00+08:00', '2026-06-30'].every(isInstant)).toBe(true);
    expect(['2026-W01', '2026-01-01T00:00:00,5Z', '2026-02-30T00:00:00Z', 'yesterday', '', 20260630].some(isInstant)).toBe(false);
  });

  it('names each refused field once, with its range', () => {
    expect(problems({ after: '9223372036854775808', limit: '1e2', asOf: '2026-W01' })).toEqual([
      ['after', ['after must be an integer from 0 to 9223372036854775807']],
      ['limit', ['limit must be an integer from 1 to 500']],
      ['asOf', ['asOf must be an ISO-8601 instant, e.g. 2026-06-30T00:00:00Z']],
    ]);
    expect(problems({ limit: ['1', '2'] })).toEqual([['limit', ['limit must be an integer from 1 to 500']]]);
    expect(plainToInstance(Sample, { limit: '500' }).limit).toBe(500);
  });

  it('lets a field be absent but not null', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ after: null, limit: null, asOf: null }).map(([field]) => field)).toEqual(['after', 'limit', 'asOf']);
  });
});
