import { createChannel, createChannelContext, type Channel, type ChannelConfig } from '@wxnotify/core';
import { NOTIFY_DEFAULTS, type NotifyModuleOptions } from '../notify.options.js';
import { validateNotifyOptions } from '../notify.options.schema.js';
import { NotifyConfigError, runtimeShutdown, type NotifyRuntime } from '../notify.runtime.js';
import { MemoryChannel } from './memory-channel.js';
import type { NotifyRecorder } from './notify-recorder.js';

export interface NotifyTestingOptions extends Omit<NotifyModuleOptions, 'channels' | 'queue'> {
  /**
   * Channel names (`['ops', 'team']`), or the real channel configs: then each memory channel
   * takes the real type and refuses what the real channel's `validate` refuses. Default `['default']`.
   */
  channels?: readonly string[] | Record<string, ChannelConfig>;
}

/**
 * The runtime of the module with every channel replaced by a MemoryChannel recording into
 * `recorder`. Queue mode is off: dispatch goes straight to the memory channels.
 */
export function createTestingRuntime(options: NotifyTestingOptions | NotifyModuleOptions, recorder: NotifyRecorder): NotifyRuntime {
  const given = options.channels ?? ['default'];
  const configs: Record<string, ChannelConfig | undefined> = Array.isArray(given) ? Object.fromEntries(given.map((name: string) => [name, undefined])) : { ...(given as Record<string, ChannelConfig>) };
  const { queue: _queue, ...rest } = options as NotifyModuleOptions;
  const stand: NotifyModuleOptions = { ...rest, channels: Object.fromEntries(Object.entries(configs).map(([name, config]) => [name, config ?? ({ type: 'memory' } as unknown as ChannelConfig)])) };
  const problems = validateNotifyOptions(stand);
  if (problems.length > 0) throw new NotifyConfigError(problems);
  const context = createChannelContext(options.deps);
  const channels = new Map<string, Channel<any>>();
  for (const [name, config] of Object.entries(configs)) {
    channels.set(name, new MemoryChannel(name, config?.type ?? 'memory', recorder, context.clock, config ? realChannel(config, context) : undefined));
  }
  const names = [...channels.keys()];
  const defaultChannel = options.defaultChannel ?? (names.length === 1 ? names[0] : undefined);
  return { options: { ...NOTIFY_DEFAULTS, ...stand }, channels, defaultChannel, context, ...runtimeShutdown() };
}

/** The real client, only for its `validate`; none when the config is incomplete in tests (no secrets). */
function realChannel(config: ChannelConfig, context: ReturnType<typeof createChannelContext>): Channel<any> | undefined {
  try {
    return createChannel(config, context) as Channel<any>;
  } catch {
    return undefined;
  }
}
