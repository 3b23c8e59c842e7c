export { FakeGateway, DEFAULT_GATEWAY_CODE } from './server';
export type { FakeGatewayOptions, FakeGatewayDelivery } from './server';
