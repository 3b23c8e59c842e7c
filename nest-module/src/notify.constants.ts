/** Injection token of the resolved runtime (validated options + channel clients). */
export const NOTIFY_RUNTIME = Symbol('wxnotify:runtime');
/** Injection token of the optional durable dispatcher (queue mode). */
export const NOTIFY_DISPATCHER = Symbol('wxnotify:dispatcher');
/** Metadata key of the `@Notify()` decorator. */
export const NOTIFY_METADATA = 'wxnotify:notify';
/** Marks a request that already dispatched, so a route-level and a global interceptor never both send. */
export const NOTIFIED_REQUEST = Symbol.for('wxnotify:notified');
/** Injection token of the in-process queue worker (`queue.worker: true`). */
export const NOTIFY_WORKER = Symbol('wxnotify:worker');
