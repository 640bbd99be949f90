import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { HealthCheck, isHealthCheckToken } from './health-check';

export type CheckResult = { status: 'up' } | { status: 'down'; message: string };

export interface HealthReport {
  status: 'ok' | 'error';
  checks: Record<string, CheckResult>;
}

export const CHECK_TIMEOUT_MS = 3000;

const withTimeout = async (check: HealthCheck, ms: number): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([check.check(), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

const run = async (check: HealthCheck, ms: number): Promise<CheckResult> => {
  try {
    await withTimeout(check, ms);
    return { status: 'up' };
  } catch (error) {
    const message = error instanceof Error && error.message ? error.message : String(error);
    return { status: 'down', message: message.slice(0, 300) };
  }
};

/** Runs every registered check at once, each bounded in time, so a probe always answers. */
export const runHealthChecks = async (checks: HealthCheck[], ms = CHECK_TIMEOUT_MS): Promise<HealthReport> => {
  const results = await Promise.all(checks.map(async (check) => [check.name, await run(check, ms)] as const));
  const status = results.every(([, result]) => result.status === 'up') ? 'ok' : 'error';
  return { status, checks: Object.fromEntries(results) };
};

@Injectable()
export class HealthService {
  private checks?: HealthCheck[];

  constructor(private readonly discovery: DiscoveryService) {}

  /** Collected on first use, when every module's providers exist. */
  registered(): HealthCheck[] {
    this.checks ??= [
      ...new Set(
        this.discovery
          .getProviders()
          .filter((wrapper) => isHealthCheckToken(wrapper.token) && wrapper.instance)
          .map((wrapper) => wrapper.instance as HealthCheck),
      ),
    ];
    return this.checks;
  }

  report(): Promise<HealthReport> {
    return runHealthChecks(this.registered());
  }
}
