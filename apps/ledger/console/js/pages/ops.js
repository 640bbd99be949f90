import { errorText, esc, table } from '../dom.js';
import { dateTime, num, t } from '../i18n.js';

const list = async (api, path, key) => {
  try {
    return (await api(path))[key];
  } catch (error) {
    return { error };
  }
};

const section = (title, rows, columns, testId) => `
  <div class="panel"><h3>${esc(title)}</h3>${rows.error ? errorText(rows.error) : rows.length === 0 ? `<p class="muted" data-testid="${testId}-empty">${esc(t('none'))}</p>` : table(columns, rows, testId)}</div>`;

/** Runs a long ops call, showing elapsed time while it runs, then its report. */
const runJob = async (button, output, call) => {
  const started = Date.now();
  button.disabled = true;
  const timer = setInterval(() => {
    output.textContent = `${t('running')} … ${t('elapsed')} ${num(Math.round((Date.now() - started) / 1000))} ${t('seconds')}`;
  }, 250);
  try {
    const report = await call();
    output.innerHTML = `<span class="ok">${esc(t('done'))}</span> <code data-testid="job-report">${esc(JSON.stringify(report).slice(0, 2000))}</code>`;
  } catch (error) {
    output.innerHTML = errorText(error);
  } finally {
    clearInterval(timer);
    button.disabled = false;
  }
};

export const renderOps = async (root, { api }) => {
  const [deadLetters, rejections, parked] = await Promise.all([
    list(api, '/ops/dead-letters?limit=100', 'deadLetters'),
    list(api, '/ops/rejections?limit=100', 'rejections'),
    list(api, '/ops/parked?limit=100', 'parked'),
  ]);
  root.innerHTML = `
    <div class="panel">
      <button id="run-audit" data-testid="run-audit">${esc(t('runAudit'))}</button>
      <button id="run-replay" data-testid="run-replay">${esc(t('runReplay'))}</button>
      <button id="run-rebuild" data-testid="run-rebuild">${esc(t('rebuild'))}</button>
      <p id="job-output" data-testid="job-output" class="muted"></p>
    </div>
    ${section(
      t('deadLetters'),
      deadLetters,
      [
        { label: t('at'), value: (d) => dateTime(d.recordedAt) },
        { label: t('topic'), value: (d) => d.sourceTopic },
        { label: t('reason'), value: (d) => d.reason },
        { label: '', value: (d) => (d.message ?? '').slice(0, 160) },
      ],
      'dead-letters',
    )}
    ${section(
      t('rejections'),
      rejections,
      [
        { label: t('at'), value: (r) => dateTime(r.recordedAt) },
        { label: t('memberId'), value: (r) => r.memberId },
        { label: t('reason'), value: (r) => r.code },
        { label: '', value: (r) => r.message ?? r.input?.type ?? '' },
      ],
      'rejections',
    )}
    ${section(
      t('parked'),
      parked,
      [
        { label: t('at'), value: (p) => dateTime(p.parkedAt) },
        { label: t('memberId'), value: (p) => p.memberId },
        { label: t('reason'), value: (p) => `${p.input?.type ?? ''} → ${p.waitKey}` },
      ],
      'parked',
    )}`;
  const output = root.querySelector('#job-output');
  const bind = (id, call) => root.querySelector(id).addEventListener('click', (event) => void runJob(event.target, output, call));
  bind('#run-audit', () => api('/ops/audit'));
  bind('#run-replay', () => api('/ops/replay', { method: 'POST', body: {} }));
  bind('#run-rebuild', () => api('/ops/analytics/rebuild', { method: 'POST', body: {} }));
};
