import type { AlertService } from './alerts/alert-service.js';
import type { GatewayConfig } from './config.js';
import type { RequestLimits } from './http/request-limits.js';
import type { GatewayLogger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import type { AdminAuth } from './services/admin-auth.js';
import type { ApiKeyService } from './services/api-keys.js';
import type { ChannelSender } from './services/channel-sender.js';
import type { CodeService } from './services/code-service.js';
import type { HealthProbe } from './services/health-probe.js';
import type { OutboxWorker } from './services/outbox-worker.js';
import type { SendRecorder } from './services/send-recorder.js';
import type { DeliveryLog } from './store/delivery-log.js';
import type { GatewayStore } from './store/store.js';

/** Everything the controllers use, built before Nest starts (one instance per gateway). */
export class GatewayRuntime {
  /** Alert intake (set by startGateway once the store is open). */
  alerts?: AlertService;
  /** Every message the gateway sent (set by startGateway). */
  deliveries!: DeliveryLog;

  constructor(
    readonly config: GatewayConfig,
    readonly logger: GatewayLogger,
    readonly metrics: Metrics,
    readonly store: GatewayStore,
    readonly apiKeys: ApiKeyService,
    readonly admin: AdminAuth,
    readonly codes: CodeService,
    readonly channels: ChannelSender,
    readonly recorder: SendRecorder,
    readonly outbox: OutboxWorker,
    readonly limiter: RequestLimits,
    readonly health: HealthProbe,
  ) {}
}
