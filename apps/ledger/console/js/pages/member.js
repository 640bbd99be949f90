import { errorText, esc, table } from '../dom.js';
import { dateTime, num, t } from '../i18n.js';

const state = { memberId: '', asOf: '' };
/** Pages of 500 events read at most for one member's history. */
const MAX_PAGES = 20;

const allEvents = async (api, memberId) => {
  const events = [];
  let after = '0';
  for (let page = 0; page < MAX_PAGES && after !== null; page++) {
    const result = await api(`/members/${encodeURIComponent(memberId)}/events?after=${after}&limit=500`);
    events.push(...result.events);
    after = result.next;
  }
  return events;
};

/** Each event's prevHash must be the hash of the member's previous version (the audit recomputes the hashes themselves). */
const chainStatus = (events) =>
  events.map((event, i) => (i === 0 ? event.version === 1 || event.prevHash !== undefined : event.prevHash === events[i - 1].hash));

/** Holds still open: held and neither captured nor released (all in the member's history). */
const openHolds = (events) => {
  const holds = new Map();
  for (const event of events) {
    if (event.type === 'points.held') holds.set(event.data.holdId, { ...event.data, occurredAt: event.occurredAt });
    if (event.type === 'hold.captured' || event.type === 'hold.released') holds.delete(event.data.holdId);
  }
  return [...holds.values()];
};

const pointsOf = (event) => {
  const p = event.data?.points;
  if (p === undefined) return '';
  const sign =
    ['points.earned', 'redemption.reversed', 'hold.released'].includes(event.type) || (event.type === 'points.adjusted' && p > 0)
      ? '+'
      : event.type === 'points.adjusted'
        ? ''
        : '−';
  return `${sign}${num(Math.abs(p))}`;
};

/** A local date-time in the programme's zone (UTC+8, no daylight saving) as an instant. */
const asOfInstant = (local) => (local ? new Date(`${local.length === 16 ? `${local}:00` : local}+08:00`).toISOString() : '');

export const renderMember = async (root, { api, args }) => {
  if (args[0] && !state.memberId) state.memberId = args[0];
  root.innerHTML = `
    <form class="inline" id="member-form" data-testid="member-form">
      <label>${esc(t('memberId'))} <input name="memberId" data-testid="member-id" value="${esc(state.memberId)}" required></label>
      <label>${esc(t('asOf'))} <input type="datetime-local" step="1" name="asOf" value="${esc(state.asOf)}"></label>
      <button type="submit" data-testid="member-search">${esc(t('search'))}</button>
    </form>
    <div id="member-result" data-testid="member-result"></div>`;
  root.querySelector('#member-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    state.memberId = form.get('memberId').trim();
    state.asOf = form.get('asOf');
    void renderMember(root, { api, args: [] });
  });
  if (!state.memberId) return;
  const out = root.querySelector('#member-result');
  const id = encodeURIComponent(state.memberId);
  try {
    const asOf = asOfInstant(state.asOf);
    const [balance, lots, events] = await Promise.all([
      api(`/members/${id}/balance${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`),
      api(`/members/${id}/lots`),
      allEvents(api, state.memberId),
    ]);
    const chain = chainStatus(events);
    const intact = chain.every(Boolean);
    out.innerHTML = `
      <div class="cards" data-testid="member-balance">
        ${[
          ['available', balance.available],
          ['pending', balance.pending],
          ['held', balance.held],
          ['lifetimeEarned', balance.lifetimeEarned],
          ['expired', balance.expired],
        ]
          .map(([k, v]) => `<div class="card"><div class="label">${esc(t(k))}</div><div class="value" data-testid="balance-${k}">${esc(num(v))}</div></div>`)
          .join('')}
        <div class="card"><div class="label">${esc(t('tier'))}</div><div class="value">${esc(balance.tier)}</div></div>
        <div class="card"><div class="label">${esc(t('chain'))}</div><div class="value ${intact ? 'ok' : 'error'}" data-testid="chain-status">${esc(intact ? t('chainOk') : t('chainBroken'))}</div></div>
      </div>
      <p class="muted">${esc(t('asOf'))}: ${esc(dateTime(balance.asOf))}</p>
      <div class="row">
        <div class="panel"><h3>${esc(t('lots'))}</h3>${table(
          [
            { label: t('lotId'), value: (l) => l.lotId },
            { label: t('remaining'), value: (l) => num(l.remaining), num: true },
            { label: t('expiresAt'), value: (l) => dateTime(l.expiresAt) },
          ],
          lots,
          'lots-table',
        )}</div>
        <div class="panel"><h3>${esc(t('holds'))}</h3>${table(
          [
            { label: t('holdId'), value: (h) => h.holdId },
            { label: t('points'), value: (h) => num(h.points), num: true },
            { label: t('store'), value: (h) => h.storeId },
            { label: t('expiresAt'), value: (h) => dateTime(h.expiresAt) },
          ],
          openHolds(events),
          'holds-table',
        )}</div>
      </div>
      <div class="panel"><h3>${esc(t('tierHistory'))}</h3>${table(
        [
          { label: t('occurredAt'), value: (e) => dateTime(e.occurredAt) },
          { label: t('from_'), value: (e) => e.data.from },
          { label: t('to_'), value: (e) => e.data.to },
          { label: t('reason'), value: (e) => e.data.reason },
        ],
        events.filter((e) => e.type === 'tier.changed'),
        'tier-history',
      )}</div>
      <div class="panel"><h3>${esc(t('history'))}</h3>${table(
        [
          { label: t('version'), value: (e) => e.version, num: true },
          { label: t('type'), value: (e) => e.type },
          { label: t('points'), value: pointsOf, num: true },
          { label: t('occurredAt'), value: (e) => dateTime(e.occurredAt) },
          {
            label: t('chain'),
            html: true,
            value: (e) => `<code class="${chain[events.indexOf(e)] ? 'ok' : 'error'}" title="${esc(e.hash)}">${esc(e.hash.slice(0, 12))}</code>`,
          },
        ],
        [...events].reverse(),
        'history-table',
      )}</div>`;
  } catch (error) {
    out.innerHTML = error.status === 404 ? `<p class="error" data-testid="error">${esc(t('notFound'))}: ${esc(state.memberId)}</p>` : errorText(error);
  }
};
