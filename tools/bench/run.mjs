// `npm run bench:<name>`: builds with swc and runs one benchmark; results land in bench-results/<name>.json.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const name = process.argv[2];
if (!name) throw new Error('usage: node tools/bench/run.mjs <ledger|earn|redeem>');
execFileSync('bash', ['tools/infra/ensure-postgres.sh'], { cwd: root, stdio: 'inherit' });
execFileSync('node', ['tools/build/build.mjs'], { cwd: root, stdio: 'inherit' });
execFileSync('node', ['--enable-source-maps', '--max-old-space-size=4096', '-r', 'reflect-metadata', `dist/tools/bench/${name}.bench.js`], { cwd: root, stdio: 'inherit' });
