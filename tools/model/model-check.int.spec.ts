import { migrateLedger } from '@tally/ledger';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { runModel } from './model-run';

/**
 * Invariant 9 and the ledger's invariants, for whole classes of command sequences: store processes
 * with caches of their own, each command routed to one of them (or several at once), each result
 * compared with the rules decided on the head. A fixed seed here; `npm run check:model` for long runs.
 */
describe('model-based runs of the ledger across store processes', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('model', migrateLedger);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('decides every command as the rules do on the head, and keeps every invariant', async () => {
    await expect(runModel({ url: db.url, seed: 20261207, runs: 12, maxCommands: 25 })).resolves.toEqual({ runs: 12 });
  }, 300_000);
});
