import { EXIT } from './io.js';

/** A failed CLI call, with the exit code it maps to. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function exitForStatus(status: number): number {
  return status === 401 || status === 403 || status === 404 ? EXIT.denied : EXIT.failed;
}

/** JSON call to the gateway's channel and admin routes (the seed routes go through the core client). */
export async function gatewayJson(gateway: string, method: string, path: string, apiKey: string | undefined, body?: unknown): Promise<Record<string, any>> {
  let res: Response;
  try {
    res = await fetch(`${gateway}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new CliFailure(`gateway unreachable at ${gateway}: ${(error as Error).cause ? String(((error as Error).cause as Error).message ?? '') : (error as Error).message}`, EXIT.unreachable);
  }
  const text = await res.text();
  let json: Record<string, any>;
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    throw new CliFailure(`unexpected answer from ${gateway} (HTTP ${res.status}): not JSON`, EXIT.failed);
  }
  if (!res.ok && res.status !== 202) {
    const hint = json.hint ? ` (hint: ${json.hint})` : '';
    throw new CliFailure(`${json.message ?? `HTTP ${res.status}`}${hint}`, exitForStatus(res.status), { status: res.status, code: json.code });
  }
  return json;
}
