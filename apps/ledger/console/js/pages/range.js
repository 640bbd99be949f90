import { esc } from '../dom.js';
import { t } from '../i18n.js';

/** The from/to form of the pages over a span of days; empty fields leave the API's default (30 days to today). */
export const rangeForm = (state) => `
  <form class="inline" id="range-form">
    <label>${esc(t('from'))} <input type="date" name="from" value="${esc(state.from ?? '')}"></label>
    <label>${esc(t('to'))} <input type="date" name="to" value="${esc(state.to ?? '')}"></label>
    <button type="submit">${esc(t('apply'))}</button>
  </form>`;

export const rangeQuery = (state) => new URLSearchParams(Object.entries({ from: state.from, to: state.to }).filter(([, v]) => v)).toString();

export const onRange = (root, state, rerender) => {
  root.querySelector('#range-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    state.from = form.get('from') || undefined;
    state.to = form.get('to') || undefined;
    void rerender();
  });
};
