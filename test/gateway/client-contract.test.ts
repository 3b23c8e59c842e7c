import { AxiosTransport } from '@wxnotify/core/axios';
import { gatewayClientContract } from '../fakes/gateway/client-contract.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { startRealGatewayHarness } from './support/contract-harness.js';

// The same contract the core's gateway client is tested with against the fake gateway.
gatewayClientContract('real gateway', startRealGatewayHarness, { transport: new AxiosTransport(), newClock: () => new VirtualClock() });
