// UI strings: Chinese first, English available. Keys match data-i18n attributes and app.js calls.
window.WXN_I18N = {
  zh: {
    title: '企业微信通知服务', logout: '退出登录', loginTitle: '管理员登录', password: '管理员密码', login: '登录',
    passwordHint: '首次启动时密码来自 WXNOTIFY_ADMIN_PASSWORD，或写入数据目录的 admin-password 文件。',
    createTitle: '1. 填写企业微信应用信息', verify: '验证并获取成员', recipientsTitle: '2. 选择接收成员',
    toAll: '发送给应用可见范围内的所有人 (@all)', manualUsers: '或手动填写成员 UserID（用 | 分隔）', configName: '配置名称',
    rateLimit: '每分钟最多条数（可选）', generate: '生成通知API', resultTitle: '3. 您的通知 API',
    codeOnce: '配置 Code 只显示这一次，请立即复制保存。它等同于密码。', copy: '复制', copyExample: '复制示例',
    codesTitle: '已生成的配置', colName: '名称', colRecipients: '接收人', colSends: '发送次数', colStatus: '状态', colActions: '操作',
    noCodes: '还没有配置。', active: '有效', revoked: '已吊销', test: '测试', rotate: '轮换', revoke: '吊销',
    verifying: '正在验证…', verified: '验证成功：{d} 个部门，{m} 名成员。',
    wrongPassword: '密码错误。', copied: '已复制', testSent: '测试消息已发送。', rotated: '已生成新的 Code，旧 Code 立即失效。',
    revokedDone: '已吊销。', confirmRevoke: '吊销后此 Code 立即失效，确定吗？', confirmRotate: '轮换后旧 Code 立即失效，确定吗？',
    pickSomeone: '请选择至少一个接收人，或勾选 @all。', requestFailed: '请求失败',
    corpIdLabel: '企业ID', secretLabel: 'Secret', agentIdLabel: 'AgentId',
    corpIdWhere: '我的企业 → 企业信息 → 企业ID', secretWhere: '应用管理 → 自建应用 → Secret（查看）', agentIdWhere: '应用管理 → 自建应用 → AgentId',
    department: '部门', departmentId: '部门 #{id}', tag: '标签', colCode: 'Code',
  },
  en: {
    title: 'WeCom notification service', logout: 'Log out', loginTitle: 'Admin login', password: 'Admin password', login: 'Log in',
    passwordHint: 'At first start the password comes from WXNOTIFY_ADMIN_PASSWORD, or from the admin-password file in the data dir.',
    createTitle: '1. Your WeCom app', verify: 'Verify and list members', recipientsTitle: '2. Pick recipients',
    toAll: "Everyone in the app's visible range (@all)", manualUsers: 'Or type member UserIDs (separated by |)', configName: 'Name',
    rateLimit: 'Max messages per minute (optional)', generate: 'Generate notify API', resultTitle: '3. Your notify API',
    codeOnce: 'The Code is shown only this once: copy it now. Treat it like a password.', copy: 'Copy', copyExample: 'Copy example',
    codesTitle: 'Configs', colName: 'Name', colRecipients: 'Recipients', colSends: 'Sends', colStatus: 'Status', colActions: 'Actions',
    noCodes: 'No configs yet.', active: 'active', revoked: 'revoked', test: 'Test', rotate: 'Rotate', revoke: 'Revoke',
    verifying: 'Verifying…', verified: 'Verified: {d} departments, {m} members.',
    wrongPassword: 'Wrong password.', copied: 'Copied', testSent: 'Test message sent.', rotated: 'New Code generated; the old one stopped working.',
    revokedDone: 'Revoked.', confirmRevoke: 'The Code stops working at once. Revoke it?', confirmRotate: 'The old Code stops working at once. Rotate?',
    pickSomeone: 'Pick at least one recipient, or tick @all.', requestFailed: 'Request failed',
    corpIdLabel: 'Corp ID (企业ID)', secretLabel: 'Secret', agentIdLabel: 'AgentId',
    corpIdWhere: 'My Company → Company Info → Corp ID', secretWhere: 'App Management → your app → Secret (View)', agentIdWhere: 'App Management → your app → AgentId',
    department: 'Department', departmentId: 'department #{id}', tag: 'tag', colCode: 'Code',
  },
};

// Chinese explanations of the upstream and gateway errors a page user meets, by error code. Shown
// before the upstream's own (often English) message.
window.WXN_ERROR_HINTS = {
  40001: 'Secret 不正确、已重置或应用已停用：请重新复制该应用的 Secret（每个应用各有一个）。',
  40013: '企业ID 不正确：请在「我的企业 → 企业信息」中复制（以 ww 开头）。',
  40056: 'AgentId 不正确：请填写该 Secret 所属应用的 AgentId（数字）。',
  40091: 'Secret 属于其他企业或应用：请使用本应用的 Secret。',
  301002: 'AgentId 与 Secret 不属于同一个应用：请使用同一应用的 AgentId 和 Secret。',
  60020: '调用来源 IP 不在应用的「企业可信IP」中：请在应用设置中添加，或通过固定 IP 的反向代理调用。',
  60011: '应用没有通讯录权限：请在应用的「可见范围」中加入这些部门或成员。',
  45009: '企业微信接口调用频率超限：请稍后重试（消息未发送）。',
  RATE_LIMITED: '请求过于频繁：请稍后重试（消息未发送）。',
  UNKNOWN_CODE: '配置不存在或已吊销。',
  UNAUTHORIZED: '登录已过期：请重新登录。',
  CSRF: '请刷新页面后重试。',
};
