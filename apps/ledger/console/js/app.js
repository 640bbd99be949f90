import { api, clearToken, getToken, setToken, whoAmI } from './api.js';
import { disposeCharts, esc } from './dom.js';
import { getLocale, setLocale, t, translateStatic } from './i18n.js';
import { renderLeaderboards } from './pages/leaderboards.js';
import { renderMember } from './pages/member.js';
import { renderOps } from './pages/ops.js';
import { renderOverview } from './pages/overview.js';
import { renderStores } from './pages/stores.js';

const PAGES = {
  overview: { render: renderOverview },
  stores: { render: renderStores },
  leaderboards: { render: renderLeaderboards },
  member: { render: renderMember },
  ops: { render: renderOps, ops: true },
};

const main = document.getElementById('main');
let role;

const showLogin = (problem) => {
  document.getElementById('nav').innerHTML = '';
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  main.innerHTML = `
    <form class="panel login" id="login-form" data-testid="login">
      <h2>${esc(t('login'))}</h2>
      <p class="muted">${esc(t('loginHint'))}</p>
      <p><input type="password" id="token" name="token" autocomplete="off" placeholder="${esc(t('token'))}" style="width:100%"></p>
      ${problem ? `<p class="error" data-testid="login-error">${esc(problem)}</p>` : ''}
      <button type="submit">${esc(t('login'))}</button>
    </form>`;
  document.getElementById('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = document.getElementById('token').value.trim();
    try {
      role = await whoAmI(token);
      setToken(token);
      if (!location.hash) location.hash = '#/overview';
      await route();
    } catch {
      showLogin(t('badToken'));
    }
  });
};

const describeRole = () => (role.kind === 'store' ? `store:${role.storeId}` : role.kind);

const renderNav = (current) => {
  const visible = Object.entries(PAGES).filter(([, page]) => !page.ops || role.kind === 'ops');
  document.getElementById('nav').innerHTML = visible
    .map(([name]) => `<a href="#/${name}" data-testid="nav-${name}" class="${name === current ? 'active' : ''}">${esc(t(name))}</a>`)
    .join('');
  document.getElementById('who').textContent = `${t('role')}: ${describeRole()}`;
  document.getElementById('logout').hidden = false;
};

const route = async () => {
  translateStatic();
  if (!getToken()) return showLogin();
  if (!role) {
    try {
      role = await whoAmI(getToken());
    } catch {
      clearToken();
      return showLogin(t('badToken'));
    }
  }
  const [name, ...rest] = location.hash.replace(/^#\//, '').split('/');
  const page = PAGES[name] && (!PAGES[name].ops || role.kind === 'ops') ? name : 'overview';
  renderNav(page);
  disposeCharts();
  main.innerHTML = `<p class="muted">…</p>`;
  main.dataset.page = page;
  await PAGES[page].render(main, { role, args: rest.map(decodeURIComponent), api });
  main.dataset.ready = page;
};

document.getElementById('lang').value = getLocale();
setLocale(getLocale());
document.getElementById('lang').addEventListener('change', (event) => {
  setLocale(event.target.value);
  void route();
});
document.getElementById('logout').addEventListener('click', () => {
  clearToken();
  role = undefined;
  location.hash = '';
  void route();
});
window.addEventListener('hashchange', () => void route());
void route();
