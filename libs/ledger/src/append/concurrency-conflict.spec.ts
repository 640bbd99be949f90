import { isInfrastructureError } from '@tally/platform';
import { ConcurrencyConflictError } from './ledger.store';

describe('a member still conflicting after every attempt of the store', () => {
  it('is retried by the consumer, never blamed on a message', () => {
    const cause = Object.assign(new Error('could not serialize access'), { code: '40001' });
    expect(isInfrastructureError(new ConcurrencyConflictError(8, cause))).toBe(true);
  });

  it('is still so when the last conflict was a duplicate key (not itself transient)', () => {
    const cause = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    expect(isInfrastructureError(new ConcurrencyConflictError(8, cause))).toBe(true);
  });
});
