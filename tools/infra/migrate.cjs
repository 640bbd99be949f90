// Creates the database when missing and applies the ledger migrations (run from the built dist/).
const { migrateLedger } = require('../../dist/libs/ledger/src');

const url = process.argv[2] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tally';
migrateLedger(url).then(
  () => process.stdout.write(`migrated ${url.replace(/\/\/[^@]*@/, '//')}\n`),
  (error) => {
    process.stderr.write(`migration failed: ${error.message}\n`);
    process.exit(1);
  },
);
