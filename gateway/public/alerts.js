'use strict';
/*
 * The page's alert views (added under the Code forms once logged in): Codes on named channels,
 * active/resolved alert groups with acknowledge and silence, and the searchable delivery log with
 * resend. Text from the server is only ever set with textContent.
 */
(function () {
  const WORDS = {
    zh: {
      channelTitle: '通道 Code（机器人、WxPusher、个人微信、聚合、其他应用）',
      channelHint: '为 WXNOTIFY_CHANNELS_FILE 中的通道生成 Code，用于 /api/notify/{code} 和 /api/alerts/{code}。',
      channel: '通道',
      recipients: '接收人（用逗号分隔；机器人留空）',
      recipientsHint: '应用: zhangsan, party:2, tag:3；WxPusher: UID_…, topic:123；个人微信: wxid_…；聚合: S:… / R:…',
      name: '名称',
      createCode: '生成 Code',
      noChannels: '没有配置通道（WXNOTIFY_CHANNELS_FILE）。',
      codeOnce: 'Code 只显示这一次，请立即保存。',
      alertsUrl: '告警地址（Alertmanager webhook_configs / Grafana 联系点）',
      alertsTitle: '告警',
      active: '告警中',
      resolved: '已恢复',
      refresh: '刷新',
      colGroup: '告警组',
      colAlerts: '告警',
      colLastSent: '上次通知',
      colActions: '操作',
      ack: '确认',
      acked: '已确认',
      silence: '静默',
      silenceFor: '静默时长（如 30m、2h、1d）',
      noGroups: '没有告警组。',
      silencesTitle: '静默规则',
      expire: '结束',
      noSilences: '没有静默规则。',
      deliveriesTitle: '投递记录',
      search: '搜索标题、接收方、通道、状态、接口或内容',
      colTime: '时间',
      colReceiver: '接收方 / 通道',
      colTitle: '标题',
      colParts: '分段',
      colStatus: '状态',
      colCode: '上游代码',
      colRetries: '重试',
      colCoalesced: '合并',
      resend: '重发',
      noDeliveries: '还没有投递记录。',
      never: '未发送',
      done: '已完成',
      sent: '已发送',
      failed: '失败',
      sending: '发送中',
      queued: '排队中',
      coalesced: '已合并发送',
      alertsCount: '条告警',
      unconfirmed: '未确认（已转交其他副本）',
      'lease-lost': '已转交其他副本',
    },
    en: {
      channelTitle: 'Channel Codes (robot, WxPusher, personal WeChat, JuHe, other apps)',
      channelHint: 'A Code for a channel of WXNOTIFY_CHANNELS_FILE, for /api/notify/{code} and /api/alerts/{code}.',
      channel: 'Channel',
      recipients: 'Recipients (comma separated; none for robots)',
      recipientsHint: 'App: zhangsan, party:2, tag:3; WxPusher: UID_…, topic:123; personal WeChat: wxid_…; JuHe: S:… / R:…',
      name: 'Name',
      createCode: 'Create Code',
      noChannels: 'No channels configured (WXNOTIFY_CHANNELS_FILE).',
      codeOnce: 'The Code is shown only once: store it now.',
      alertsUrl: 'Alert URL (Alertmanager webhook_configs / Grafana contact point)',
      alertsTitle: 'Alerts',
      active: 'Firing',
      resolved: 'Resolved',
      refresh: 'Refresh',
      colGroup: 'Group',
      colAlerts: 'Alerts',
      colLastSent: 'Last notification',
      colActions: 'Actions',
      ack: 'Acknowledge',
      acked: 'Acknowledged',
      silence: 'Silence',
      silenceFor: 'Silence for (e.g. 30m, 2h, 1d)',
      noGroups: 'No alert groups.',
      silencesTitle: 'Silences',
      expire: 'End',
      noSilences: 'No silences.',
      deliveriesTitle: 'Delivery log',
      search: 'Search title, receiver, channel, status, route or text',
      colTime: 'Time',
      colReceiver: 'Receiver / channel',
      colTitle: 'Title',
      colParts: 'Parts',
      colStatus: 'Status',
      colCode: 'Upstream code',
      colRetries: 'Retries',
      colCoalesced: 'Coalesced',
      resend: 'Resend',
      noDeliveries: 'No deliveries yet.',
      never: 'not sent',
      done: 'done',
      sent: 'sent',
      failed: 'failed',
      sending: 'sending',
      queued: 'queued',
      coalesced: 'sent merged',
      alertsCount: 'alerts',
      unconfirmed: 'unconfirmed (handed to another replica)',
      'lease-lost': 'handed to another replica',
    },
  };
  const state = { view: 'active', query: '', timer: null };
  const lang = () => (document.documentElement.lang === 'en' ? 'en' : 'zh');
  const w = (key) => WORDS[lang()][key] || WORDS.zh[key] || key;

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Wxnotify-Admin': '1' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(`${data.message || res.status}${data.field ? ` (${data.field})` : ''}`);
    return data;
  }

  const time = (iso) => (iso ? new Date(iso).toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false }) : w('never'));

  function table(id, headers) {
    // Headers carry their key, so that translate() switches them with the rest of the page.
    return el('table', { id, class: 'responsive' }, el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { 'data-alerts-i18n': h, text: w(h) })))), el('tbody'));
  }

  /** Fills a table's body; each cell gets its column name, shown as a label on phone-sized screens (style.css). */
  function fillTable(id, ...rows) {
    const tableNode = document.getElementById(id);
    const names = [...tableNode.querySelectorAll('thead th')].map((th) => th.textContent);
    for (const row of rows) [...row.children].forEach((td, i) => td.setAttribute('data-label', names[i] ?? ''));
    tableNode.querySelector('tbody').replaceChildren(...rows);
  }

  function build() {
    const app = document.getElementById('app-view');
    const channelCard = el(
      'section',
      { class: 'card', id: 'channel-codes-card' },
      el('h2', { 'data-alerts-i18n': 'channelTitle' }),
      el('p', { class: 'muted', 'data-alerts-i18n': 'channelHint' }),
      el(
        'div',
        { class: 'grid' },
        el('label', {}, el('span', { 'data-alerts-i18n': 'channel' }), el('select', { id: 'cc-channel' })),
        el('label', {}, el('span', { 'data-alerts-i18n': 'recipients' }), el('input', { id: 'cc-to', maxlength: '2000' })),
        el('label', {}, el('span', { 'data-alerts-i18n': 'name' }), el('input', { id: 'cc-name', maxlength: '100' })),
      ),
      el('p', { class: 'muted', 'data-alerts-i18n': 'recipientsHint' }),
      el('button', { type: 'button', id: 'cc-create', 'data-alerts-i18n': 'createCode', onclick: createCode }),
      el('p', { class: 'error', id: 'cc-error', role: 'alert' }),
      el(
        'div',
        { id: 'cc-result', class: 'hidden' },
        el('p', { class: 'warning', 'data-alerts-i18n': 'codeOnce' }),
        el('div', { class: 'copy-row' }, el('code', { id: 'cc-code' })),
        el('p', { class: 'muted', 'data-alerts-i18n': 'alertsUrl' }),
        el('div', { class: 'copy-row' }, el('code', { id: 'cc-alerts-url' })),
      ),
    );
    const alertsCard = el(
      'section',
      { class: 'card', id: 'alerts-card' },
      el('h2', { 'data-alerts-i18n': 'alertsTitle' }),
      el(
        'div',
        { class: 'tabs' },
        el('button', { type: 'button', class: 'tab active', id: 'alerts-tab-active', 'data-alerts-i18n': 'active', onclick: () => switchView('active') }),
        el('button', { type: 'button', class: 'tab', id: 'alerts-tab-resolved', 'data-alerts-i18n': 'resolved', onclick: () => switchView('resolved') }),
        el('button', { type: 'button', class: 'link', id: 'alerts-refresh', 'data-alerts-i18n': 'refresh', onclick: refresh }),
      ),
      table('alert-groups', ['colGroup', 'colAlerts', 'colLastSent', 'colActions']),
      el('p', { class: 'muted', id: 'alert-groups-empty', 'data-alerts-i18n': 'noGroups' }),
      el('p', { class: 'error', id: 'alerts-error', role: 'alert' }),
      el('h2', { 'data-alerts-i18n': 'silencesTitle' }),
      table('alert-silences', ['colGroup', 'colTime', 'colActions']),
      el('p', { class: 'muted', id: 'alert-silences-empty', 'data-alerts-i18n': 'noSilences' }),
    );
    const logCard = el(
      'section',
      { class: 'card', id: 'deliveries-card' },
      el('h2', { 'data-alerts-i18n': 'deliveriesTitle' }),
      el('input', { id: 'deliveries-search', type: 'search', oninput: onSearch }),
      table('deliveries-table', ['colTime', 'colReceiver', 'colTitle', 'colParts', 'colStatus', 'colCode', 'colRetries', 'colCoalesced', 'colActions']),
      el('p', { class: 'muted', id: 'deliveries-empty', 'data-alerts-i18n': 'noDeliveries' }),
    );
    app.append(channelCard, alertsCard, logCard);
  }

  function translate() {
    for (const node of document.querySelectorAll('[data-alerts-i18n]')) node.textContent = w(node.dataset.alertsI18n);
    const search = document.getElementById('deliveries-search');
    if (search) search.placeholder = w('search');
  }

  async function loadChannels() {
    const select = document.getElementById('cc-channel');
    try {
      const { channels } = await api('GET', '/admin/api/channels');
      select.replaceChildren(...channels.map((c) => el('option', { value: c.name, text: `${c.name} (${c.type})` })));
      document.getElementById('cc-create').disabled = channels.length === 0;
      if (channels.length === 0) document.getElementById('cc-error').textContent = w('noChannels');
    } catch (error) {
      document.getElementById('cc-error').textContent = error.message;
    }
  }

  async function createCode() {
    const error = document.getElementById('cc-error');
    error.textContent = '';
    const to = document.getElementById('cc-to').value.split(/[,，\s]+/).filter(Boolean);
    const name = document.getElementById('cc-name').value.trim();
    try {
      const data = await api('POST', '/admin/api/codes', { channel: document.getElementById('cc-channel').value, ...(to.length ? { to } : {}), ...(name ? { name } : {}) });
      document.getElementById('cc-code').textContent = data.code;
      document.getElementById('cc-alerts-url').textContent = `${location.origin}/api/alerts/${data.code}`;
      document.getElementById('cc-result').classList.remove('hidden');
    } catch (e) {
      error.textContent = e.message;
    }
  }

  function switchView(view) {
    state.view = view;
    document.getElementById('alerts-tab-active').classList.toggle('active', view === 'active');
    document.getElementById('alerts-tab-resolved').classList.toggle('active', view === 'resolved');
    void refresh();
  }

  function onSearch(event) {
    state.query = event.target.value.trim();
    void loadDeliveries();
  }

  function matcherOf(labels) {
    return Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  }

  function groupRow(g) {
    const alerts = el('ul', { class: 'alert-list' }, ...g.alerts.slice(0, 20).map((a) => el('li', { class: `alert-${a.status}`, text: `${a.status === 'firing' ? '🔴' : '✅'} ${a.summary || a.name} ${Object.entries(a.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(' ')}` })));
    const actions = el('td');
    if (g.state === 'active') {
      const ack = el('button', { type: 'button', class: 'small secondary', text: g.acknowledgedAt ? w('acked') : w('ack') });
      ack.disabled = Boolean(g.acknowledgedAt);
      ack.addEventListener('click', () => act(() => api('POST', `/admin/api/alerts/groups/${encodeURIComponent(g.id)}/ack`)));
      const duration = el('input', { class: 'silence-duration', value: '2h', title: w('silenceFor'), 'aria-label': w('silenceFor') });
      const silence = el('button', { type: 'button', class: 'small', text: w('silence') });
      silence.addEventListener('click', () => act(() => api('POST', '/admin/api/alerts/silences', { codeId: g.codeId, matchers: matcherOf(g.groupLabels), duration: duration.value.trim() })));
      actions.append(ack, silence, duration);
    }
    return el(
      'tr',
      { 'data-group': g.groupKey },
      el('td', {}, el('strong', { text: g.heading }), el('div', { class: 'muted', text: g.groupKey })),
      el('td', {}, el('div', { text: `${g.counts.firing} / ${g.counts.total}` }), alerts),
      el('td', { text: time(g.lastSentAt) }),
      actions,
    );
  }

  async function act(fn) {
    document.getElementById('alerts-error').textContent = '';
    try {
      await fn();
    } catch (error) {
      document.getElementById('alerts-error').textContent = error.message;
    }
    await refresh();
  }

  async function loadAlerts() {
    const data = await api('GET', `/admin/api/alerts?state=${state.view}`);
    fillTable('alert-groups', ...data.groups.map(groupRow));
    document.getElementById('alert-groups-empty').classList.toggle('hidden', data.groups.length > 0);
    const silences = data.silences.filter((s) => s.active);
    fillTable('alert-silences',
      ...silences.map((s) => {
        const end = el('button', { type: 'button', class: 'small danger', text: w('expire') });
        end.addEventListener('click', () => act(() => api('DELETE', `/admin/api/alerts/silences/${encodeURIComponent(s.id)}`)));
        return el('tr', { 'data-silence': s.id }, el('td', { text: `${s.matchers.join(', ')}${s.comment ? ` · ${s.comment}` : ''}` }), el('td', { text: `${time(s.startsAt)} → ${time(s.endsAt)}` }), el('td', {}, end));
      }),
    );
    document.getElementById('alert-silences-empty').classList.toggle('hidden', silences.length > 0);
  }

  async function loadDeliveries() {
    const data = await api('GET', `/admin/api/alerts/deliveries${state.query ? `?q=${encodeURIComponent(state.query)}` : ''}`);
    fillTable('deliveries-table',
      ...data.deliveries.map((d) => {
        const resend = el('button', { type: 'button', class: 'small', text: w('resend') });
        resend.disabled = d.resendable === false;
        resend.addEventListener('click', async () => {
          resend.disabled = true;
          try {
            await api('POST', `/admin/api/alerts/deliveries/${encodeURIComponent(d.id)}/resend`);
          } catch (error) {
            document.getElementById('alerts-error').textContent = error.message;
          }
          await loadDeliveries();
        });
        const recipients = Array.isArray(d.recipients) ? d.recipients.join(', ') : d.recipients ? Object.values(d.recipients).flat().join(', ') : '';
        return el(
          'tr',
          { 'data-delivery': d.id, class: `delivery-${d.status}` },
          el('td', { text: time(d.createdAt) }),
          el('td', {}, el('div', { text: d.receiver }), el('div', { class: 'muted', text: `${d.channel}${recipients ? ` → ${recipients}` : ''}` })),
          el(
            'td',
            {},
            el('div', { text: d.title }),
            el('div', { class: 'muted', text: d.alerts > 0 ? `${d.reason} · ${d.alerts} ${w('alertsCount')}` : d.reason }),
            // Why it failed, e.g. "card not updated: <hint>" (server text, shown as text).
            d.error ? el('div', { class: 'delivery-error', text: d.error }) : null,
          ),
          el('td', { text: String(d.parts) }),
          // The error's hint (Chinese first, NotifyError hints) under the status; the message itself is under the title.
          el('td', { class: d.status === 'failed' ? 'revoked' : '' }, el('div', { text: w(d.status) }), d.hint ? el('div', { class: 'muted delivery-hint', text: d.hint }) : null),
          el('td', { text: d.upstreamCode ?? '' }),
          el('td', { text: String(d.retries) }),
          el('td', { text: String(d.coalesced) }),
          el('td', {}, resend),
        );
      }),
    );
    document.getElementById('deliveries-empty').classList.toggle('hidden', data.deliveries.length > 0);
  }

  async function refresh() {
    try {
      await Promise.all([loadAlerts(), loadDeliveries()]);
    } catch (error) {
      document.getElementById('alerts-error').textContent = error.message;
    }
  }

  function visible() {
    return !document.getElementById('app-view').classList.contains('hidden');
  }

  function onVisibility() {
    if (visible()) {
      translate();
      void loadChannels();
      void refresh();
      if (!state.timer) state.timer = setInterval(() => visible() && refresh(), 15_000);
    } else if (state.timer) {
      clearInterval(state.timer);
      state.timer = null;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    build();
    translate();
    new MutationObserver(onVisibility).observe(document.getElementById('app-view'), { attributes: true, attributeFilter: ['class'] });
    new MutationObserver(() => {
      translate();
      if (visible()) void refresh();
    }).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    onVisibility();
  });
})();
