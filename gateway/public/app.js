'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  let lang = localStorage.getItem('wxnotify-lang') || 'zh';
  let lastExamples = null;
  let activeTab = 'curl';
  /** What each message line shows, kept so that a language switch re-renders it. */
  const messages = new Map();
  let lastCodes = [];
  const MESSAGE_IDS = ['login-error', 'verify-error', 'generate-error', 'codes-status', 'verify-status'];

  function t(key, vars) {
    const table = window.WXN_I18N[lang] || window.WXN_I18N.zh;
    let text = table[key] || window.WXN_I18N.zh[key] || key;
    for (const [name, value] of Object.entries(vars || {})) text = text.replace(`{${name}}`, String(value));
    return text;
  }

  function applyLanguage() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = lang === 'zh' ? 'wxnotify 通知网关' : 'wxnotify gateway';
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    $('lang-toggle').textContent = lang === 'zh' ? 'English' : '中文';
    for (const [id, message] of messages) renderMessage(id, message);
    renderCodes();
  }

  /** Chinese hint (by error code) first, then the upstream's own message. */
  function describeError(error) {
    const hints = window.WXN_ERROR_HINTS || {};
    const errcode = /\b(\d{5,6})\b/.exec(error.message || '');
    const zh = hints[error.code] || (errcode && hints[errcode[1]]);
    if (lang === 'zh' && zh) return `${zh}（${error.message}）`;
    return `${error.message}${error.hint ? ` (${error.hint})` : ''}`;
  }

  function renderMessage(id, message) {
    $(id).textContent = message.key ? t(message.key, message.vars) : message.error ? describeError(message.error) : '';
    $(id).classList.toggle('error', Boolean(message.error));
  }

  /** Sets one message line: a text key (translated, also after a language switch) or an error. */
  function say(id, message) {
    if (message) messages.set(id, message);
    else messages.delete(id);
    renderMessage(id, message || {});
  }

  /** A step succeeded: errors from earlier steps no longer apply. */
  function clearErrors() {
    for (const id of MESSAGE_IDS) if (messages.get(id)?.error) say(id);
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Wxnotify-Admin': '1' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const error = new Error(data.message || `${t('requestFailed')} (${res.status})`);
      error.status = res.status;
      error.hint = data.hint;
      error.code = data.code;
      throw error;
    }
    return data;
  }

  function showError(id, error) {
    say(id, error ? { error } : undefined);
  }

  function show(view) {
    $('login-view').classList.toggle('hidden', view !== 'login');
    $('app-view').classList.toggle('hidden', view !== 'app');
    $('logout').classList.toggle('hidden', view !== 'app');
  }

  function credentials() {
    return { corpId: $('corp-id').value.trim(), corpSecret: $('corp-secret').value.trim(), agentId: $('agent-id').value.trim() };
  }

  function checkbox(name, value, label) {
    const wrap = document.createElement('label');
    wrap.className = 'inline';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = name;
    box.value = value;
    const span = document.createElement('span');
    span.textContent = label;
    wrap.append(box, span);
    return wrap;
  }

  async function verify() {
    showError('verify-error');
    $('verify').disabled = true;
    say('verify-status', { key: 'verifying' });
    try {
      const creds = credentials();
      const data = await api('POST', '/admin/api/wecom/verify', creds);
      rememberDepartments(creds.corpId, data.departments);
      $('departments').replaceChildren(...data.departments.map((d) => checkbox('party', String(d.id), `🏢 ${d.name}`)));
      $('members').replaceChildren(...data.members.map((m) => checkbox('user', m.userId, `👤 ${m.name} (${m.userId})`)));
      clearErrors();
      say('verify-status', { key: 'verified', vars: { d: data.departments.length, m: data.members.length } });
    } catch (error) {
      say('verify-status');
      showError('verify-error', error);
    } finally {
      $('verify').disabled = false;
    }
  }

  function pickedRecipients() {
    if ($('to-all').checked) return { all: true };
    const checked = (name) => [...document.querySelectorAll(`input[name=${name}]:checked`)].map((b) => b.value);
    const manual = $('manual-users').value.split(/[|,;\s]+/).filter(Boolean);
    const users = [...new Set([...checked('user'), ...manual])];
    const parties = checked('party');
    const to = {};
    if (users.length) to.users = users;
    if (parties.length) to.parties = parties;
    return Object.keys(to).length ? to : null;
  }

  function showResult(data) {
    lastExamples = data.examples;
    $('result-code').textContent = data.code;
    $('result-url').textContent = data.examples.url;
    for (const kind of ['curl', 'python', 'node']) $(`example-${kind}`).textContent = data.examples[kind];
    $('result-card').classList.remove('hidden');
    $('result-card').scrollIntoView({ behavior: 'smooth' });
  }

  async function generate() {
    showError('generate-error');
    const to = pickedRecipients();
    if (!to) return showError('generate-error', new Error(t('pickSomeone')));
    $('generate').disabled = true;
    try {
      const rate = $('rate-limit').value.trim();
      const data = await api('POST', '/admin/api/codes', { ...credentials(), to, name: $('config-name').value.trim(), ...(rate ? { rateLimitPerMinute: Number(rate) } : {}) });
      showResult(data);
      clearErrors();
      await loadCodes();
    } catch (error) {
      showError('generate-error', error);
    } finally {
      $('generate').disabled = false;
    }
  }

  /** Department names by corp, from the last verify (the Code list holds ids only). */
  function departmentNames(corpId) {
    try {
      return JSON.parse(localStorage.getItem(`wxnotify-departments:${corpId}`) || '{}');
    } catch {
      return {};
    }
  }

  function rememberDepartments(corpId, departments) {
    const names = departmentNames(corpId);
    for (const d of departments) names[String(d.id)] = d.name;
    localStorage.setItem(`wxnotify-departments:${corpId}`, JSON.stringify(names));
  }

  function recipientsText(c) {
    const to = c.to || {};
    if (to.all) return '@all';
    if (Array.isArray(to)) return to.join(' | ');
    const names = departmentNames(c.corpId);
    const parties = (to.parties || []).map((p) => (names[String(p)] ? `🏢 ${names[String(p)]}` : t('departmentId', { id: p })));
    return [...(to.users || []), ...parties, ...(to.tags || []).map((g) => `${t('tag')}:${g}`)].join(' | ');
  }

  function actionButton(label, className, handler) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `small ${className}`;
    button.textContent = label;
    button.addEventListener('click', handler);
    return button;
  }

  /** Runs a table action; then the list is read again (send counts, status), and the outcome shown. */
  async function codeAction(fn, messageKey) {
    say('codes-status');
    try {
      await fn();
      clearErrors();
      say('codes-status', { key: messageKey });
    } catch (error) {
      say('codes-status', { error });
    }
    await loadCodes().catch(() => undefined);
  }

  async function loadCodes() {
    lastCodes = (await api('GET', '/admin/api/codes')).codes;
    renderCodes();
  }

  function renderCodes() {
    const labels = ['colName', 'colCode', 'agentIdLabel', 'colRecipients', 'colSends', 'colStatus', 'colActions'].map((key) => t(key));
    const rows = lastCodes.map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.id = c.id;
      const agent = Number.isFinite(c.agentId) && c.agentId > 0 ? String(c.agentId) : '–';
      const cells = [c.name, c.hint, agent, recipientsText(c), String(c.sendCount), c.revokedAt ? t('revoked') : t('active')];
      cells.forEach((value, i) => {
        const td = document.createElement('td');
        td.textContent = value;
        td.dataset.label = labels[i];
        if (i === 0) td.className = 'name';
        tr.append(td);
      });
      if (c.revokedAt) tr.lastChild.classList.add('revoked');
      const actions = document.createElement('td');
      actions.className = 'actions';
      actions.dataset.label = labels[6];
      if (!c.revokedAt) {
        actions.append(
          actionButton(t('test'), 'secondary', () => codeAction(() => api('POST', `/admin/api/codes/${c.id}/test`, {}), 'testSent')),
          actionButton(t('rotate'), 'secondary', () => confirm(t('confirmRotate')) && codeAction(async () => showResult(await api('POST', `/admin/api/codes/${c.id}/rotate`, {})), 'rotated')),
          actionButton(t('revoke'), 'danger', () => confirm(t('confirmRevoke')) && codeAction(() => api('DELETE', `/admin/api/codes/${c.id}`), 'revokedDone')),
        );
      }
      tr.append(actions);
      return tr;
    });
    document.querySelector('#codes-table tbody').replaceChildren(...rows);
    $('codes-empty').classList.toggle('hidden', rows.length > 0);
  }

  async function enterApp() {
    show('app');
    await loadCodes();
  }

  async function copyFrom(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    const old = button.textContent;
    button.textContent = t('copied');
    setTimeout(() => (button.textContent = old), 1200);
  }

  document.addEventListener('DOMContentLoaded', async () => {
    applyLanguage();
    $('lang-toggle').addEventListener('click', () => {
      lang = lang === 'zh' ? 'en' : 'zh';
      localStorage.setItem('wxnotify-lang', lang);
      applyLanguage();
    });
    $('login-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      showError('login-error');
      try {
        await api('POST', '/admin/api/login', { password: $('login-password').value });
        $('login-password').value = '';
        clearErrors();
        await enterApp();
      } catch (error) {
        if (error.status === 401) say('login-error', { key: 'wrongPassword', error: true });
        else showError('login-error', error);
      }
    });
    $('logout').addEventListener('click', async () => {
      await api('POST', '/admin/api/logout', {}).catch(() => undefined);
      show('login');
    });
    $('verify').addEventListener('click', verify);
    $('generate').addEventListener('click', generate);
    for (const tab of document.querySelectorAll('.tab')) {
      tab.addEventListener('click', () => {
        activeTab = tab.dataset.tab;
        for (const other of document.querySelectorAll('.tab')) other.classList.toggle('active', other === tab);
        for (const kind of ['curl', 'python', 'node']) $(`example-${kind}`).classList.toggle('hidden', kind !== activeTab);
      });
    }
    for (const button of document.querySelectorAll('button.copy[data-copy]')) {
      button.addEventListener('click', () => copyFrom($(button.dataset.copy).textContent, button));
    }
    $('copy-example').addEventListener('click', (event) => lastExamples && copyFrom(lastExamples[activeTab], event.currentTarget));
    const session = await api('GET', '/admin/api/session').catch(() => ({ authenticated: false }));
    if (session.authenticated) await enterApp();
    else show('login');
  });
})();
