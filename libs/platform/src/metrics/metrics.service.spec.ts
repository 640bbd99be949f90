import { Metrics } from './metrics.service';

describe('Metrics', () => {
  it('labels every series with the service and includes default metrics', async () => {
    const metrics = new Metrics({ service: 'earn' });
    metrics.counter('tally_events_appended_total', 'Events appended', ['type']).inc({ type: 'points.earned' }, 3);
    const { contentType, body } = await metrics.render();
    expect(contentType).toContain('text/plain');
    expect(body).toContain('tally_events_appended_total{type="points.earned",service="earn"} 3');
    expect(body).toContain('process_cpu_user_seconds_total{service="earn"}');
  });

  it('creates a metric once and hands back the same one', () => {
    const metrics = new Metrics({ service: 'ledger' });
    const first = metrics.histogram('tally_batch_seconds', 'Batch duration', ['outcome']);
    expect(metrics.histogram('tally_batch_seconds', 'Batch duration', ['outcome'])).toBe(first);
    expect(() => metrics.counter('tally_batch_seconds', 'Batch duration')).toThrow(/another type/);
  });

  it('keeps each instance in its own registry', async () => {
    new Metrics({ service: 'a' }).gauge('tally_lag', 'Lag').set(5);
    expect((await new Metrics({ service: 'b' }).render()).body).not.toContain('tally_lag');
  });
});
