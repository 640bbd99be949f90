// `npm run bench`: every benchmark in turn (they share the machine, so never in parallel).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
for (const name of ['ledger', 'earn', 'redeem']) {
  execFileSync('node', ['tools/bench/run.mjs', name], { cwd: root, stdio: 'inherit' });
}
