/** What a success rule sees of the request: the HTTP request object of the platform (Express, Fastify). */
export interface NotifyRequest {
  body?: unknown;
  params?: unknown;
  query?: unknown;
  [key: string]: unknown;
}

/**
 * Decides, after the handler returned `result`, whether the business call succeeded and the
 * route should notify. Synchronous, so the response is never held; a rule that throws counts as
 * "do not notify" (logged).
 */
export type NotifySuccessRule = (result: unknown, request: NotifyRequest) => boolean;

/** Envelopes one level down whose `success` also counts: the seed's `{ success: true, output: resulting }`. */
const ENVELOPES = ['output', 'data'] as const;

function reportsFailure(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, 'success') && (value as { success: unknown }).success === false;
}

/**
 * The default rule: notify unless the result reports a business failure with `success: false`,
 * at the top (`{ success: false, message }`) or in an `output` / `data` envelope
 * (`{ success: true, output: { success: false } }`, as the /add_user handler of the product
 * document answers). Any other value, `undefined` included, counts as success.
 */
export const businessSucceeded: NotifySuccessRule = (result) => {
  if (reportsFailure(result)) return false;
  if (typeof result !== 'object' || result === null) return true;
  return !ENVELOPES.some((key) => Object.prototype.hasOwnProperty.call(result, key) && reportsFailure((result as Record<string, unknown>)[key]));
};
