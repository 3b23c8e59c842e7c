/**
 * Environment of every n8n process: section 2.3 of the host notes (offline, loopback-only, quiet).
 */
import * as path from 'path';
import { hostPaths } from './install';
import { LOOPBACK } from './processes';

/**
 * Env for one instance. Drops inherited N8N_, DB_, npm_ and JEST_ variables, NODE_OPTIONS, NODE_ENV,
 * NODE_PATH and proxy variables, puts Node 24 first on PATH, and sets NO_PROXY=* so loopback calls never reach a proxy.
 */
export function baseEnv(userFolder: string, encryptionKey: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	const drop = /^(N8N_|DB_|npm_|JEST_|WEBHOOK_URL$|NODE_OPTIONS$|NODE_ENV$|NODE_PATH$|(HTTPS?|ALL|NO)_PROXY$)/i;
	for (const [k, v] of Object.entries(process.env)) if (!drop.test(k)) env[k] = v;
	const p = hostPaths();
	return {
		...env,
		PATH: `${path.join(p.nodeHome, 'bin')}${path.delimiter}${env.PATH ?? ''}`,
		NO_PROXY: '*',
		no_proxy: '*',
		TZ: 'UTC',
		GENERIC_TIMEZONE: 'UTC',
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: encryptionKey,
		DB_TYPE: 'sqlite',
		N8N_LISTEN_ADDRESS: LOOPBACK,
		N8N_HOST: LOOPBACK,
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_RUNNERS_TASK_TIMEOUT: '60',
		N8N_LOG_LEVEL: process.env.WXNOTIFY_N8N_LOG_LEVEL ?? 'info',
		N8N_LOG_OUTPUT: 'console',
	};
}
