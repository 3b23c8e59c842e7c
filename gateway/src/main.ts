#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import { startGateway } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const gateway = await startGateway(config);
  const stop = (signal: string) => {
    gateway.runtime.logger.info('shutting down', { signal });
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `Gateway failed to start: ${(error as Error)?.message ?? String(error)}`;
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: message })}\n`);
  process.exit(1);
});
