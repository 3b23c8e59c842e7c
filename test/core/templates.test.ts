import { compileTemplate, renderTemplate, TemplateError, toInstant, truncateUtf8 } from '@wxnotify/core';

const ROUTE = ['result', 'body', 'params', 'query'];

describe('template rendering (core)', () => {
  const t = (source: string) => compileTemplate(source, ROUTE);

  it('renders own properties from the explicit namespaces', () => {
    expect(t('hi {{ body.name }} #{{params.id}} q={{query.q}} {{result.user.tags}}').render({ body: { name: 'erin' }, params: { id: '7' }, query: { q: 'x' }, result: { user: { tags: ['a', 1] } } })).toBe(
      'hi erin #7 q=x ["a",1]',
    );
  });

  it('never walks the prototype chain', () => {
    const body = Object.create({ inherited: 'secret' }) as Record<string, unknown>;
    body.own = 'ok';
    expect(t('{{body.inherited}}|{{body.own}}|{{body.toString}}|{{body.hasOwnProperty}}').render({ body })).toBe('|ok||');
  });

  it('rejects unknown namespaces, prototype keys and unknown helpers when compiled', () => {
    expect(() => t('{{headers.authorization}}')).toThrow(TemplateError);
    expect(() => t('{{body.__proto__.x}}')).toThrow(/plain property path/);
    expect(() => t('{{body.constructor}}')).toThrow(/plain property path/);
    expect(() => t('{{ process.env.SECRET }}')).toThrow(TemplateError);
    expect(() => t('{{ body.x | exec:rm }}')).toThrow(/unknown helper "exec"/);
    expect(() => t('{{ body.x | datetime:Mars/Olympus }}')).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => t('{{ now.x }}')).toThrow(/"now" has no properties/);
    expect(() => compileTemplate('x', { timeZone: 'Nowhere/City' })).toThrow(/timeZone "Nowhere\/City"/);
  });

  it('any root is allowed when no namespaces are given', () => {
    expect(compileTemplate('{{ labels.alertname }}').render({ labels: { alertname: 'HighCPU' } })).toBe('HighCPU');
  });

  it('does not evaluate values', () => {
    const value = '{{body.y}} ${1+1} <%= 2 %> {{now}}';
    expect(t('{{body.x}}').render({ body: { x: value, y: 'no' } })).toBe(value);
  });

  it('caps each value and the output in UTF-8 bytes on a character boundary', () => {
    const out = t('{{body.s}}').render({ body: { s: '新'.repeat(100) } }, { maxBytes: 64 });
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(64);
    expect(out.endsWith('…')).toBe(true);
    expect(out).not.toContain('\uFFFD');
    const perValue = compileTemplate('[{{body.s}}]', { namespaces: ROUTE, maxValueBytes: 10 }).render({ body: { s: '告警'.repeat(10) } });
    expect(perValue).toBe(`[${truncateUtf8('告警'.repeat(10), 10)}]`);
    expect(Buffer.byteLength(perValue, 'utf8')).toBe(2 + Buffer.byteLength(truncateUtf8('告警'.repeat(10), 10)));
  });

  it('escapes markdown in values, not in the template', () => {
    expect(t('**{{body.s}}**').render({ body: { s: '*x* [l](u) <@all>' } }, { escape: 'markdown' })).toBe('**\\*x\\* \\[l\\](u) \\<@all\\>**');
  });
});

describe('template date/time helpers', () => {
  // 2026-12-01T09:57:27Z: 17:57:27 in Shanghai (UTC+8), 04:57:27 in New York (UTC-5, no DST in December).
  const instant = Date.UTC(2026, 11, 1, 9, 57, 27);
  const iso = new Date(instant).toISOString();

  it('formats in Asia/Shanghai by default, whatever the process time zone', () => {
    const tpl = compileTemplate('{{ a.at | date }} {{ a.at | time }} / {{ a.at | datetime }}');
    expect(tpl.render({ a: { at: iso } })).toBe('2026-12-01 17:57:27 / 2026-12-01 17:57:27');
  });

  it('takes the zone from the template options, the render options, or the helper argument', () => {
    expect(compileTemplate('{{a.at | datetime}}', { timeZone: 'UTC' }).render({ a: { at: iso } })).toBe('2026-12-01 09:57:27');
    expect(compileTemplate('{{a.at | datetime}}').render({ a: { at: iso } }, { timeZone: 'America/New_York' })).toBe('2026-12-01 04:57:27');
    expect(compileTemplate('{{a.at | time:Europe/Berlin}}').render({ a: { at: iso } }, { timeZone: 'UTC' })).toBe('10:57:27');
    expect(() => compileTemplate('{{a.at | datetime}}').render({ a: { at: iso } }, { timeZone: 'Bad/Zone' })).toThrow(TemplateError);
  });

  it('crosses the date line in the zone, not in UTC', () => {
    const lateUtc = new Date(Date.UTC(2026, 11, 31, 20, 0, 0)).toISOString();
    expect(renderTemplate('{{a.at | date}}', { a: { at: lateUtc } })).toBe('2027-01-01');
    expect(renderTemplate('{{a.at | date}}', { a: { at: lateUtc } }, { timeZone: 'UTC' })).toBe('2026-12-31');
  });

  it('reads Dates, epoch seconds and milliseconds, RFC 3339 with offsets', () => {
    const tpl = compileTemplate('{{a.v | datetime}}', { timeZone: 'UTC' });
    for (const v of [new Date(instant), instant, instant / 1000, String(instant / 1000), '2026-12-01T17:57:27+08:00', '2026-12-01T09:57:27.000000000Z']) {
      expect(tpl.render({ a: { v } })).toBe('2026-12-01 09:57:27');
    }
    expect(toInstant('not a date')).toBeUndefined();
  });

  it("shows a value that is not a time unchanged, and Go's zero time (Alertmanager endsAt) as empty", () => {
    const tpl = compileTemplate('[{{a.v | datetime}}]');
    expect(tpl.render({ a: { v: 'soon' } })).toBe('[soon]');
    expect(tpl.render({ a: { v: '0001-01-01T00:00:00Z' } })).toBe('[]');
    expect(tpl.render({ a: {} })).toBe('[]');
  });

  it('{{now}} is the instant the host passes (its clock)', () => {
    expect(compileTemplate('发送于 {{ now | datetime }}').render({}, { now: instant })).toBe('发送于 2026-12-01 17:57:27');
    expect(compileTemplate('{{now}}').render({}, { now: new Date(instant) })).toBe(iso);
  });

  it('default: fills a missing or empty value, keeps a present one', () => {
    const tpl = compileTemplate('新用户已加入：{{ body.username | default:未知用户 }}');
    expect(tpl.render({ body: {} })).toBe('新用户已加入：未知用户');
    expect(tpl.render({ body: { username: '' } })).toBe('新用户已加入：未知用户');
    expect(tpl.render({ body: { username: 'erin' } })).toBe('新用户已加入：erin');
    expect(compileTemplate('{{ a.at | default:0001-01-01T00:00:00Z | datetime }}|').render({ a: {} })).toBe('|');
  });
});
