import { writeFileSync } from 'node:fs';
import * as echarts from 'echarts';
import { log } from './bench-support';

/** The loads of the curve, as parts of the rate earn reached on the backlog. */
export const LOAD_FRACTIONS = [0.25, 0.5, 0.8, 1] as const;

/** What one step of steady load measured (see earn.bench.ts `steadyLatency`). */
export interface SteadyLatency {
  rate: number;
  seconds: number;
  sent: number;
  measured: number;
  achievedPerSecond: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
}

export interface LoadStep {
  percentOfMax: number;
  rate: number;
  achievedPerSecond: number;
  sent: number;
  measured: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
}

export interface LoadCurve {
  what: string;
  maxPerSecond: number;
  secondsEach: number;
  steps: LoadStep[];
}

/**
 * Publish -> committed latency at each load of LOAD_FRACTIONS of `maxPerSecond`, one after the
 * other on the same earn processes; a step ends once what it sent is committed (or given up on).
 */
export const measureLoadCurve = async (maxPerSecond: number, run: (prefix: string, rate: number) => Promise<SteadyLatency>): Promise<LoadCurve> => {
  const steps: LoadStep[] = [];
  let secondsEach = 0;
  for (const fraction of LOAD_FRACTIONS) {
    const rate = Math.max(1, Math.round(maxPerSecond * fraction));
    log(`load curve: ${fraction * 100}% of ${maxPerSecond}/s = ${rate}/s ...`);
    const measured = await run(`curve${fraction * 100}`, rate);
    secondsEach = measured.seconds;
    const { sent, p50ms, p99ms, maxMs, achievedPerSecond } = measured;
    steps.push({ percentOfMax: fraction * 100, rate, achievedPerSecond, sent, measured: measured.measured, p50ms, p99ms, maxMs });
    log(`load curve: ${rate}/s -> p50 ${p50ms} ms, p99 ${p99ms} ms, ${achievedPerSecond}/s committed`);
  }
  return { what: 'publish -> committed in the ledger at steady loads, parts of the backlog rate', maxPerSecond, secondsEach, steps };
};

/** Draws the curve as an SVG (ECharts rendered on the server, as the console draws its charts) and gives its path. */
export const writeLoadCurveChart = (file: string, curve: LoadCurve, machine: { calibrationMs: number; at: string }): string => {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 880, height: 480 });
  chart.setOption({
    animation: false,
    backgroundColor: '#fff',
    title: {
      text: 'earn: publish -> committed latency under load',
      subtext: `backlog rate ${curve.maxPerSecond}/s; ${curve.secondsEach} s a step; calibration ${machine.calibrationMs} ms; ${machine.at}`,
      left: 'center',
    },
    legend: { top: 56, data: ['p50', 'p99'] },
    grid: { top: 100, left: 80, right: 40, bottom: 60 },
    xAxis: {
      type: 'category',
      name: 'load',
      nameLocation: 'middle',
      nameGap: 36,
      data: curve.steps.map((s) => `${s.percentOfMax}% (${s.rate}/s)`),
    },
    yAxis: { type: 'log', name: 'ms', min: 1 },
    series: [
      { name: 'p50', type: 'line', data: curve.steps.map((s) => Math.max(1, s.p50ms)), label: { show: true } },
      {
        name: 'p99',
        type: 'line',
        data: curve.steps.map((s) => Math.max(1, s.p99ms)),
        label: { show: true },
        markLine: {
          symbol: 'none',
          data: [{ yAxis: 250, name: 'target at 80%' }],
          label: { position: 'insideStartTop', formatter: 'p99 target at 80%: 250 ms' },
        },
      },
    ],
  });
  writeFileSync(file, chart.renderToSVGString());
  chart.dispose();
  return file;
};
