// `npm test`: unit and integration tests. PostgreSQL must answer (started when the local cluster
// is merely stopped); the integration project's global setup brings the broker (see libs/testing).
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
if (!process.env.DATABASE_URL) execFileSync('bash', ['tools/infra/ensure-postgres.sh'], { cwd: root, stdio: 'inherit' });
const result = spawnSync('npx', ['jest', '--ci', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
