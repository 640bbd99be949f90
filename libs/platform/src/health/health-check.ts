import { FactoryProvider, InjectionToken } from '@nestjs/common';

/** One dependency the service needs to be ready: `check` resolves when it answers, rejects when not. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

/**
 * Health checks are providers whose token starts with this prefix; `HealthService` collects
 * every one of them from all modules (Nest has no multi-providers), so a library or app adds a
 * check just by providing it, e.g. `providers: [postgresHealthCheck(url)]`.
 */
export const HEALTH_CHECKS = 'tally:health-check:';

export const healthCheckToken = (name: string): string => `${HEALTH_CHECKS}${name}`;

export const isHealthCheckToken = (token: unknown): token is string => typeof token === 'string' && token.startsWith(HEALTH_CHECKS);

/** A provider for a check whose implementation needs other providers (a DataSource, a Kafka client). */
export const provideHealthCheck = <D extends unknown[]>(
  name: string,
  useFactory: (...deps: D) => Omit<HealthCheck, 'name'> | Promise<Omit<HealthCheck, 'name'>>,
  inject: InjectionToken[] = [],
): FactoryProvider<HealthCheck> => ({
  provide: healthCheckToken(name),
  useFactory: async (...deps: unknown[]) => Object.assign(await useFactory(...(deps as D)), { name }),
  inject,
});
