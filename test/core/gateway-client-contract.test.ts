import { AxiosTransport } from '@wxnotify/core/axios';
import { gatewayClientContract } from '../fakes/gateway/client-contract';
import { startFakeGatewayHarness } from '../fakes/gateway/harness';
import { VirtualClock } from '../support/virtual-clock';

gatewayClientContract('fake gateway', startFakeGatewayHarness, { transport: new AxiosTransport(), newClock: () => new VirtualClock() });
