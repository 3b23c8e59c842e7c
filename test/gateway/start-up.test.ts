import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../gateway/src/config.js';
import { startTestGateway } from './support/test-gateway.js';

/** Issue #13, gateway item 8: `npm start` builds only when sources changed; loopback by default; the first start says what to do next. */
describe('start-up', () => {
  it('npm start builds once, then starts without rebuilding until a source changes', () => {
    // A stand-in checkout whose build:gateway counts its runs and writes the outputs the script looks for.
    const root = mkdtempSync(join(tmpdir(), 'wxnotify-build-'));
    try {
      for (const dir of ['core/src', 'nest-module/src', 'gateway/src']) mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, 'core/src/index.ts'), 'export const a = 1;\n');
      const build = [
        "const fs = require('node:fs');",
        "for (const f of ['core/dist/index.js', 'nest-module/dist/index.js', 'gateway/dist/main.js', 'gateway/dist/cli/main.js']) { fs.mkdirSync(require('node:path').dirname(f), { recursive: true }); fs.writeFileSync(f, ''); }",
        "fs.appendFileSync('builds.log', 'built\\n');",
      ].join(' ');
      writeFileSync(join(root, 'build.js'), build);
      writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'stand-in', private: true, scripts: { 'build:gateway': 'node build.js' } }));
      const start = () => execFileSync(process.execPath, [join(process.cwd(), 'scripts/build-gateway-if-stale.mjs')], { env: { ...process.env, WXNOTIFY_BUILD_ROOT: root }, encoding: 'utf8' });
      const builds = () => readFileSync(join(root, 'builds.log'), 'utf8').trim().split('\n').length;

      expect(start()).toMatch(/first start: building/);
      expect(builds()).toBe(1);
      expect(start()).toMatch(/up to date/);
      expect(start()).toMatch(/up to date/);
      expect(builds()).toBe(1);
      writeFileSync(join(root, 'core/src/index.ts'), 'export const a = 2;\n');
      expect(start()).toMatch(/sources changed/);
      expect(builds()).toBe(2);
      rmSync(join(root, 'gateway/dist/main.js'));
      start();
      expect(builds()).toBe(3);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the npm start script goes through the check, and the README set-up commands are the ones that work', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.prestart).toBe('node scripts/build-gateway-if-stale.mjs');
    for (const readme of ['README.md', 'README.zh-CN.md']) {
      const text = readFileSync(readme, 'utf8');
      expect(text).toContain('npm ci --ignore-scripts');
      expect(text).toMatch(/npm start/);
    }
  });

  it('listens on loopback unless WXNOTIFY_HOST opens it, and logs where it really listens', async () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ WXNOTIFY_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    const t = await startTestGateway({ env: { WXNOTIFY_HOST: '' } });
    try {
      expect((t.gw.app.getHttpServer().address() as { address: string }).address).toBe('127.0.0.1');
      expect(t.logs.some((l) => /gateway listening on http:\/\/127\.0\.0\.1:\d+ \(this machine only; set WXNOTIFY_HOST=0\.0\.0\.0/.test(l))).toBe(true);
    } finally {
      await t.close();
    }
    const open = await startTestGateway({ env: { WXNOTIFY_HOST: '0.0.0.0' } });
    try {
      expect((open.gw.app.getHttpServer().address() as { address: string }).address).toBe('0.0.0.0');
      expect(open.logs.some((l) => /gateway listening on all interfaces \(0\.0\.0\.0:\d+\); on this machine: http:\/\/127\.0\.0\.1:\d+/.test(l))).toBe(true);
    } finally {
      await open.close();
    }
  });

  it('the first start says the next step: open the page, and where the password is', async () => {
    const t = await startTestGateway({ env: { WXNOTIFY_ADMIN_PASSWORD: '' } });
    try {
      const next = t.logs.map((l) => JSON.parse(l) as { msg: string; passwordFile?: string; page?: string }).find((l) => l.msg.startsWith('Next step'));
      expect(next).toBeDefined();
      expect(next!.page).toBe(`${t.url}/`);
      expect(next!.passwordFile).toBe(join(t.dataDir, 'admin-password'));
      expect(next!.msg).toContain(join(t.dataDir, 'admin-password'));
      expect(next!.msg).toContain('下一步');
      expect(t.logs.join('\n')).not.toContain(readFileSync(join(t.dataDir, 'admin-password'), 'utf8').trim());
      await t.stop();
      const again = await startTestGateway({ dataDir: t.dataDir, fakes: { gewe: t.gewe, wecom: t.wecom }, env: { WXNOTIFY_ADMIN_PASSWORD: '' } });
      expect(again.logs.some((l) => l.includes('Next step'))).toBe(false);
      expect(again.logs.some((l) => l.includes('still in the data dir'))).toBe(true);
      await again.stop();
    } finally {
      await t.close();
    }
  });
});
