import { parseArgs } from 'node:util';
import { migrateLedger } from '@tally/ledger';
import { Client } from 'pg';
import { runModel } from './model-run';

/**
 * `npm run check:model -- --seed N --runs K [--processes P] [--max-commands C] [--check-every E]`:
 * long model-based runs against a database of their own (`tally_model_<seed>`, made afresh),
 * with DATABASE_URL's server. Prints the seed and the shrunk commands of a failure.
 */
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 1_000_000_000) },
    runs: { type: 'string', default: '100' },
    processes: { type: 'string', default: '3' },
    'max-commands': { type: 'string', default: '30' },
    'check-every': { type: 'string', default: '100' },
  },
});

const number = (name: keyof typeof values): number => {
  const value = Number(values[name]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number, not ${values[name]}`);
  return value;
};

const main = async () => {
  const seed = number('seed');
  const runs = number('runs');
  const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `tally_model_${seed}`;
  server.pathname = '/postgres';
  const admin = new Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  server.pathname = `/${name}`;
  await migrateLedger(server.toString());
  const started = Date.now();
  console.log(`model check: seed ${seed}, ${runs} runs, database ${name}`);
  try {
    await runModel({
      url: server.toString(),
      seed,
      runs,
      processes: number('processes'),
      maxCommands: number('max-commands'),
      ledgerCheckEvery: number('check-every'),
      onRun: (run) => {
        if (run % 100 === 0) console.log(`  ${run} runs, ${Math.round((Date.now() - started) / 1000)} s`);
      },
    });
    console.log(`model check passed: seed ${seed}, ${runs} runs in ${Math.round((Date.now() - started) / 1000)} s`);
  } catch (error) {
    console.error(`model check FAILED with seed ${seed} (rerun: npm run check:model -- --seed ${seed} --runs ${runs})`);
    console.error((error as Error).message);
    process.exitCode = 1;
  }
};

void main();
