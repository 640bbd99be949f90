import { Counter, Gauge, Histogram, Metric, Registry, collectDefaultMetrics } from 'prom-client';

export const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');

export interface MetricsOptions {
  service: string;
}

type MetricClass<M> = new (config: { name: string; help: string; labelNames: readonly string[]; registers: Registry[] } & Record<string, unknown>) => M;

/**
 * The process's Prometheus registry (default metrics, every series labelled `service`) and a
 * get-or-create API, so a metric can be declared where it is used and still exist only once.
 */
export class Metrics {
  readonly registry = new Registry();

  constructor(options: MetricsOptions) {
    this.registry.setDefaultLabels({ service: options.service });
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.getOrCreate(Counter, name, { help, labelNames }) as Counter<L>;
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.getOrCreate(Gauge, name, { help, labelNames }) as Gauge<L>;
  }

  /** Buckets in seconds by default, suited to request and batch durations. */
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): Histogram<L> {
    return this.getOrCreate(Histogram, name, { help, labelNames, ...(buckets ? { buckets } : {}) }) as Histogram<L>;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private getOrCreate<M extends Metric>(
    type: MetricClass<M>,
    name: string,
    config: { help: string; labelNames: readonly string[] } & Record<string, unknown>,
  ): M {
    const existing = this.registry.getSingleMetric(name);
    if (existing === undefined) return new type({ name, ...config, registers: [this.registry] });
    if (!(existing instanceof type)) throw new Error(`metric ${name} already exists with another type`);
    return existing;
  }
}
