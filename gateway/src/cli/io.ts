/** Where the CLI writes; tests capture it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Waits (the simulated task); tests make it instant. */
  sleep(ms: number): Promise<void>;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Exit codes a shell script can rely on (also in `wxnotify --help` and docs/gateway.md). */
export const EXIT = {
  ok: 0,
  /** The gateway or its upstream refused or failed the send (or /health reports an error). */
  failed: 1,
  /** Bad command line. */
  usage: 2,
  /** The gateway could not be reached. */
  unreachable: 3,
  /** Missing or wrong API key, unknown Code or channel. */
  denied: 4,
} as const;

export class UsageError extends Error {}
