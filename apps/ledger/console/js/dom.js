// Small helpers to render escaped HTML and ECharts charts.
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);

export const table = (columns, rows, testId) => `
  <table data-testid="${esc(testId)}">
    <thead><tr>${columns.map((c) => `<th class="${c.num ? 'num' : ''}">${esc(c.label)}</th>`).join('')}</tr></thead>
    <tbody>${rows.map((row) => `<tr>${columns.map((c) => `<td class="${c.num ? 'num' : ''}">${c.html ? c.value(row) : esc(c.value(row))}</td>`).join('')}</tr>`).join('')}</tbody>
  </table>`;

export const card = (label, value, testId) =>
  `<div class="card" data-testid="${esc(testId)}"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div></div>`;

const charts = new Set();

/** Draws an ECharts option into the element (canvas renderer), replacing what was there. */
export const chart = (element, option) => {
  const existing = window.echarts.getInstanceByDom(element);
  if (existing) existing.dispose();
  const instance = window.echarts.init(element, null, { renderer: 'canvas' });
  instance.setOption({ animation: false, ...option });
  charts.add(instance);
  return instance;
};

export const disposeCharts = () => {
  for (const instance of charts) if (!instance.isDisposed()) instance.dispose();
  charts.clear();
};

window.addEventListener('resize', () => {
  for (const instance of charts) if (!instance.isDisposed()) instance.resize();
});

export const errorText = (error) => `<p class="error" data-testid="error">${esc(error.body?.error ?? '')} ${esc(error.message)}</p>`;
