import { Logger, OnModuleDestroy, Provider } from '@nestjs/common';
import { Pool } from 'pg';
import { HealthCheck, healthCheckToken } from './health-check';

/** `SELECT 1` through a tiny pool of its own, so a busy application pool cannot make the probe lie. */
export class PostgresHealthCheck implements HealthCheck, OnModuleDestroy {
  readonly name = 'postgres';
  private readonly logger = new Logger(PostgresHealthCheck.name);
  private readonly pool: Pool;

  constructor(url: string) {
    this.pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 2000, query_timeout: 2000, idleTimeoutMillis: 30_000 });
    // An idle client whose server went away emits here; unhandled, it would crash the process.
    this.pool.on('error', (error) => this.logger.warn(`idle health-check connection failed: ${error.message}`));
  }

  async check(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}

export const postgresHealthCheck = (url: string): Provider => ({
  provide: healthCheckToken('postgres'),
  useFactory: () => new PostgresHealthCheck(url),
});
