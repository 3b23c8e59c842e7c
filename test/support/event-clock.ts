import type { Clock, HttpRequest, HttpResponse, Transport } from '@wxnotify/core';

interface Timer {
  at: number;
  seq: number;
  resolve(): void;
}

/**
 * A virtual clock for concurrent, time-driven code (quota windows, digests, storms): sleepers
 * wake in deadline order, and time only moves when nothing is in flight. Hand the client a
 * transport wrapped by `track()` (it delegates to the real one and counts requests on the wire)
 * so that time cannot jump while the fake server is still answering. Minutes run in
 * milliseconds, and the fake, sharing this clock, sees the same time as the client.
 */
export class EventClock implements Clock {
  private current: number;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private inFlight = 0;
  private pumping = false;

  constructor(start = Date.UTC(2026, 10, 22, 9, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.timers.push({ at: this.current + Math.max(0, ms), seq: this.seq++, resolve });
      this.pump();
    });
  }

  /** A transport that lets the clock know when requests are on the wire. */
  track(transport: Transport): Transport {
    return {
      request: (request: HttpRequest): Promise<HttpResponse> => {
        this.inFlight++;
        const done = (): void => {
          this.inFlight--;
          this.pump();
        };
        let sent: Promise<HttpResponse>;
        try {
          sent = transport.request(request);
        } catch (error) {
          done();
          throw error;
        }
        return sent.then(
          (res) => {
            done();
            return res;
          },
          (error: unknown) => {
            done();
            throw error;
          },
        );
      },
    } as Transport;
  }

  /** Resolves once no timer is pending and nothing is in flight (everything time-driven has run). */
  async idle(): Promise<void> {
    for (;;) {
      await this.quiet();
      if (this.timers.length === 0 && this.inFlight === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      while (this.timers.length > 0) {
        await this.quiet();
        if (this.inFlight > 0) return; // the last response pumps again
        if (this.timers.length === 0) return;
        this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = this.timers[0];
        if (next.at > this.current) this.current = next.at;
        // Wake everyone due now, in order.
        while (this.timers.length > 0 && this.timers[0].at <= this.current) this.timers.shift()!.resolve();
      }
    } finally {
      this.pumping = false;
      if (this.timers.length > 0 && this.inFlight === 0) this.pump();
    }
  }

  /** A few turns of the event loop, so promise chains started by the last wake-up reach the wire. */
  private async quiet(): Promise<void> {
    for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}
