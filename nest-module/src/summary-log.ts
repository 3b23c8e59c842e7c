/**
 * Throttled warnings: the first of a kind is logged at once, later ones of that kind within
 * `intervalMs` are only counted and logged as one summary line when the interval ends (or on
 * `flush()`). A hung upstream that drops thousands of notifications writes a line per interval.
 */
export class SummaryLog {
  private readonly kinds = new Map<string, { quietUntil: number; suppressed: number; last?: string }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly warn: (message: string) => void,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `kind` groups the lines a summary counts (e.g. `dropped: backlog full`). */
  note(kind: string, message: string): void {
    const now = this.now();
    const state = this.kinds.get(kind);
    if (!state || (state.quietUntil <= now && state.suppressed === 0)) {
      this.kinds.set(kind, { quietUntil: now + this.intervalMs, suppressed: 0 });
      this.warn(message);
      return;
    }
    state.suppressed++;
    state.last = message;
    // Unref'd: a pending summary never keeps the process alive; shutdown flushes it.
    this.timer ??= setTimeout(() => this.flush(), Math.max(1, state.quietUntil - now)).unref();
  }

  /** Logs the summary of every kind with suppressed lines, now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    for (const [kind, state] of this.kinds) {
      if (state.suppressed === 0) continue;
      this.warn(`${state.suppressed} more like this in the last ${Math.round(this.intervalMs / 1000)} s (${kind}); the last one: ${state.last}`);
      state.suppressed = 0;
      state.last = undefined;
      state.quietUntil = now + this.intervalMs;
    }
  }
}
