import { setMaxListeners } from 'node:events';
import { createChannel, createChannelContext, isNotifyError, type Channel, type ChannelContext, type Transport } from '@wxnotify/core';
import { NodeHttpTransport } from '@wxnotify/core/node-http';
import { NOTIFY_DEFAULTS, type NotifyDefaults, type NotifyModuleOptions } from './notify.options.js';
import { validateNotifyOptions } from './notify.options.schema.js';

export interface NotifyRuntime {
  readonly options: NotifyModuleOptions & NotifyDefaults;
  readonly channels: ReadonlyMap<string, Channel<any>>;
  readonly defaultChannel?: string;
  readonly context: ChannelContext;
  /** Aborted at shutdown once the grace period is over: every send still running gives up at once. */
  readonly signal: AbortSignal;
  abort(): void;
  /** Aborts what is left and closes the keep-alive sockets of the transport this runtime created. */
  close(): void;
}

export class NotifyConfigError extends Error {
  override name = 'NotifyConfigError';
  constructor(readonly problems: string[]) {
    super(`NotifyModule options are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface RuntimeLogger {
  warn(message: string): void;
  debug?(message: string): void;
}

/**
 * Validates the options and builds every channel through the core's `createChannel`, so a bad
 * config stops the application start with one readable error listing every problem.
 * Config values are never part of the error: only field names and the core's redacted messages.
 */
export function createNotifyRuntime(options: NotifyModuleOptions, logger?: RuntimeLogger): NotifyRuntime {
  const problems = validateNotifyOptions(options);
  if (problems.length > 0) throw new NotifyConfigError(problems);
  // Its own keep-alive transport unless one is given, so that shutdown can close its sockets
  // without touching other users of the core's process-wide default.
  let owned: NodeHttpTransport | undefined;
  let transport: Transport | undefined = options.deps?.transport;
  if (!transport) {
    try {
      transport = owned = new NodeHttpTransport();
    } catch (error) {
      throw new NotifyConfigError([`transport: ${(error as Error).message} (from HTTPS_PROXY / HTTP_PROXY; pass deps.transport to choose another)`]);
    }
  }
  const context = createChannelContext({
    ...options.deps,
    transport,
    logger: options.deps?.logger ?? (logger ? { warn: (m) => logger.warn(m), debug: (m) => logger.debug?.(m) } : undefined),
  });
  const channels = new Map<string, Channel<any>>();
  for (const [name, config] of Object.entries(options.channels)) {
    try {
      channels.set(name, createChannel(config, context) as Channel<any>);
    } catch (error) {
      const reason = isNotifyError(error) ? error.message : `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
      problems.push(`channels.${name} (${String(config.type)}): ${reason}`);
    }
  }
  if (problems.length > 0) throw new NotifyConfigError(problems);
  const names = [...channels.keys()];
  const defaultChannel = options.defaultChannel ?? (names.length === 1 ? names[0] : undefined);
  return { options: { ...NOTIFY_DEFAULTS, ...options }, channels, defaultChannel, context, ...runtimeShutdown(owned) };
}

/** The shutdown part of a runtime: one signal every send listens to, and what closing releases. */
export function runtimeShutdown(owned?: { close(): void }): Pick<NotifyRuntime, 'signal' | 'abort' | 'close'> {
  const shutdown = new AbortController();
  // Every running send listens to this one signal.
  setMaxListeners(0, shutdown.signal);
  return {
    signal: shutdown.signal,
    abort: () => shutdown.abort(),
    close: () => {
      shutdown.abort();
      owned?.close();
    },
  };
}
