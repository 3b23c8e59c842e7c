import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createChannelContext, MemoryRateLimiter, MemoryTokenStore, systemClock, type ChannelDeps } from '@wxnotify/core';
import { NotifyCallbacksModule, NotifyCallbacksService, NotifyModule, NotifyService, type NotifyCallbacksOptions } from '@wxnotify/nestjs';
import express from 'express';
import { AlertEngine } from './alerts/alert-engine.js';
import { AlertService } from './alerts/alert-service.js';
import { AlertCardActions } from './alerts/card-actions.js';
import { AlertCardUpdates } from './alerts/card-updates.js';
import { AlertStore } from './alerts/alert-store.js';
import { loadRoutesFile, RoutesError, type RoutesConfig } from './alerts/routes.js';
import { AlertTargets } from './alerts/targets.js';
import { DeliveryLog } from './store/delivery-log.js';
import { ConfigError, type GatewayConfig } from './config.js';
import { AdminAlertsController } from './http/admin-alerts.controller.js';
import { AlertsController } from './http/alerts.controller.js';
import { GatewayModule } from './gateway.module.js';
import { JsonExceptionFilter } from './http/exception.filter.js';
import { BodyErrorGuard, CALLBACK_PATH, jsonBody } from './http/body.js';
import { requestContext } from './http/middleware.js';
import { currentWaitBound } from './http/sync-wait.js';
import { WindowRateLimiter } from './http/rate-limit.js';
import { SharedRequestLimits, type RequestLimits } from './http/request-limits.js';
import { PostgresRateLimiter } from './store/postgres-rate-limiter.js';
import { connectRedisLimits } from './store/redis-limits.js';
import { GatewayLogger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { logStartUp } from './observability/start-up-log.js';
import { GatewayRuntime } from './runtime.js';
import { initialAdminPassword, writeAdminPasswordFile, writeApiKeyFile } from './security/data-dir-secrets.js';
import { openSecretBox } from './security/store-identity.js';
import { AdminAuth } from './services/admin-auth.js';
import { ApiKeyService } from './services/api-keys.js';
import { noChannels } from './services/channel-sender.js';
import { LateBoundSender, NotifyServiceSender } from './services/notify-service-sender.js';
import { CodeService } from './services/code-service.js';
import { HealthProbe } from './services/health-probe.js';
import { OutboxWorker } from './services/outbox-worker.js';
import { SendRecorder } from './services/send-recorder.js';
import { PostgresDriver } from './store/postgres-driver.js';
import { DataDirLock } from './store/data-dir-lock.js';
import { SqliteDriver } from './store/sqlite-driver.js';
import { GatewayStore } from './store/store.js';

export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

export interface GatewayOptions {
  /** Where log lines go (default stdout). */
  log?: (line: string) => void;
  /** Core collaborators (tests pass a virtual clock or a fast retry policy). */
  channelDeps?: ChannelDeps;
  /** Time source of the gateway's own rate limits (tests share a virtual clock with the client). */
  now?: () => number;
}

export interface RunningGateway {
  app: NestExpressApplication;
  runtime: GatewayRuntime;
  url: string;
  close(): Promise<void>;
}

/** Idle pooled connections break together (a restart): one line per outage is enough. */
function idleErrorLogger(logger: GatewayLogger): (error: Error) => void {
  let last = 0;
  return (error) => {
    if (Date.now() - last < 10_000) return;
    last = Date.now();
    logger.warn('Postgres closed idle connections (restart or terminated backends); reconnecting on the next call', { error: error.message });
  };
}

async function openStore(config: GatewayConfig, logger: GatewayLogger, now?: () => number): Promise<{ store: GatewayStore; lock?: DataDirLock; limits: RequestLimits }> {
  if (config.databaseUrl) {
    const driver = await PostgresDriver.connect(config.databaseUrl, { onIdleError: idleErrorLogger(logger) });
    const store = new GatewayStore(driver);
    await store.migrate();
    // Replicas: the request limits hold for the whole deployment, counted in the shared database.
    return { store, limits: config.sharedLimits ? new SharedRequestLimits(new PostgresRateLimiter(driver)) : new WindowRateLimiter(now) };
  }
  // The embedded store has one writer: this gateway (see DataDirLock).
  try {
    mkdirSync(config.dataDir, { recursive: true });
  } catch (error) {
    throw new ConfigError(`Cannot create the data directory ${config.dataDir} (${(error as NodeJS.ErrnoException).code}): give the gateway's user write access, or point WXNOTIFY_DATA_DIR elsewhere.`);
  }
  const lock = DataDirLock.acquire(config.dataDir);
  try {
    const store = new GatewayStore(new SqliteDriver(join(config.dataDir, 'wxnotify.db'), { soleWriter: true }));
    await store.migrate();
    // Leases of a previous run are void (Postgres replicas share the outbox: there a lease may belong to a live replica).
    await store.releaseLeases();
    // One process is the whole deployment: in-memory counters, no store round trip per request.
    return { store, lock, limits: new WindowRateLimiter(now) };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * The first admin password. Replicas starting together race to store theirs: only the winner
 * writes a generated password to its data dir; the others say where that file is.
 */
async function initialiseAdminPassword(admin: AdminAuth, config: GatewayConfig, logger: GatewayLogger): Promise<boolean> {
  const initial = initialAdminPassword(config.adminPassword, config.dataDir);
  const outcome = await admin.initialise(initial.password);
  if (!initial.generated) return outcome === 'set';
  if (outcome === 'set') {
    const file = writeAdminPasswordFile(config.dataDir, initial.password, logger);
    await admin.passwordFileLocation(`${hostname()}:${file}`);
  } else if (outcome === 'lost') {
    const where = await admin.passwordFileLocation();
    logger.warn('Another replica set the admin password at the same first start: this one wrote no password file. Read the password where that replica wrote it, or log in with WXNOTIFY_ADMIN_PASSWORD.', { passwordFile: where ?? 'unknown' });
  }
  return outcome === 'set';
}

/** The callback sources that are configured (each answers 404 otherwise). */
function callbacksOptions(config: GatewayConfig): NotifyCallbacksOptions | undefined {
  const { secret, wecom } = config.callbacks;
  if (!secret && !wecom) return undefined;
  return { path: CALLBACK_PATH, ...(wecom ? { wecom } : {}), ...(secret ? { gewechat: { secret }, wxpusher: { secret }, juhe: { secret } } : {}) };
}

/** Builds every service, then the Nest app on top; listens on config.host:config.port (0 = ephemeral). */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = new GatewayLogger(config.logLevel, options.log);
  for (const key of [...config.apiKeys, ...(config.adminApiKeys ?? [])]) logger.addSecret(key);
  for (const secret of [config.callbacks.secret, config.callbacks.wecom?.token, config.callbacks.wecom?.encodingAESKey]) logger.addSecret(secret);
  for (const channel of Object.values(config.channels)) {
    for (const field of ['token', 'key', 'corpSecret', 'appToken', 'secret']) logger.addSecret((channel as unknown as Record<string, string | undefined>)[field]);
  }
  // The routes file is checked before anything starts: a typo must not silently drop alerts.
  let routes: RoutesConfig | undefined;
  try {
    routes = config.alertRoutesFile ? loadRoutesFile(config.alertRoutesFile) : undefined;
  } catch (error) {
    if (error instanceof RoutesError) throw new ConfigError(`WXNOTIFY_ALERT_ROUTES_FILE: ${error.message}`);
    throw error;
  }
  const { store, lock, limits: storeLimits } = await openStore(config, logger, options.now);
  let redisLimits: Awaited<ReturnType<typeof connectRedisLimits>> | undefined;
  const closeStore = async (): Promise<void> => {
    await redisLimits?.close();
    await store.close();
    lock?.release();
  };
  try {
    if (config.redisUrl && config.sharedLimits) redisLimits = await connectRedisLimits(config.redisUrl, logger);
    const limits = redisLimits?.limits ?? storeLimits;
    const box = await openSecretBox(store, { envKey: config.secretKey, dataDir: config.dataDir, logger });
    const apiKeys = new ApiKeyService(store, config.apiKeys, config.adminApiKeys);
    const firstKey = await apiKeys.ensureOne();
    if (firstKey) writeApiKeyFile(config.dataDir, firstKey, logger);
    const admin = new AdminAuth(store);
    const firstStart = await initialiseAdminPassword(admin, config, logger);

    // One token store and one pacing limiter per gateway (several gateways in one process stay apart).
    const deps: ChannelDeps = {
      tokenStore: new MemoryTokenStore(),
      rateLimiter: new MemoryRateLimiter(options.channelDeps?.clock ?? systemClock),
      logger: { warn: (m, meta) => logger.warn(m, meta), debug: (m, meta) => logger.debug(m, meta) },
      ...options.channelDeps,
      // Synchronous routes bound their wait for a rate limit (see http/sync-wait.ts).
      retry: { maxWaitMs: currentWaitBound, ...options.channelDeps?.retry },
    };
    const ctx = createChannelContext(deps);
    const channels = new LateBoundSender();
    const named = Object.fromEntries(Object.entries(config.channels).map(([name, c]) => [name, { timeoutMs: config.upstreamTimeoutMs, ...c }]));
    const hasNamed = Object.keys(named).length > 0;
    const metrics = new Metrics();
    const recorder = new SendRecorder(metrics, logger);
    const alertClock = options.channelDeps?.clock ?? systemClock;
    const alertStore = new AlertStore(store.driver, { deliveries: config.deliveryLog.mode !== 'off' });
    const deliveries = new DeliveryLog(alertStore, alertClock, logger, config.deliveryLog);
    const outbox = new OutboxWorker(store, channels, recorder, metrics, logger, {
      pollMs: config.outboxPollMs,
      maxAttempts: config.outboxMaxAttempts,
      leaseMs: config.outboxLeaseMs,
      onOutcome: (id, outcome) => deliveries.settle(id, outcome),
    });
    const codes = new CodeService(store, box, ctx, { wecomBaseUrl: config.wecomBaseUrl, timeoutMs: config.upstreamTimeoutMs, soleWriter: lock !== undefined, channels });
    metrics.gauge('wxnotify_queue_depth', 'Accepted asynchronous sends not yet delivered (outbox).', () => store.outboxDepth());
    const health = new HealthProbe(store, channels, logger, { channel: config.wechatChannel, dataDir: config.databaseUrl ? undefined : config.dataDir, minFreeBytes: config.minFreeDiskBytes, channelCacheMs: config.healthCacheMs });
    const runtime = new GatewayRuntime(config, logger, metrics, store, apiKeys, admin, codes, channels, recorder, outbox, limits, health);
    runtime.deliveries = deliveries;

    // Named channels live in @wxnotify/nestjs's NotifyModule; Codes build their WeCom app channels per request.
    const callbackOptions = callbacksOptions(config);
    const imports = [
      ...(hasNamed ? [NotifyModule.forRoot({ channels: named, deps })] : []),
      ...(callbackOptions ? [NotifyCallbacksModule.forRoot(callbackOptions)] : []),
    ];
    if (lock) await alertStore.releaseLeases();
    const targets = new AlertTargets(codes, channels, routes);
    const engine = new AlertEngine(alertStore, targets, routes, recorder, metrics, logger, alertClock, config.alertLeaseMs);
    runtime.alerts = new AlertService(engine, alertStore, alertClock);
    const cardUpdates = new AlertCardUpdates(alertStore, targets, metrics, logger, alertClock);
    engine.cards = cardUpdates;
    const cardActions = new AlertCardActions(runtime.alerts, alertStore, targets, metrics, logger, alertClock, cardUpdates);
    metrics.gauge('wxnotify_alert_groups_active', 'Alert groups with firing alerts (all Codes).', () => alertStore.countActiveGroups());

    const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRuntime(runtime, { imports, controllers: [AlertsController, AdminAlertsController] }), {
      bodyParser: false,
      // Errors reach the caller (main prints one line; tests see the rejection) instead of process.exit.
      abortOnError: false,
      logger: {
        log: () => undefined,
        error: (message: unknown) => logger.error(String(message)),
        warn: (message: unknown) => logger.warn(String(message)),
      },
    });
    channels.bind(hasNamed ? new NotifyServiceSender(app.get(NotifyService)) : noChannels);
    const routeProblems = await targets.validate();
    if (routeProblems.length) {
      await app.close();
      throw new ConfigError(`WXNOTIFY_ALERT_ROUTES_FILE: ${routeProblems.join('; ')}`);
    }
    if (callbackOptions) {
      app.get(NotifyCallbacksService).events$.subscribe((event) => {
        metrics.inc('wxnotify_callbacks_total', { source: event.source });
        logger.info('callback received', { source: event.source, kind: 'kind' in event ? event.kind : undefined });
        if (event.source === 'wecom') void cardActions.handle(event.message).catch((error: unknown) => logger.error('alert card action failed', { error: error as Error }));
      });
    }
    if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
    app.use(requestContext(logger, metrics));
    app.use(jsonBody(config.bodyLimitBytes));
    app.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0 }));
    app.useGlobalFilters(new JsonExceptionFilter(runtime));
    app.useGlobalGuards(new BodyErrorGuard());
    await app.listen(config.port, config.host);
    if (config.notifyAuth === 'none') logger.warn('WXNOTIFY_NOTIFY_AUTH=none: POST /api/notify accepts calls without an API key. Keep the gateway on a trusted network.');
    outbox.start();
    deliveries.start();
    codes.startUsageFlush();
    engine.start(config.alertPollMs);

    const address = app.getHttpServer().address() as { port: number };
    const url = logStartUp(logger, config, address.port, firstStart, { channels: channels.names(), store: config.databaseUrl ? 'postgres' : 'sqlite', dataDir: config.dataDir });
    let closed = false;
    return {
      app,
      runtime,
      url,
      close: async () => {
        if (closed) return;
        closed = true;
        await outbox.stop();
        await engine.stop();
        await cardUpdates.stop();
        await app.close();
        await deliveries.stop();
        await codes.stop();
        await closeStore();
      },
    };
  } catch (error) {
    await closeStore();
    throw error;
  }
}
