import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROGRAM } from './default-program';
import { ProgramError, formatOf, loadProgram, parseProgram } from './program.loader';
import { Program } from './program.types';

const programOf = (text: string, format: 'json' | 'yaml'): Program => {
  const result = parseProgram(text, format);
  if (!result.ok) throw new Error(`expected a valid program, got ${result.problems.join('; ')}`);
  return result.program;
};

const problemsOf = (text: string, format: 'json' | 'yaml'): string[] => {
  const result = parseProgram(text, format);
  if (result.ok) throw new Error('expected problems, the program is valid');
  return result.problems;
};

describe('parseProgram', () => {
  it.each([
    ['an empty JSON object', '{}', 'json'],
    ['an empty YAML document', '', 'yaml'],
    ['a YAML comment only', '# nothing overridden\n', 'yaml'],
  ] as const)('gives the built-in program for %s', (_name, text, format) => {
    expect(programOf(text, format)).toEqual(DEFAULT_PROGRAM);
  });

  it('takes the late-input window from the program: 35 days by default, at most 400', () => {
    expect(DEFAULT_PROGRAM.lateInputWindowDays).toBe(35);
    expect(programOf('lateInputWindowDays: 14\n', 'yaml').lateInputWindowDays).toBe(14);
    expect(programOf('lateInputWindowDays: 400\n', 'yaml').lateInputWindowDays).toBe(400);
    expect(problemsOf('lateInputWindowDays: 401\n', 'yaml')).toEqual([expect.stringMatching(/^lateInputWindowDays: must be <= 400/)]);
    expect(problemsOf('lateInputWindowDays: 0\n', 'yaml')).toEqual([expect.stringMatching(/^lateInputWindowDays/)]);
  });

  it('merges an object field by field with the defaults', () => {
    // given a file that changes one number of the check-in rule
    const program = programOf('checkIn:\n  points: 5\n', 'yaml');
    // then the rest of the rule keeps its defaults
    expect(program.checkIn).toEqual({ points: 5, streakEvery: 7, streakBonus: 50 });
    expect(program.tiers).toEqual(DEFAULT_PROGRAM.tiers);
  });

  it('replaces lists and maps whole', () => {
    const program = programOf(
      JSON.stringify({
        currencies: { USD: { points: 7 } },
        tiers: [
          { name: 'basic', threshold: 0, multiplier: 1 },
          { name: 'vip', threshold: 300, multiplier: 3 },
        ],
      }),
      'json',
    );
    expect(program.currencies).toEqual({ USD: { points: 7, perMinorUnits: 100 } });
    expect(program.tiers.map((t) => t.name)).toEqual(['basic', 'vip']);
  });

  it('reads every option the default program leaves off', () => {
    const program = programOf(
      `
timeZone: Europe/Berlin
tierWindow: { kind: calendar-year }
downgrade: { policy: one-step, minDaysAfterUpgrade: 180 }
purchase: { maxPointsPerEvent: 500, dailyEarnCap: 2000, pendingDays: 14, campaignCombination: multiply }
campaigns:
  - { id: double-11, start: '2026-11-11T00:00:00+08:00', end: '2026-11-12T00:00:00+08:00', multiplier: 2, storeIds: [sh-07], categories: [beverage] }
refund: { clawBack: none }
activities:
  - { id: sign-up, points: 100, maxLifetime: 1 }
  - { id: review, points: 5, maxPerDay: 3, maxPerYear: 50 }
expiry: { policy: { kind: end-of-year-after-months, months: 12 }, reminderDaysBefore: 14 }
redemption: { points: 10, valueMinor: 1, currency: USD }
rewards:
  - { id: mug, name: Mug, points: 2000, minTier: gold, stock: 50, validFrom: '2026-01-01T00:00:00Z', validTo: '2027-01-01T00:00:00Z' }
`,
      'yaml',
    );
    expect(program).toMatchObject({
      timeZone: 'Europe/Berlin',
      tierWindow: { kind: 'calendar-year' },
      downgrade: { policy: 'one-step', minDaysAfterUpgrade: 180 },
      purchase: { maxPointsPerEvent: 500, dailyEarnCap: 2000, pendingDays: 14, campaignCombination: 'multiply' },
      campaigns: [{ id: 'double-11', multiplier: 2, storeIds: ['sh-07'], categories: ['beverage'] }],
      refund: { clawBack: 'none' },
      activities: [
        { id: 'sign-up', points: 100, maxLifetime: 1 },
        { id: 'review', points: 5, maxPerDay: 3, maxPerYear: 50 },
      ],
      expiry: { policy: { kind: 'end-of-year-after-months', months: 12 }, reminderDaysBefore: 14 },
      redemption: { points: 10, valueMinor: 1, currency: 'USD' },
      rewards: [{ id: 'mug', minTier: 'gold', stock: 50 }],
    });
  });

  it('fills the defaults inside a chosen variant', () => {
    expect(programOf('expiry: { policy: { kind: end-of-month } }', 'yaml').expiry.policy).toEqual({ kind: 'end-of-month', months: 0 });
    expect(programOf('tierWindow: { kind: rolling-days }', 'yaml').tierWindow).toEqual({ kind: 'rolling-days', days: 365 });
  });

  it('lists every problem at once, each with its path', () => {
    // given a file with many mistakes in different sections
    const text = `
timeZone: Mars/Olympus
currencies: { cny: { points: 1 } }
tiers:
  - { name: member, threshold: 5, multiplier: 1 }
  - { name: silver, threshold: 1, multiplier: 0 }
  - { name: silver, threshold: 2000, multiplier: 1.23456 }
purchase: { maxPointsPerEvent: -1, dailyEarnCap: 2.5 }
campaigns:
  - { id: c1, start: '2026-11-12T00:00:00+08:00', end: '2026-11-11T00:00:00+08:00', multiplier: 2 }
  - { id: c1, start: 'tomorrow', end: '2026-11-11T00:00:00+08:00', multiplier: 2 }
checkin: { points: 5 }
expiry: { policy: { kind: weekly } }
activities: [{ id: review }]
`;
    // when / then
    expect(problemsOf(text, 'yaml')).toEqual([
      'timeZone: must be an IANA time zone such as Asia/Shanghai',
      'currencies.cny: invalid key: must be an ISO-4217 code such as CNY',
      'tiers[1].multiplier: must be > 0',
      'tiers[2].multiplier: must have at most 4 decimal places',
      'tiers[0].threshold: the first tier must start at 0',
      'tiers[1].threshold: must be greater than tiers[0].threshold (5)',
      'tiers[2].name: duplicate tier silver',
      'purchase.maxPointsPerEvent: must be > 0',
      'purchase.dailyEarnCap: must be a whole number',
      'campaigns[0].end: must be after 2026-11-12T00:00:00+08:00',
      'campaigns[1].start: must be ISO-8601 with an offset, e.g. 2026-11-11T00:00:00+08:00',
      'activities[0].points: must be a number',
      'expiry.policy.kind: kind must be rolling-days, end-of-month or end-of-year-after-months',
      'checkin: unknown field',
    ]);
  });

  it('checks tiers as a ladder: from 0, strictly increasing, unique names', () => {
    const text = JSON.stringify({
      tiers: [
        { name: 'member', threshold: 10, multiplier: 1 },
        { name: 'silver', threshold: 10, multiplier: 1.25 },
        { name: 'silver', threshold: 20, multiplier: 1.5 },
      ],
    });
    expect(problemsOf(text, 'json')).toEqual([
      'tiers[0].threshold: the first tier must start at 0',
      'tiers[1].threshold: must be greater than tiers[0].threshold (10)',
      'tiers[2].name: duplicate tier silver',
    ]);
    expect(problemsOf('{"tiers": []}', 'json')).toEqual(['tiers: must name at least one tier']);
  });

  it('refuses duplicate ids, empty filters and rewards for tiers that do not exist', () => {
    const text = `
campaigns:
  - { id: c1, start: '2026-11-11T00:00:00+08:00', end: '2026-11-12T00:00:00+08:00', multiplier: 2, storeIds: [] }
activities: [{ id: a, points: 1 }, { id: a, points: 2 }]
rewards:
  - { id: r1, name: Tea, points: 500, minTier: platinum }
`;
    expect(problemsOf(text, 'yaml')).toEqual([
      'campaigns[0].storeIds: must name at least one store (leave it out for every store)',
      'activities[1].id: duplicate id a',
      'rewards[0].minTier: no tier platinum (tiers: member, silver, gold, diamond)',
    ]);
  });

  it('reads transfer limits and step-up over their defaults, and refuses a sender tier that does not exist', () => {
    const program = programOf('transfers: { maxSentPerDay: 500 }\nstepUp: { transferThreshold: 1000 }\n', 'yaml');
    expect(program.transfers).toMatchObject({ enabled: true, maxSentPerDay: 500, maxPointsPerTransfer: 10_000, maxRecipientsPerMonth: 10 });
    expect(program.stepUp).toEqual({ transferThreshold: 1000, codeTtlSeconds: 300, maxAttempts: 5 });
    expect(programOf('{}', 'json').stepUp.transferThreshold).toBeUndefined();
    expect(problemsOf('transfers: { minSenderTier: platinum, maxSentPerDay: 0 }\n', 'yaml')).toEqual([
      'transfers.maxSentPerDay: must be > 0',
      'transfers.minSenderTier: no tier platinum (tiers: member, silver, gold, diamond)',
    ]);
  });

  it('reads abuse rules of every kind with their defaults (none by default), and refuses a store rule that would hold or block', () => {
    expect(DEFAULT_PROGRAM.abuse.rules).toEqual([]);
    const text = [
      'abuse:',
      '  rules:',
      '    - { id: burst, input: purchase, window: hour, max: 20, action: hold-earnings }',
      '    - { id: refunds, input: refund-after-redemption }',
      '    - { id: store, input: store-points, max: 50000 }',
    ].join('\n');
    expect(programOf(text, 'yaml').abuse.rules).toEqual([
      { id: 'burst', input: 'purchase', window: 'hour', max: 20, action: 'hold-earnings' },
      { id: 'refunds', input: 'refund-after-redemption', minDebt: 1, action: 'flag' },
      { id: 'store', input: 'store-points', window: 'hour', max: 50000, action: 'flag' },
    ]);
    expect(problemsOf('abuse: { rules: [{ id: s, input: store-points, max: 5, action: block-spending }] }\n', 'yaml')).toEqual([
      'abuse.rules[0].action: must be flag: a store has no points to hold or block',
    ]);
  });

  it('refuses a reward whose validity ends before it starts', () => {
    const text = "rewards: [{ id: r1, name: Tea, points: 5, validFrom: '2026-02-01T00:00:00Z', validTo: '2026-01-01T00:00:00Z' }]";
    expect(problemsOf(text, 'yaml')).toEqual(['rewards[0].validTo: must be after 2026-02-01T00:00:00Z']);
  });

  it('reads when the program starts and the earliest occurredAt it accepts, which is its start unless named', () => {
    expect(programOf('{}', 'json')).toMatchObject({ startsAt: '2020-01-01T00:00:00+08:00' });
    expect(programOf('{}', 'json').earliestOccurredAt).toBeUndefined();
    const program = programOf("startsAt: '2026-03-01T00:00:00+08:00'\nearliestOccurredAt: '2025-12-01T00:00:00Z'\n", 'yaml');
    expect(program).toMatchObject({ startsAt: '2026-03-01T00:00:00+08:00', earliestOccurredAt: '2025-12-01T00:00:00Z' });
    expect(programOf("{ startsAt: '2026-03-01T00:00:00+08:00', earliestOccurredAt: '2026-03-01T00:00:00+08:00' }", 'yaml').earliestOccurredAt).toBe(
      '2026-03-01T00:00:00+08:00',
    );
  });

  it.each([
    ['a start that is not an instant', { startsAt: '2026-03-01' }, ['startsAt: must be ISO-8601 with an offset, e.g. 2026-11-11T00:00:00+08:00']],
    ['a start on a day the calendar does not have', { startsAt: '2026-02-30T00:00:00+08:00' }, ['startsAt: is not a real date']],
    ['a start that is not text', { startsAt: 20260301 }, ['startsAt: must be a string']],
    [
      'an earliest occurredAt after the start: the program would refuse its own inputs',
      { startsAt: '2026-03-01T00:00:00+08:00', earliestOccurredAt: '2026-03-01T00:00:01+08:00' },
      ['earliestOccurredAt: must not be after startsAt (2026-03-01T00:00:00+08:00): the program would refuse its own inputs'],
    ],
    [
      'an earliest occurredAt before the first instant the ledger keeps (year 1, UTC)',
      { earliestOccurredAt: '0001-01-01T00:00:00+08:00' },
      ['earliestOccurredAt: must not be before 0001-01-01T00:00:00Z'],
    ],
    ['a start before the first instant the ledger keeps', { startsAt: '0000-06-01T00:00:00Z' }, ['startsAt: must not be before 0001-01-01T00:00:00Z']],
    [
      'an earliest occurredAt that is not an instant',
      { earliestOccurredAt: 'launch' },
      ['earliestOccurredAt: must be ISO-8601 with an offset, e.g. 2026-11-11T00:00:00+08:00'],
    ],
  ])('refuses %s', (_name, document, problems) => {
    expect(problemsOf(JSON.stringify(document), 'json')).toEqual(problems);
  });

  it('refuses a campaign window on a day the calendar does not have', () => {
    const text = "campaigns: [{ id: c1, multiplier: 2, start: '2026-02-29T00:00:00+08:00', end: '2026-03-31T00:00:00+08:00' }]";
    expect(problemsOf(text, 'yaml')).toEqual(['campaigns[0].start: is not a real date']);
  });

  it('says where the text itself is broken', () => {
    expect(problemsOf('{"tiers": [', 'json')).toEqual([expect.stringMatching(/^not valid JSON: /)]);
    expect(problemsOf('checkIn: 1\ncheckIn: 2\n', 'yaml')).toEqual(['not valid YAML: Map keys must be unique at line 2, column 1']);
  });

  it('refuses a document that is not an object', () => {
    expect(problemsOf('[1, 2]', 'json')).toHaveLength(1);
    expect(problemsOf('just text', 'yaml')).toHaveLength(1);
  });
});

describe('formatOf', () => {
  it.each([
    ['program.json', '', 'json'],
    ['program.YAML', '{}', 'yaml'],
    ['program.yml', '', 'yaml'],
    ['program', '  {"timeZone": "UTC"}', 'json'],
    ['program.conf', 'timeZone: UTC', 'yaml'],
  ] as const)('reads %s (%j) as %s', (path, text, format) => {
    expect(formatOf(path, text)).toBe(format);
  });
});

describe('loadProgram', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-program-'));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('is the built-in program without a path', () => {
    expect(loadProgram()).toBe(DEFAULT_PROGRAM);
    expect(loadProgram('')).toBe(DEFAULT_PROGRAM);
  });

  it('reads a YAML file', () => {
    expect(loadProgram(file('program.yaml', 'referral:\n  referrerPoints: 300\n')).referral).toEqual({ referrerPoints: 300, refereePoints: 100 });
  });

  it('reads a JSON file, whatever its extension', () => {
    expect(loadProgram(file('program.txt', '{"timeZone": "UTC"}')).timeZone).toBe('UTC');
  });

  it('throws one error that lists every problem', () => {
    const path = file('bad.json', JSON.stringify({ timeZone: 'Nowhere/Land', checkIn: { points: -1 } }));
    const thrown = (() => {
      try {
        loadProgram(path);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(ProgramError);
    expect((thrown as ProgramError).problems).toEqual(['timeZone: must be an IANA time zone such as Asia/Shanghai', 'checkIn.points: must be >= 0']);
    expect((thrown as ProgramError).message).toContain(`program ${path} is invalid (2 problems)`);
    expect((thrown as ProgramError).message).toContain('  - checkIn.points: must be >= 0');
  });

  it('throws when the file cannot be read', () => {
    expect(() => loadProgram(join(dir, 'missing.yaml'))).toThrow(/cannot read the file/);
  });
});

describe('DEFAULT_PROGRAM', () => {
  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(DEFAULT_PROGRAM.tiers[0])).toBe(true);
  });
});
