import { existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GewechatFake } from '../fakes/gewechat/index.js';
import { FakeWeCom } from '../fakes/wecom/index.js';
import { startTestGateway } from './support/test-gateway.js';

/** An emptied database or a lost secret.key must not start as a fresh install (Codes lost silently). */
describe('store identity (embedded store)', () => {
  let gewe: GewechatFake;
  let wecom: FakeWeCom;
  let dataDir: string;
  beforeAll(async () => {
    [gewe, wecom] = await Promise.all([GewechatFake.start(), FakeWeCom.start()]);
  });
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'wxnotify-identity-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  afterAll(() => Promise.all([gewe.close(), wecom.close()]));

  it('an emptied database next to the data dir of an earlier install: refused, with how to restore or start afresh', async () => {
    const t = await startTestGateway({ fakes: { gewe, wecom }, dataDir });
    await t.createCode();
    await t.stop();
    unlinkSync(join(dataDir, 'wxnotify.db'));
    await expect(startTestGateway({ fakes: { gewe, wecom }, dataDir })).rejects.toThrow(/The store is empty, but the data dir .* belongs to an installation .*Restore the database from a backup, or delete .*store-id to start afresh/);
    // Deleting the marker is the explicit "start afresh".
    unlinkSync(join(dataDir, 'store-id'));
    const fresh = await startTestGateway({ fakes: { gewe, wecom }, dataDir });
    expect((await fresh.call('GET', '/admin/api/codes')).json.codes).toEqual([]);
    await fresh.stop();
  });

  it('a lost secret.key (generated at first start): refused instead of generating a new one that opens nothing', async () => {
    const env = { WXNOTIFY_SECRET_KEY: '' };
    const t = await startTestGateway({ fakes: { gewe, wecom }, dataDir, env });
    const { code } = await t.createCode();
    await t.stop();
    unlinkSync(join(dataDir, 'secret.key'));
    await expect(startTestGateway({ fakes: { gewe, wecom }, dataDir, env })).rejects.toThrow(/secret\.key is missing\. Restore secret\.key from a backup, or set WXNOTIFY_SECRET_KEY to the original key/);
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(false);
    // Another key (e.g. a different env value) is refused as well.
    await expect(startTestGateway({ fakes: { gewe, wecom }, dataDir, env: { WXNOTIFY_SECRET_KEY: 'c'.repeat(64) } })).rejects.toThrow(/is not the key this store was set up with/);
    void code;
  });
});
