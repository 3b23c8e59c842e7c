import { createChannel, MemoryTokenStore, utf8Bytes, type WeComAppChannel, type WeComAppConfig } from '@wxnotify/core';
import { startFakeWeCom, type FakeWeCom, type FakeWeComOptions } from '../fakes/wecom';
import { VirtualClock } from '../support/virtual-clock';
import { rejection } from '../support/notify-errors';

async function setup(options: FakeWeComOptions = {}, config: Partial<WeComAppConfig> = {}) {
  const clock = new VirtualClock();
  const wecom = await startFakeWeCom({ clock, ...options });
  const channel = createChannel(
    { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, ...config },
    { clock, tokenStore: new MemoryTokenStore(), random: () => 0.5 },
  ) as WeComAppChannel;
  return { clock, wecom, channel };
}

const stripMarker = (part: string) => part.replace(/\n\(\d+\/\d+\)$/, '');

describe('wecom-app: recipients and batching', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    env = await setup();
  });
  afterEach(() => env.wecom.close());

  it('sends 10,000 users in 10 calls of 1,000', async () => {
    const users = Array.from({ length: 10_000 }, (_, i) => `user${i}`);
    const result = await env.channel.send({ content: 'deploy finished', to: { users } });
    expect(env.wecom.sendCalls).toBe(10);
    expect(env.wecom.delivered.map((d) => d.touser.length)).toEqual(Array(10).fill(1000));
    expect(new Set(env.wecom.delivered.flatMap((d) => d.touser)).size).toBe(10_000);
    expect(result).toMatchObject({ ok: true, batches: 10, parts: 1, requests: 10 });
    expect(result.messageIds).toHaveLength(10);
  });

  it('batches users, parties and tags together at their own limits', async () => {
    const users = Array.from({ length: 1500 }, (_, i) => `u${i}`);
    const parties = Array.from({ length: 250 }, (_, i) => i + 1);
    const result = await env.channel.send({ content: 'x', to: { users, parties, tags: '1|2' } });
    expect(env.wecom.sendCalls).toBe(3);
    expect(env.wecom.delivered.map((d) => [d.touser.length, d.toparty.length, d.totag.length])).toEqual([
      [1000, 100, 2],
      [500, 100, 0],
      [0, 50, 0],
    ]);
    expect(result.batches).toBe(3);
  });

  it('reports invalid, unlicensed and unknown recipients as partial failures', async () => {
    const result = await env.channel.send({ content: 'x', to: { users: ['zhangsan', 'invalid_Bob', 'unlicensed_amy'], parties: [1, 99999], tags: [99998] } });
    expect(result.ok).toBe(false);
    expect(result.partialFailures).toEqual(
      expect.arrayContaining([
        { target: 'user', id: 'invalid_bob', reason: 'invalid' },
        { target: 'user', id: 'unlicensed_amy', reason: 'unlicensed' },
        { target: 'party', id: '99999', reason: 'invalid' },
        { target: 'tag', id: '99998', reason: 'invalid' },
      ]),
    );
    expect(result.partialFailures).toHaveLength(4);
    expect(env.wecom.delivered).toHaveLength(1);
  });

  it('fails with 81013 when no recipient is valid', async () => {
    const error = await rejection(env.channel.send({ content: 'x', to: { users: ['invalid1', 'unknown2'] } }));
    expect(error).toMatchObject({ code: 81013, kind: 'upstream', retryable: false });
    expect(error.hint).toMatch(/visible range/);
  });

  it('rejects missing recipients before any request, and never implies @all', async () => {
    for (const to of [undefined, {}, { users: [] }, { users: '' }, { users: ['@all'] }, { all: true, users: ['a'] }, { parties: ['dev'] }]) {
      const error = await rejection(env.channel.send({ content: 'x', to: to as never }));
      expect(error.kind).toBe('validation');
    }
    expect(env.wecom.server.requests).toHaveLength(0);
    await env.channel.send({ content: 'everyone', to: { all: true } });
    expect(env.wecom.delivered[0].touser).toEqual(['@all']);
  });

  it('sends agentid as an integer even when configured as a string', async () => {
    const { wecom, channel } = await setup({}, { agentId: '1000002' });
    await channel.send({ content: 'x', to: { users: 'zhangsan' } });
    expect(wecom.delivered[0].body.agentid).toBe(1000002);
    await wecom.close();
  });
});

describe('wecom-app: content', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    env = await setup();
  });
  afterEach(() => env.wecom.close());

  it('splits long CJK + emoji text at 2,048 UTF-8 bytes with (i/n) markers, title first', async () => {
    const line = '服务器告警：磁盘使用率 97% 🔥👩‍👩‍👧 请尽快处理';
    const content = Array.from({ length: 150 }, (_, i) => `${i}. ${line}`).join('\n');
    const result = await env.channel.send({ title: '每日报告', content, to: { users: ['zhangsan'] } });
    const parts = env.wecom.delivered.map((d) => d.payload.content as string);
    expect(parts.length).toBeGreaterThan(2);
    expect(result.parts).toBe(parts.length);
    for (const [i, part] of parts.entries()) {
      expect(utf8Bytes(part)).toBeLessThanOrEqual(2048);
      expect(part.endsWith(`(${i + 1}/${parts.length})`)).toBe(true);
      expect(part).not.toContain('\uFFFD');
    }
    expect(env.wecom.delivered.every((d) => !d.truncated && d.msgtype === 'text')).toBe(true);
    expect(parts[0].startsWith('每日报告\n')).toBe(true);
    expect(parts.map(stripMarker).join('\n')).toBe(`每日报告\n${content}`);
  });

  it('cuts one long line of emoji without breaking a character', async () => {
    const content = '🚀'.repeat(1500);
    await env.channel.send({ content, to: { users: ['zhangsan'] } });
    const parts = env.wecom.delivered.map((d) => stripMarker(d.payload.content as string));
    expect(parts.join('')).toBe(content);
  });

  it('sends markdown with a bold title and balanced code fences', async () => {
    const code = Array.from({ length: 200 }, (_, i) => `step ${i}: ok`).join('\n');
    await env.channel.send({ title: 'Build', format: 'markdown', content: `\`\`\`\n${code}\n\`\`\``, to: { users: ['zhangsan'] } });
    const parts = env.wecom.delivered.map((d) => d.payload.content as string);
    expect(env.wecom.delivered[0].msgtype).toBe('markdown');
    expect(parts[0].startsWith('**Build**\n')).toBe(true);
    for (const part of parts) {
      expect(utf8Bytes(part)).toBeLessThanOrEqual(2048);
      expect(part.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
    }
  });

  it('sends markdown as readable text or a textcard for WeChat readers', async () => {
    const md = { format: 'markdown' as const, title: 'Alert', content: '# Disk\n**/var** is <font color="warning">97%</font> [dashboard](https://grafana.example/d/1)', to: { users: ['zhangsan'] } };
    await env.channel.send({ ...md, options: { markdownFallback: 'text' } });
    expect(env.wecom.delivered[0].msgtype).toBe('text');
    expect(env.wecom.delivered[0].payload.content).toBe('Alert\nDisk\n/var is 97% dashboard (https://grafana.example/d/1)');
    await env.channel.send({ ...md, url: 'https://grafana.example/d/1', options: { markdownFallback: 'textcard' } });
    expect(env.wecom.delivered[1]).toMatchObject({ msgtype: 'textcard', payload: { title: 'Alert', url: 'https://grafana.example/d/1' } });
    expect(env.wecom.delivered[1].payload.description).toContain('/var is 97%');
    const { wecom, channel } = await setup({}, { markdownFallback: 'text' });
    await channel.send(md);
    expect(wecom.delivered[0].msgtype).toBe('text');
    await wecom.close();
  });

  it('truncates textcard title/description like WeCom and rejects what WeCom rejects', async () => {
    await env.channel.send({ type: 'textcard', title: '标'.repeat(200), content: 'd'.repeat(900), url: 'https://example.com', to: { users: ['zhangsan'] } });
    const card = env.wecom.delivered[0];
    expect(card.truncated).toBe(false);
    expect(Array.from(card.payload.title as string)).toHaveLength(128);
    expect(Array.from(card.payload.description as string)).toHaveLength(512);
    for (const bad of [
      { url: undefined },
      { url: 'ftp://example.com' },
      { url: `https://example.com/${'a'.repeat(2100)}` },
      { options: { btntxt: 'toolong' } },
    ]) {
      const error = await rejection(env.channel.send({ type: 'textcard', title: 't', content: 'c', url: 'https://example.com', to: { users: ['zhangsan'] }, ...bad }));
      expect(error.kind).toBe('validation');
    }
    expect(env.wecom.sendCalls).toBe(1);
  });

  it('sends news with byte-truncated fields and rejects bad article lists', async () => {
    await env.channel.send({ type: 'news', title: '新闻'.repeat(50), content: '正文'.repeat(200), url: 'https://example.com/a', options: { picurl: 'https://example.com/p.png' }, to: { users: ['zhangsan'] } });
    const article = (env.wecom.delivered[0].payload.articles as Array<Record<string, string>>)[0];
    expect(env.wecom.delivered[0].truncated).toBe(false);
    expect(utf8Bytes(article.title)).toBeLessThanOrEqual(128);
    expect(utf8Bytes(article.description)).toBeLessThanOrEqual(512);
    const nine = Array.from({ length: 9 }, () => ({ title: 't', url: 'https://e.com' }));
    expect((await rejection(env.channel.send({ type: 'news', content: '', options: { articles: nine }, to: { users: ['a'] } }))).kind).toBe('validation');
    expect((await rejection(env.channel.send({ type: 'news', content: 'x', title: 't', to: { users: ['a'] } }))).kind).toBe('validation');
  });

  it('uploads an image as multipart part "media" and sends its media_id', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);
    const result = await env.channel.send({ type: 'image', content: '', options: { media: { data: png, filename: 'chart.png', contentType: 'image/png' } }, to: { users: ['zhangsan'] } });
    expect(result.ok).toBe(true);
    const [upload] = [...env.wecom.uploads.values()];
    expect(upload).toMatchObject({ type: 'image', filename: 'chart.png', size: png.length });
    expect(upload.disposition).toMatch(/name="media"; filename="chart.png"; filelength=208/);
    expect(env.wecom.delivered[0]).toMatchObject({ msgtype: 'image', payload: { media_id: upload.mediaId } });
    expect(env.wecom.server.calls('/media/upload')[0].query.get('type')).toBe('image');
  });

  it('sends a file by media_id, and uploadMedia returns created_at as a string', async () => {
    const media = await env.channel.uploadMedia({ data: Buffer.from('report body'), filename: '报告.txt' });
    expect(media).toMatchObject({ type: 'file', mediaId: expect.any(String), createdAt: expect.stringMatching(/^\d+$/) });
    await env.channel.send({ type: 'file', content: '', options: { mediaId: media.mediaId }, to: { users: ['zhangsan'] } });
    expect(env.wecom.delivered[0].payload.media_id).toBe(media.mediaId);
    expect([...env.wecom.uploads.values()][0].filename).toBe('报告.txt');
  });

  it('uploads voice and video with their own media types; video carries title and description, truncated like WeCom', async () => {
    const amr = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(300, 1)]);
    await env.channel.send({ type: 'voice', content: '', options: { media: { data: amr, filename: 'alert.amr' } }, to: { users: ['zhangsan'] } });
    const mp4 = Buffer.alloc(4096, 2);
    const longTitle = '磁盘'.repeat(40);
    await env.channel.send({ type: 'video', title: longTitle, content: '**Replay** of the outage', format: 'markdown', options: { media: { data: mp4, filename: 'replay.mp4' } }, to: { users: ['zhangsan'] } });
    expect(env.wecom.server.calls('/media/upload').map((c) => c.query.get('type'))).toEqual(['voice', 'video']);
    const [voice, video] = env.wecom.delivered;
    expect(voice).toMatchObject({ msgtype: 'voice', payload: { media_id: expect.any(String) } });
    expect(video.msgtype).toBe('video');
    expect(video.truncated).toBe(false);
    expect(utf8Bytes(video.payload.title as string)).toBeLessThanOrEqual(128);
    expect(video.payload.title).toMatch(/^磁盘.*…$/);
    expect(video.payload.description).toBe('Replay of the outage');
    expect((await rejection(env.channel.send({ type: 'voice', content: '', options: { media: { data: Buffer.alloc(2 * 1024 * 1024 + 1), filename: 'long.amr' } }, to: { users: ['a'] } }))).kind).toBe('validation');
  });

  it('sends an mpnews article: cover uploaded first, HTML kept, text escaped, long reports in one piece', async () => {
    const cover = Buffer.alloc(500, 3);
    const html = `<h3>Nightly backup</h3><p>${'<b>ok</b> db-01<br>'.repeat(200)}</p>`;
    const result = await env.channel.send({
      type: 'mpnews',
      title: 'Backup report',
      content: html,
      format: 'html',
      url: 'https://ops.example.com/backup/42',
      summary: 'All 200 databases backed up',
      options: { thumb: { data: cover, filename: 'cover.png' }, author: 'ops-bot' },
      to: { users: ['zhangsan'] },
    });
    expect(result).toMatchObject({ ok: true, parts: 1, requests: 2 }); // the cover upload, then the article
    const [upload] = [...env.wecom.uploads.values()];
    expect(upload).toMatchObject({ type: 'image', filename: 'cover.png' });
    expect(env.wecom.delivered[0]).toMatchObject({
      msgtype: 'mpnews',
      payload: { articles: [{ title: 'Backup report', thumb_media_id: upload.mediaId, content: html, author: 'ops-bot', content_source_url: 'https://ops.example.com/backup/42', digest: 'All 200 databases backed up' }] },
    });

    await env.channel.send({ type: 'mpnews', title: 'T', content: 'a < b\nsecond line', options: { thumbMediaId: upload.mediaId }, to: { users: ['zhangsan'] } });
    expect((env.wecom.delivered[1].payload.articles as Array<{ content: string }>)[0].content).toBe('a &lt; b<br>second line');

    const before = env.wecom.server.requests.length;
    const huge = await rejection(env.channel.send({ type: 'mpnews', title: 'T', content: 'x'.repeat(666 * 1024 + 1), options: { thumbMediaId: upload.mediaId }, to: { users: ['a'] } }));
    expect(huge).toMatchObject({ kind: 'validation', code: 'CONTENT_TOO_LONG' });
    expect((await rejection(env.channel.send({ type: 'mpnews', title: 'T', content: 'x', to: { users: ['a'] } }))).message).toMatch(/cover image/);
    expect(env.wecom.server.requests.length).toBe(before);
  });

  it('rejects bad media before any request', async () => {
    for (const options of [{}, { media: { data: Buffer.from('abc'), filename: 'a.txt' } }, { media: { data: Buffer.alloc(21 * 1024 * 1024), filename: 'big.bin' } }, { media: { data: Buffer.alloc(10), filename: '' } }]) {
      expect((await rejection(env.channel.send({ type: 'file', content: '', options, to: { users: ['a'] } }))).kind).toBe('validation');
    }
    expect(env.wecom.server.requests).toHaveLength(0);
  });

  it('passes a template_card through', async () => {
    const card = { card_type: 'text_notice', main_title: { title: 'Build #42' }, card_action: { type: 1, url: 'https://ci.example' } };
    await env.channel.send({ type: 'template_card', content: '', options: { templateCard: card }, to: { users: ['zhangsan'] } });
    expect(env.wecom.delivered[0]).toMatchObject({ msgtype: 'template_card', payload: card });
  });

  it('rejects an empty text and an unknown type before any request', async () => {
    expect((await rejection(env.channel.send({ content: '  ', to: { users: ['a'] } }))).code).toBe('EMPTY_CONTENT');
    expect((await rejection(env.channel.send({ type: 'miniprogram_notice' as never, content: 'x', to: { users: ['a'] } }))).code).toBe('INVALID_MESSAGE');
    expect(env.wecom.server.requests).toHaveLength(0);
  });
});

describe('wecom-app: recall, pickers, check, config', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    env = await setup();
  });
  afterEach(() => env.wecom.close());

  it('recalls a sent message by msgid', async () => {
    const { messageIds } = await env.channel.send({ content: 'oops', to: { users: ['zhangsan'] } });
    await env.channel.recall(messageIds[0]);
    expect(env.wecom.recalled).toEqual(messageIds);
    expect((await rejection(env.channel.recall('no-such-msgid'))).code).toBe(40058);
  });

  it('lists departments and the users of one department', async () => {
    expect(await env.channel.listDepartments()).toEqual([
      { id: 1, name: 'Fake Corp', parentId: 0, order: 100000000 },
      { id: 2, name: '研发部', parentId: 1, order: 1 },
      { id: 3, name: 'Ops', parentId: 1, order: 2 },
    ]);
    expect((await env.channel.listDepartments(3)).map((d) => d.id)).toEqual([3]);
    expect(await env.channel.listUsers(2)).toEqual([
      { userId: 'zhangsan', name: '张三', departments: [1, 2] },
      { userId: 'lisi', name: '李四', departments: [2] },
    ]);
    expect((await rejection(env.channel.listUsers('x'))).kind).toBe('validation');
  });

  it('lists everyone in the visible range once, one department call each', async () => {
    const users = await env.channel.listVisibleUsers();
    expect(users.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([
      { userId: 'lisi', name: '李四', departments: [2] },
      { userId: 'wangwu', name: '王五', departments: [3] },
      { userId: 'zhangsan', name: '张三', departments: [1, 2] },
    ]);
    expect(env.wecom.server.calls('/department/list')).toHaveLength(1);
    expect(env.wecom.server.calls('/user/simplelist').map((c) => c.query.get('department_id')).sort()).toEqual(['1', '2', '3']);
  });

  it('check() fetches a token and sends nothing', async () => {
    expect(await env.channel.check()).toEqual({ ok: true, message: 'token ok' });
    expect(env.wecom.gettokenCalls).toBe(1);
    expect(env.wecom.sendCalls).toBe(0);
    const { wecom, channel } = await setup({}, { corpSecret: 'wrong-secret-value-xyz' });
    const status = await channel.check();
    expect(status.ok).toBe(false);
    expect(status.details).toMatchObject({ code: 40001 });
    expect(status.message).not.toContain('wrong-secret-value-xyz');
    await wecom.close();
  });

  it('validates the config with a clear error', () => {
    const base = { type: 'wecom-app' as const, corpId: 'ww1', corpSecret: 's', agentId: 1 };
    expect(() => createChannel({ ...base, corpId: '' })).toThrow(/corpId/);
    expect(() => createChannel({ ...base, agentId: 'abc' })).toThrow(/agentId/);
    expect(() => createChannel({ ...base, baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
    expect(() => createChannel({ ...base, duplicateCheckIntervalSeconds: 20000 })).toThrow(/duplicateCheck/);
  });
});
