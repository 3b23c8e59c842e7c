import { capBytes, compileTemplate, ROUTE_NAMESPACES, TemplateError } from '@wxnotify/nestjs';

describe('template rendering', () => {
  const t = (source: string) => compileTemplate(source, ROUTE_NAMESPACES);

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

  it('rejects unknown namespaces and prototype keys when compiled', () => {
    expect(() => t('{{headers.authorization}}')).toThrow(TemplateError);
    expect(() => t('{{body.__proto__.x}}')).toThrow(/plain property path/);
    expect(() => t('{{body.constructor}}')).toThrow(/plain property path/);
    expect(() => t('{{ process.env.SECRET }}')).toThrow(TemplateError);
  });

  it('does not evaluate values', () => {
    expect(t('{{body.x}}').render({ body: { x: '{{body.y}} ${1+1} <%= 2 %>' , y: 'no' } })).toBe('{{body.x}}'.replace('{{body.x}}', '{{body.y}} ${1+1} <%= 2 %>'));
  });

  it('caps the output in UTF-8 bytes on a character boundary', () => {
    const out = t('{{body.s}}').render({ body: { s: '新'.repeat(100) } }, { maxBytes: 64 });
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(64);
    expect(out.endsWith('…')).toBe(true);
    expect(out).not.toContain('\uFFFD');
    expect(capBytes('abc', 10)).toBe('abc');
  });

  it('escapes markdown in values, not in the template', () => {
    expect(t('**{{body.s}}**').render({ body: { s: '*x* [l](u) <@all>' } }, { escape: 'markdown' })).toBe('**\\*x\\* \\[l\\](u) \\<@all\\>**');
  });
});
