export { NotifyTestingModule, overrideNotifyForTesting, type NotifyTestingModuleOptions, type ProviderOverridable } from './notify-testing.module.js';
export { NotifyRecorder, type SentNotification, type SentMatcher, type SentQuery, type SimulatedFailure } from './notify-recorder.js';
export { MemoryChannel } from './memory-channel.js';
export type { NotifyTestingOptions } from './testing-runtime.js';
