import { errorBodyOfRefusal, statusOfRefusal } from './refusal.mapping';

describe('refusal mapping', () => {
  it('answers with the code in lower case and keeps the details', () => {
    expect(errorBodyOfRefusal({ code: 'INSUFFICIENT_POINTS', message: 'no', details: { available: 3, requested: 5 } })).toEqual({
      error: 'insufficient_points',
      message: 'no',
      available: 3,
      requested: 5,
    });
  });

  it("renames a hold's status so it cannot become the HTTP status", () => {
    expect(errorBodyOfRefusal({ code: 'HOLD_ALREADY_RESOLVED', message: 'done', details: { holdId: 'h', status: 'captured' } })).toEqual({
      error: 'hold_already_resolved',
      message: 'done',
      holdId: 'h',
      holdStatus: 'captured',
    });
  });

  it.each([
    ['INSUFFICIENT_POINTS', 422],
    ['HOLD_NOT_FOUND', 404],
    ['REDEMPTION_NOT_FOUND', 404],
    ['REWARD_NOT_FOUND', 404],
    ['HOLD_ALREADY_RESOLVED', 409],
    ['ALREADY_REVERSED', 409],
    ['REWARD_OUT_OF_STOCK', 409],
    ['SOMETHING_NEW', 422],
  ])('%s -> %i', (code, status) => {
    expect(statusOfRefusal(code)).toBe(status);
  });
});
