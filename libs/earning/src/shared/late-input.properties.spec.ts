import { InputEvent } from '@tally/contracts';
import { MAX_LATE_INPUT_WINDOW_DAYS } from '@tally/program';
import fc from 'fast-check';
import { DEFAULT_PROGRAM } from '@tally/program';
import { checkIn, contextFor, programWith, purchase, run } from '../testing/earn.fixtures';

const DAY = 24 * 3600_000;
/** Noon in Shanghai (the default program's zone) on the member's newest day. */
const NEWEST = Date.parse('2026-11-23T04:00:00Z');
const LATE_CODES = ['INPUT_TOO_LATE', 'CHECK_IN_TOO_LATE'];

/** A program whose late-input window is `days`, with a daily earn cap: purchases look at their day too. */
const programOf = (days: number) => programWith({ lateInputWindowDays: days, purchase: { ...DEFAULT_PROGRAM.purchase, dailyEarnCap: 400 } });

/** An input `back` days before the newest day; `n` keeps ids apart. */
const inputAt = (kind: 'check-in' | 'purchase', back: number, n: number, amountMinor = 10_000): InputEvent => {
  const occurredAt = new Date(NEWEST - back * DAY).toISOString();
  return kind === 'check-in' ? checkIn(occurredAt, { eventId: `ci-${n}` }) : purchase({ eventId: `pos-${n}`, orderId: `o-${n}`, occurredAt, amountMinor });
};

const history = (span: number) =>
  fc.array(
    fc.record({
      kind: fc.constantFrom('check-in' as const, 'purchase' as const),
      back: fc.integer({ min: 0, max: span }),
      amountMinor: fc.integer({ min: 100, max: 50_000 }),
    }),
    { minLength: 1, maxLength: 25 },
  );

describe('the late-input window (properties)', () => {
  it('decides inputs within the window the same whatever the window, up to 400 days, and never refuses one as late', () => {
    const spanAndWindows = fc
      .integer({ min: 0, max: MAX_LATE_INPUT_WINDOW_DAYS - 1 })
      .chain((span) =>
        fc.tuple(
          fc.constant(span),
          fc.integer({ min: Math.max(span, 1), max: MAX_LATE_INPUT_WINDOW_DAYS }),
          fc.integer({ min: Math.max(span, 1), max: MAX_LATE_INPUT_WINDOW_DAYS }),
          history(span),
        ),
      );
    fc.assert(
      fc.property(spanAndWindows, ([, first, second, items]) => {
        // given inputs whose days lie within both windows, arriving in any order (with the newest day first, so the window is counted from it)
        const inputs = [inputAt('check-in', 0, 0), ...items.map((item, n) => inputAt(item.kind, item.back, n + 1, item.amountMinor))];
        // when the same inputs are decided under either window
        const a = run(inputs, contextFor(programOf(first))).decisions;
        const b = run(inputs, contextFor(programOf(second))).decisions;
        // then every decision is the same, and none is a late-input refusal
        expect(b).toEqual(a);
        for (const decision of a) if (decision.kind === 'reject') expect(LATE_CODES).not.toContain(decision.code);
      }),
      { seed: 2712, numRuns: 150 },
    );
  });

  it("refuses an input just outside the window, naming the program's window, and takes one on its edge", () => {
    const windowAndHistory = fc
      .integer({ min: 1, max: MAX_LATE_INPUT_WINDOW_DAYS })
      .chain((days) => fc.tuple(fc.constant(days), history(days), fc.constantFrom('check-in' as const, 'purchase' as const)));
    fc.assert(
      fc.property(windowAndHistory, ([days, items, kind]) => {
        // given a member whose newest day is the 23rd, with history within the window
        const ctx = contextFor(programOf(days));
        const before = [inputAt('check-in', 0, 0), ...items.map((item, n) => inputAt(item.kind, item.back, n + 1, item.amountMinor))];
        // when an input for the day after the window's first day and one for the day before it arrive
        const [outside] = run([inputAt(kind, days + 1, 900)], ctx, run(before, ctx).members).decisions;
        const [edge] = run([inputAt(kind, days, 901)], ctx, run(before, ctx).members).decisions;
        // then the one outside is refused with the window in its message, the one on the edge is not refused as late
        expect(outside).toMatchObject({
          kind: 'reject',
          code: kind === 'check-in' ? 'CHECK_IN_TOO_LATE' : 'INPUT_TOO_LATE',
          message: expect.stringContaining(`late-input window of ${days} days`),
        });
        expect(outside.kind === 'reject' && outside.message).toContain(`lateInputWindowDays: ${days}`);
        if (edge.kind === 'reject') expect(LATE_CODES).not.toContain(edge.code);
      }),
      { seed: 2713, numRuns: 150 },
    );
  });
});
