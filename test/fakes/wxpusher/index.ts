export { FakeWxPusher, envelope, DEFAULT_APP_TOKEN } from './server';
export type { FakeWxPusherOptions, FakeWxPusherUser, FakeWxPusherSend, Envelope } from './server';
export { wxPusherCallbacks, postWxPusherCallback } from './callbacks';
