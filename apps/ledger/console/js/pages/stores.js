import { chart, errorText, esc, table } from '../dom.js';
import { num, percent, t } from '../i18n.js';
import { onRange, rangeForm, rangeQuery } from './range.js';

const state = {};

export const renderStores = async (root, { api }) => {
  let result;
  try {
    result = await api(`/analytics/stores?${rangeQuery(state)}`);
  } catch (error) {
    root.innerHTML = errorText(error);
    return;
  }
  const stores = result.stores;
  root.innerHTML = `
    ${rangeForm(result)}
    <div class="panel"><h3>${esc(t('storesCompared'))}</h3><div class="chart" id="stores-chart" data-testid="chart-stores"></div></div>
    <div class="panel">${table(
      [
        { label: t('store'), value: (s) => s.storeId },
        { label: t('earned'), value: (s) => num(s.earned), num: true },
        { label: t('redeemed'), value: (s) => num(s.redeemed), num: true },
        { label: t('events'), value: (s) => num(s.events), num: true },
        { label: t('breakage'), value: (s) => percent(s.breakageRate), num: true },
      ],
      stores,
      'stores-table',
    )}</div>`;
  onRange(root, state, () => renderStores(root, { api }));
  chart(root.querySelector('#stores-chart'), {
    tooltip: { trigger: 'axis', valueFormatter: num },
    legend: { data: [t('earned'), t('redeemed')] },
    xAxis: { type: 'category', data: stores.map((s) => s.storeId) },
    yAxis: { type: 'value', axisLabel: { formatter: num } },
    series: [
      { name: t('earned'), type: 'bar', data: stores.map((s) => s.earned) },
      { name: t('redeemed'), type: 'bar', data: stores.map((s) => s.redeemed) },
    ],
  });
};
