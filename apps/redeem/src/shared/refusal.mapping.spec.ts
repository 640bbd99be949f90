import { errorBodyOfRefusal, statusOfRefusal } from './refusal.mapping';

describe('refusal mapping', () => {
  it('answers with the code in lower case and keeps the details', () => {
    expect(errorBodyOfRefusal({ ok: false, code: 'INSUFFICIENT_POINTS', message: 'no', available: 3, requested: 5 } as never)).toEqual({
      error: 'insufficient_points',
      message: 'no',
      available: 3,
      requested: 5,
    });
  });

  it("renames a hold's status so it cannot become the HTTP status", () => {
    expect(errorBodyOfRefusal({ ok: false, code: 'HOLD_ALREADY_RESOLVED', message: 'done', holdId: 'h', status: 'captured' } as never)).toEqual({
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
