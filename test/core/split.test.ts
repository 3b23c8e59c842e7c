import { splitContent, utf8Bytes, codePoints } from '@wxnotify/core';

describe('splitContent', () => {
  it('returns a fitting text unchanged', () => {
    expect(splitContent('hello', { max: 2048 })).toEqual(['hello']);
  });

  it('splits CJK and emoji text on UTF-8 byte limits without breaking characters', () => {
    const line = '告警：CPU 使用率超过 90% 🔥👩‍👩‍👧 ';
    const text = Array.from({ length: 200 }, (_, i) => `${i} ${line}`).join('\n');
    const parts = splitContent(text, { max: 2048 });
    expect(parts.length).toBeGreaterThan(1);
    for (const [i, part] of parts.entries()) {
      expect(utf8Bytes(part)).toBeLessThanOrEqual(2048);
      expect(part.endsWith(`(${i + 1}/${parts.length})`)).toBe(true);
      expect(part).not.toContain('\uFFFD');
      // Round-trips through UTF-8: no lone surrogates.
      expect(Buffer.from(part, 'utf8').toString('utf8')).toBe(part);
    }
    const rejoined = parts.map((p) => p.replace(/\n\(\d+\/\d+\)$/, '')).join('\n');
    expect(rejoined).toBe(text);
  });

  it('cuts a single long line between grapheme clusters', () => {
    const text = '👨‍👩‍👧‍👦'.repeat(400);
    const parts = splitContent(text, { max: 300 });
    for (const part of parts) {
      const body = part.replace(/\n\(\d+\/\d+\)$/, '');
      expect(body.length % '👨‍👩‍👧‍👦'.length).toBe(0);
      expect(utf8Bytes(part)).toBeLessThanOrEqual(300);
    }
    expect(parts.map((p) => p.replace(/\n\(\d+\/\d+\)$/, '')).join('')).toBe(text);
  });

  it('measures in code points when asked (WxPusher counts characters)', () => {
    const text = '字'.repeat(100);
    const parts = splitContent(text, { max: 40, measure: codePoints });
    for (const part of parts) expect(codePoints(part)).toBeLessThanOrEqual(40);
  });

  it('closes and reopens code fences across parts', () => {
    const code = Array.from({ length: 120 }, (_, i) => `const value${i} = ${i};`).join('\n');
    const text = `# Report\n\`\`\`ts\n${code}\n\`\`\`\ndone`;
    const parts = splitContent(text, { max: 1024, fences: true });
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(utf8Bytes(part)).toBeLessThanOrEqual(1024);
      const fences = part.split('\n').filter((l) => l.startsWith('```')).length;
      expect(fences % 2).toBe(0);
    }
  });
});
