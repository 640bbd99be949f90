import { card, chart, errorText, esc, table } from '../dom.js';
import { dayLabel, money, num, percent, t } from '../i18n.js';
import { onRange, rangeForm, rangeQuery } from './range.js';

const state = {};

export const renderOverview = async (root, { api }) => {
  const query = rangeQuery(state);
  let overview, daily, rewards;
  try {
    [overview, daily, rewards] = await Promise.all([api(`/analytics/overview?${query}`), api(`/analytics/daily?${query}`), api(`/analytics/rewards?${query}`)]);
  } catch (error) {
    root.innerHTML = errorText(error);
    return;
  }
  const liability = overview.liability;
  root.innerHTML = `
    ${rangeForm({ from: overview.from, to: overview.to })}
    <div class="cards">
      ${liability ? card(t('liability'), num(liability.points), 'kpi-liability') : ''}
      ${liability ? card(t('cashValue'), money(liability.cashValueMinor, liability.currency), 'kpi-cash') : ''}
      ${card(t('earned'), num(overview.totals.earned), 'kpi-earned')}
      ${card(t('redeemed'), num(overview.totals.redeemed + overview.totals.captured), 'kpi-redeemed')}
      ${card(t('breakage'), percent(overview.breakageRate), 'kpi-breakage')}
      ${overview.activeMembers ? card(t('active30'), num(overview.activeMembers.last30Days), 'kpi-active') : ''}
      ${liability ? card(t('members'), num(liability.members), 'kpi-members') : ''}
      ${card(t('lag'), `${num(Math.round(overview.lag.lagSeconds))} ${t('seconds')}`, 'kpi-lag')}
    </div>
    ${liability ? '' : `<p class="muted">${esc(t('noStoreLiability'))}</p>`}
    <div class="row">
      <div class="panel"><h3>${esc(t('earnBurn'))}</h3><div class="chart" id="earn-burn" data-testid="chart-earn-burn"></div></div>
      ${overview.tiers ? `<div class="panel"><h3>${esc(t('tierMix'))}</h3><div class="chart" id="tier-mix" data-testid="chart-tier-mix"></div></div>` : ''}
    </div>
    <div class="panel"><h3>${esc(t('rewards'))}</h3>
      ${
        rewards.rewards.length === 0
          ? `<p class="muted">${esc(t('none'))}</p>`
          : table(
              [
                { label: t('reward'), value: (r) => r.rewardId },
                { label: t('redemptions'), value: (r) => num(r.redemptions), num: true },
                { label: t('points'), value: (r) => num(r.points), num: true },
              ],
              rewards.rewards,
              'rewards-table',
            )
      }
    </div>`;
  onRange(root, state, () => renderOverview(root, { api }));
  const days = daily.days;
  chart(root.querySelector('#earn-burn'), {
    tooltip: { trigger: 'axis', valueFormatter: num },
    legend: { data: [t('earned'), t('burnt'), t('expired')] },
    xAxis: { type: 'category', data: days.map((d) => dayLabel(d.day)) },
    yAxis: { type: 'value', axisLabel: { formatter: num } },
    series: [
      { name: t('earned'), type: 'bar', data: days.map((d) => d.earned) },
      { name: t('burnt'), type: 'bar', data: days.map((d) => d.redeemed + d.captured - d.reversed) },
      { name: t('expired'), type: 'line', data: days.map((d) => d.expired) },
    ],
  });
  if (overview.tiers) {
    chart(root.querySelector('#tier-mix'), {
      tooltip: { trigger: 'item', valueFormatter: num },
      series: [{ type: 'pie', radius: ['40%', '70%'], data: overview.tiers.map((tier) => ({ name: tier.tier, value: tier.members })) }],
    });
  }
};
