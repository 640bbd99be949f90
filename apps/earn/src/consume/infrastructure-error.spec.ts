import { ConcurrencyConflictError } from '@tally/ledger';
import { isInfrastructureError } from './infrastructure-error';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('which failures retry the whole batch instead of blaming a message', () => {
  it.each([
    ['a connection that PostgreSQL closed', withCode('57P01', 'terminating connection due to administrator command')],
    ['a connection that could not be made', withCode('ECONNREFUSED')],
    ['a connection pg lost mid-query (no SQLSTATE)', new Error('Connection terminated unexpectedly')],
    ['a pool that could not hand out a connection in time', new Error('timeout exceeded when trying to connect')],
    ['a deadlock the store gave up retrying', withCode('40P01', 'deadlock detected')],
    ['a lock wait that timed out', withCode('55P03', 'canceling statement due to lock timeout')],
    ['a member still conflicting after every attempt', new ConcurrencyConflictError(8, withCode('40001'))],
    ['several connections failing at once', new AggregateError([withCode('ECONNREFUSED')])],
  ])('retries %s', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(true);
  });

  it.each([
    ['a value PostgreSQL cannot store', withCode('22003', 'value "1e30" is out of range for type bigint')],
    ['a check constraint a message broke', withCode('23514', 'new row violates check constraint')],
    ['a rule that threw on what a message holds', new TypeError("Cannot read properties of undefined (reading 'points')")],
  ])('looks for the culprit message on %s', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(false);
  });
});
