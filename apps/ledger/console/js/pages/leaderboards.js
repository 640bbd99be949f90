import { chart, errorText, esc, table } from '../dom.js';
import { num, t } from '../i18n.js';

const state = { period: 'month', key: '', storeId: '', memberId: '' };

const boardQuery = (extra = {}) => new URLSearchParams(Object.entries({ key: state.key, storeId: state.storeId, ...extra }).filter(([, v]) => v)).toString();

export const renderLeaderboards = async (root, { api, role }) => {
  const storeLocked = role.kind === 'store';
  let board, rank, failure;
  try {
    board = await api(`/leaderboards/${state.period}?${boardQuery({ limit: 20 })}`);
    if (state.memberId)
      rank = await api(`/leaderboards/${state.period}/members/${encodeURIComponent(state.memberId)}?${boardQuery()}`).catch((error) => ({ error }));
  } catch (error) {
    failure = error;
  }
  const periods = ['day', 'week', 'month', 'campaign'];
  root.innerHTML = `
    <form class="inline" id="board-form">
      <label>${esc(t('period'))} <select name="period">${periods.map((p) => `<option value="${p}" ${p === state.period ? 'selected' : ''}>${esc(t(p))}</option>`).join('')}</select></label>
      <label>${esc(t('key'))} <input name="key" value="${esc(state.key)}" placeholder="2026-12 / 2026-W49 / 2026-12-07"></label>
      <label>${esc(t('store'))} <input name="storeId" value="${esc(storeLocked ? role.storeId : state.storeId)}" ${storeLocked ? 'disabled' : ''} placeholder="${esc(t('allStores'))}"></label>
      <label>${esc(t('memberId'))} <input name="memberId" value="${esc(state.memberId)}"></label>
      <button type="submit">${esc(t('show'))}</button>
    </form>
    ${
      failure
        ? errorText(failure)
        : `
    <p class="muted" data-testid="board-key">${esc(t(board.period))} ${esc(board.key)} · ${esc(board.storeId ?? t('allStores'))}</p>
    ${rank ? (rank.error ? errorText(rank.error) : `<p data-testid="member-rank"><strong>${esc(t('myRank'))}</strong>: ${esc(rank.memberId)} #${num(rank.rank)} / ${num(rank.members)} · ${num(rank.points)} ${esc(t('points'))}</p>`) : ''}
    <div class="row">
      <div class="panel">${table(
        [
          { label: t('rank'), value: (e) => num(e.rank), num: true },
          { label: t('memberId'), value: (e) => e.memberId },
          { label: t('points'), value: (e) => num(e.points), num: true },
        ],
        board.entries,
        'board-table',
      )}</div>
      <div class="panel"><div class="chart" id="board-chart" data-testid="chart-board"></div></div>
    </div>`
    }`;
  root.querySelector('#board-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    Object.assign(state, {
      period: form.get('period'),
      key: form.get('key').trim(),
      storeId: storeLocked ? '' : (form.get('storeId') ?? '').trim(),
      memberId: form.get('memberId').trim(),
    });
    void renderLeaderboards(root, { api, role });
  });
  if (failure) return;
  const top = [...board.entries].reverse();
  chart(root.querySelector('#board-chart'), {
    tooltip: { trigger: 'axis', valueFormatter: num },
    grid: { left: 90 },
    xAxis: { type: 'value', axisLabel: { formatter: num } },
    yAxis: { type: 'category', data: top.map((e) => e.memberId) },
    series: [{ name: t('points'), type: 'bar', data: top.map((e) => e.points) }],
  });
};
