import fc from 'fast-check';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { Client } from 'pg';
import { migrateLedger } from '../database/data-source';
import { BulkParams } from './bulk-params';

/** What PostgreSQL reads back out of the array literals the bulk parameters write. */
describe('bulk parameters read by PostgreSQL', () => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase('bulk_params', migrateLedger);
    client = new Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  const roundTrip = async (rows: Record<string, unknown>[], type: string): Promise<unknown[]> => {
    const bulk = new BulkParams();
    const from = bulk.unnest(rows, [{ name: 'v', type }]);
    const { rows: read } = await client.query({ text: `SELECT v::text FROM ${from}`, values: bulk.values, rowMode: 'array' });
    return read.map(([v]) => v);
  };

  it('gives back any text exactly, whatever it holds (quotes, braces, backslashes, spaces, NULL-like words, any script)', async () => {
    const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('', 'null', 'NULL', ' ', '{}', '"', '\\', 'a,b', '\t\n'));
    await fc.assert(
      fc.asyncProperty(fc.array(text, { maxLength: 20 }), async (values) => {
        // PostgreSQL text cannot hold NUL at all.
        const clean = values.map((v) => v.split(String.fromCharCode(0)).join(''));
        expect(
          await roundTrip(
            clean.map((v) => ({ v })),
            'text',
          ),
        ).toEqual(clean);
      }),
      { numRuns: 200 },
    );
  });

  it('gives back every JSON text exactly as JSON.stringify wrote it (the hash covers that text)', async () => {
    const json = fc
      .jsonValue()
      .map((v) => JSON.stringify(v))
      .filter((t) => !t.includes('\\u0000'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(json, { nil: null }), { maxLength: 20 }), async (values) => {
        expect(
          await roundTrip(
            values.map((v) => ({ v })),
            'json',
          ),
        ).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });
});
