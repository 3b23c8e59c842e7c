import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from '../config.js';
import type { GatewayLogger } from './logger.js';

const ALL_INTERFACES = new Set(['0.0.0.0', '::', '']);

/** Where the gateway really listens, and the URL that reaches it from this machine. */
export function listenAddress(host: string, port: number): { listen: string; url: string; open: boolean } {
  const open = ALL_INTERFACES.has(host);
  const reachable = open ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { listen: `${host.includes(':') ? `[${host}]` : host}:${port}`, url: `http://${reachable}:${port}`, open };
}

/**
 * The start-up lines: where the gateway listens (all interfaces or this machine only), and on
 * the first start what to do next: open the page and log in with the password from where it is.
 */
export function logStartUp(logger: GatewayLogger, config: GatewayConfig, port: number, firstStart: boolean, extra: Record<string, unknown>): string {
  const { listen, url, open } = listenAddress(config.host, port);
  logger.info(open ? `gateway listening on all interfaces (${listen}); on this machine: ${url}` : `gateway listening on ${url} (this machine only; set WXNOTIFY_HOST=0.0.0.0 to accept other hosts)`, {
    url,
    listen,
    ...extra,
  });
  const passwordFile = join(config.dataDir, 'admin-password');
  if (firstStart) {
    const password = config.adminPassword ? 'the password in WXNOTIFY_ADMIN_PASSWORD' : `the password in ${passwordFile} (then delete that file)`;
    logger.info(`Next step: open ${config.publicUrl ?? url}/ in a browser and log in with ${password}. 下一步：在浏览器中打开 ${config.publicUrl ?? url}/ ，用${config.adminPassword ? ' WXNOTIFY_ADMIN_PASSWORD 中的密码' : `文件 ${passwordFile} 中的密码`}登录。`, {
      page: `${config.publicUrl ?? url}/`,
      ...(config.adminPassword ? {} : { passwordFile }),
    });
  } else if (!config.adminPassword && existsSync(passwordFile)) {
    logger.warn('The generated admin password is still in the data dir: delete the file once you have read it.', { passwordFile });
  }
  return url;
}
